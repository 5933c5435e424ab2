"""The one conditional-request helper: If-Match (412 / 428) and If-None-Match (304) decisions."""

from __future__ import annotations

import pytest

from services.common.conditional import (
    check_if_match,
    none_match_hits,
    require_if_match,
    strong_etag,
)
from services.common.errors import PreconditionFailed, PreconditionRequired


class _Stale(PreconditionFailed):
    slug = "stale-thing"


class _Missing(PreconditionRequired):
    slug = "thing-needs-if-match"


def test_strong_etag_is_the_quoted_version() -> None:
    assert strong_etag(7) == '"7"'


@pytest.mark.parametrize("header", ['"3"', 'W/"3"', '"1", "3"', "*", ' "2" , W/"3" ', '"1", *'])
def test_if_match_naming_the_current_version_passes(header: str) -> None:
    check_if_match(header, '"3"', required=True)


@pytest.mark.parametrize("header", ['"2"', '"33"', "3", 'W/"2", "4"'])
def test_a_stale_if_match_is_412_with_the_callers_error(header: str) -> None:
    with pytest.raises(_Stale) as caught:
        check_if_match(header, '"3"', stale=_Stale, stale_detail="changed")
    assert caught.value.status == 412
    assert caught.value.slug == "stale-thing"


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_if_match_is_428_only_where_required(header: str | None) -> None:
    check_if_match(header, '"3"')  # optional: nothing to check
    with pytest.raises(_Missing) as caught:
        check_if_match(header, '"3"', required=True, missing=_Missing)
    assert caught.value.status == 428
    with pytest.raises(PreconditionRequired):
        require_if_match(header)
    assert require_if_match('"3"') == '"3"'


@pytest.mark.parametrize(
    ("header", "hit"),
    [
        (b'"abc"', True),
        (b'W/"abc"', True),
        (b'"x", "abc"', True),
        (b"*", True),
        (b'"abd"', False),
        (b'"ab"', False),
        (b"", False),
    ],
)
def test_if_none_match_compares_weakly(header: bytes, hit: bool) -> None:
    assert none_match_hits(header, b'"abc"') is hit


def test_if_none_match_may_name_any_of_several_representations() -> None:
    assert none_match_hits(b'"abc-gz"', b'"abc"', b'"abc-gz"')
    assert not none_match_hits(b'"abc-gz"', b'"abc"')
