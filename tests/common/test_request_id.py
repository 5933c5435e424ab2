"""Request ids: well-formed incoming ids are kept, new ones are 32 hex digits, unique, also after a fork."""

from __future__ import annotations

import os
import re

import pytest

from services.common.request_id import accept_or_generate, current_request_id, new_request_id, set_request_id

_HEX32 = re.compile(r"^[0-9a-f]{32}$")


def test_new_ids_look_like_uuid4_hex_and_do_not_repeat() -> None:
    ids = [accept_or_generate(None) for _ in range(20_000)]
    assert all(_HEX32.match(i) for i in ids)
    assert len(set(ids)) == len(ids)
    # One process: one random prefix, a counter after it.
    assert len({i[:16] for i in ids}) == 1
    assert new_request_id() != new_request_id()


@pytest.mark.parametrize("incoming", ["abc-123", "a.b:c_d", "x" * 128, "0" * 32])
def test_well_formed_incoming_ids_are_kept(incoming: str) -> None:
    assert accept_or_generate(incoming) == incoming


@pytest.mark.parametrize("incoming", ["", "x" * 129, "a b", "a\r\nb", "ünï", "a/b", "<script>"])
def test_malformed_incoming_ids_are_replaced(incoming: str) -> None:
    rid = accept_or_generate(incoming)
    assert rid != incoming
    assert _HEX32.match(rid)


def test_a_forked_child_does_not_repeat_its_parents_ids() -> None:
    before = new_request_id()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next id and leave at once
        try:
            os.write(write, new_request_id().encode())
        finally:
            os._exit(0)
    os.close(write)
    child = os.read(read, 64).decode()
    os.close(read)
    os.waitpid(pid, 0)
    parent = new_request_id()
    assert _HEX32.match(child)
    assert child[:16] != before[:16]  # a new random prefix, not the parent's counter continued
    assert child not in (before, parent)


def test_the_id_is_bound_to_the_context() -> None:
    set_request_id("req-1")
    assert current_request_id() == "req-1"
    set_request_id(None)
    assert current_request_id() is None
