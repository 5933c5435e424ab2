"""FastAPI's reading of query, header and cookie parameters without re-deriving each parameter's type per request.

For every parameter of every request, FastAPI (0.165, ``fastapi.dependencies.utils.request_params_to_args``)
works out again two facts that depend only on how the parameter was declared: whether its annotation is a
sequence (``field_annotation_is_sequence``, walked through ``Annotated`` and ``Union`` twice per parameter) and
whether it is a parameter model (``_get_param_model``). The value's validation itself is a small part of it.
``GET /v1/evaluations`` has seven query parameters: reading them took 62 µs of the 0.42 ms its kept page costs
kinerja, against 30 µs with the two facts remembered (timed alone; what it does to the requests is in
docs/benchmarks.md, issue 21, round 14).

:func:`install` remembers both, in FastAPI's own module, for the life of the process: the sequence fact per
annotation (typing objects are immutable and hashable; one that is not is worked out every time), the model per
parameter (a ``ModelField`` hashes by identity and is never changed after its route is built; the entries go
with their fields). Nothing else changes: the same functions answer, once per declaration instead of once per
request. tests/common/test_fastapi_params.py checks, for every parameter of every app, that the remembered
answers are FastAPI's own, and that a request still reads and rejects parameters as before. On a FastAPI without
these functions (another version than constraints.txt pins), :func:`install` leaves FastAPI as it is.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, MutableMapping
from typing import Any

import fastapi.dependencies.utils as _fastapi_params

_INSTALLED = "__asn_remembered__"


def _remembered(compute: Callable[[Any], Any], known: MutableMapping[Any, Any]) -> Callable[[Any], Any]:
    """``compute`` answering each key once, from ``known`` after that (every time for a key ``known`` cannot
    hold: an unhashable annotation, or a field without weak references)."""

    def remembered(key: Any) -> Any:
        try:
            return known[key]
        except KeyError:
            found = known[key] = compute(key)
            return found
        except TypeError:
            return compute(key)

    setattr(remembered, _INSTALLED, compute)
    return remembered


# What each is remembered by: the sequence answer per annotation (typing objects are immutable); the model per
# parameter, a ModelField (hashed by identity), for as long as the field lives.
_REMEMBERED: dict[str, Callable[[], MutableMapping[Any, Any]]] = {
    "field_annotation_is_sequence": dict,
    "_get_param_model": weakref.WeakKeyDictionary,
}


def install() -> bool:
    """Remember FastAPI's per-declaration facts (idempotent); whether they are remembered."""
    found: dict[str, Callable[[Any], Any]] = {}
    for name in _REMEMBERED:
        function = getattr(_fastapi_params, name, None)
        if not callable(function):
            return False
        found[name] = function
    for name, function in found.items():
        if not hasattr(function, _INSTALLED):
            setattr(_fastapi_params, name, _remembered(function, _REMEMBERED[name]()))
    return True


def original(name: str) -> Callable[..., Any]:
    """FastAPI's own function that :func:`install` wraps under ``name`` (for the tests)."""
    function: Callable[..., Any] = getattr(_fastapi_params, name)
    own: Callable[..., Any] = getattr(function, _INSTALLED, function)
    return own
