"""Docs that run: every ``curl`` example of README.md and docs/*.md (but deploy, backup and restore) is executed
with the real ``curl`` against the four apps serving the demo, through the gateway, in order, and what a doc
shows as the answer must be what comes back (the convention is in tests/docs/docrun.py and README.md)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from asn_cli.runner import DEFAULT_PORTS, DEVELOPMENT_ONLY
from tests.docs import docrun
from tests.support.seeded import Seeded, seeded_stack


def test_the_parser_reads_the_convention() -> None:
    pattern = docrun.parse_pattern('{"a":1,"b":{…},"c":[{"d":"x…"},…],"e":…,…}')
    assert docrun.mismatch(pattern, {"a": 1, "b": {"z": 2}, "c": [{"d": "xy"}, 3], "e": None, "f": 0}) is None
    assert docrun.mismatch(pattern, {"a": 2, "b": {}, "c": [{"d": "x"}], "e": 1}) == "$.a: expected 1, got 2"
    assert docrun.mismatch(pattern, {"a": 1, "b": {}, "c": [{"d": "y"}], "e": 1}) is not None
    assert docrun.mismatch(docrun.parse_pattern("[1,2]"), [1, 2, 3]) is not None
    assert docrun.mismatch(docrun.parse_pattern('{"n":true}'), {"n": 1}) is not None
    steps = docrun._steps(
        [(1, "X=$(curl -s $GW/a | jq -r .id)"), (2, "curl -s $GW/b"), (3, '# 202 {"a":'), (4, "#  1}")]
    )
    assert [(s.status, s.expected) for s in steps] == [(202, '{"a":1}')]


def test_every_document_has_its_examples_found() -> None:
    found = {p.name: len(docrun.blocks(p)) for p in docrun.documents()}
    assert "deploy.md" not in found
    assert found["kinerja.md"] >= 8
    assert found["README.md"] >= 1


# Documents whose examples are not yet written against the demo (placeholders such as ``<id from above>``,
# fixed periods, the wrong token): each is expected to fail, strictly, so converting one flips its test to a
# pass that must then be kept (remove it from this set).
NOT_YET_CONVERTED: set[str] = set()


@pytest.fixture(scope="module")
def demo(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    # As ``make run`` starts the demo (development allowances included: docs/integrators.md registers a local
    # webhook receiver).
    with seeded_stack(pg_server, Path(tmp_path_factory.mktemp("docs")), extra_env=DEVELOPMENT_ONLY) as seeded:
        yield seeded


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(
            p,
            marks=pytest.mark.xfail(
                p.name in NOT_YET_CONVERTED, reason="examples not yet runnable", strict=True
            ),
        )
        for p in docrun.documents()
    ],
    ids=lambda p: p.name,
)
def test_the_examples_run_as_shown(demo: Seeded, path: Path, tmp_path: Path) -> None:
    examples = docrun.blocks(path)
    if not examples:
        pytest.skip(f"{path.name} has no curl examples")
    # The demo's own ports (docs/pelatihan.md moves the test clock of every app, as on ``make run``).
    apps = {f"http://127.0.0.1:{port}": demo.stack.procs[app][0].url for app, port in DEFAULT_PORTS.items()}
    shell = docrun.Shell(demo.url, tmp_path / "home", apps)
    problems: list[str] = []
    try:
        for block in examples:
            problems.extend(docrun.check(shell, block))
    finally:
        demo.stack.move_clock(None)  # a document that stopped half-way leaves the next one real time
    assert not problems, "\n".join(problems)
