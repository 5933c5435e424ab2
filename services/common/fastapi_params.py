"""FastAPI's reading of query, header and cookie parameters without re-deriving each parameter's type per request.

For every parameter of every request, FastAPI (0.165, ``fastapi.dependencies.utils.request_params_to_args``)
works out again two facts that depend only on how the parameter was declared: whether its annotation is a
sequence (``field_annotation_is_sequence``, walked through ``Annotated`` and ``Union`` twice per parameter) and
whether it is a parameter model (``_get_param_model``). The value's validation itself is a small part of it.
``GET /v1/evaluations`` has seven query parameters: reading them took 62 µs of the 0.42 ms its kept page costs
kinerja, against 27 µs with the two facts remembered (``bench.hot_reads``, docs/benchmarks.md, issue 21, round
14).

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
from collections.abc import Callable
from typing import Any

import fastapi.dependencies.utils as _fastapi_params

_INSTALLED = "__asn_remembered__"


def _remember_by_annotation(compute: Callable[[Any], bool]) -> Callable[[Any], bool]:
    known: dict[Any, bool] = {}

    def remembered(annotation: Any) -> bool:
        try:
            return known[annotation]
        except KeyError:
            found = known[annotation] = compute(annotation)
            return found
        except TypeError:  # an annotation that cannot be a key
            return compute(annotation)

    setattr(remembered, _INSTALLED, compute)
    return remembered


def _remember_by_field(compute: Callable[[Any], Any]) -> Callable[[Any], Any]:
    known: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()

    def remembered(field: Any) -> Any:
        try:
            return known[field]
        except KeyError:
            found = known[field] = compute(field)
            return found
        except TypeError:
            return compute(field)

    setattr(remembered, _INSTALLED, compute)
    return remembered


_REMEMBERED = {
    "field_annotation_is_sequence": _remember_by_annotation,
    "_get_param_model": _remember_by_field,
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
            setattr(_fastapi_params, name, _REMEMBERED[name](function))
    return True


def original(name: str) -> Callable[..., Any]:
    """FastAPI's own function that :func:`install` wraps under ``name`` (for the tests)."""
    function: Callable[..., Any] = getattr(_fastapi_params, name)
    own: Callable[..., Any] = getattr(function, _INSTALLED, function)
    return own
