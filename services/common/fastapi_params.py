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

The same holds one level up. For each list of parameters a dependency declares, FastAPI's
``request_params_to_args`` works out per request, for every parameter, its names (``_get_param_aliases``), whether it
is a model, a list or JSON, where it is (``loc``), and whether it is required; then it reads and validates the
value. :func:`install` also wraps that function with a plan made once per list (:class:`_Plan`): for a list whose
parameters are all single values (no list, model or JSON parameter, no default factory), each request only looks
each value up by the names FastAPI would, applies the default as FastAPI does, and validates with the field's own
``validate``. Any other list, or form data, goes to FastAPI's own function. ``GET /v1/evaluations``'s seven query
parameters took 25 µs to read with the facts above remembered and 4.5 µs with the plan (timed alone;
docs/benchmarks.md, issue 21, round 16). The tests give every parameter list of every app FastAPI's function and the plan the same inputs (each
name absent, valid, invalid, repeated) and want the same values and errors.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from copy import deepcopy
from typing import Any

import fastapi.dependencies.utils as _fastapi_params
from fastapi import params as _params
from starlette.datastructures import FormData

_utils: Any = _fastapi_params  # its functions looked up at each call: the remembered ones once installed

_INSTALLED = "__asn_remembered__"
_PLAN = "_asn_parameter_plan"  # where a parameter list's plan is kept: on the list's first field
_UNSEEN = object()


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


# What the plan calls of FastAPI's (fastapi.dependencies.utils); with one missing, FastAPI reads parameters itself.
_PLAN_PARTS = ("_get_param_aliases", "_is_json_field", "get_missing_field_error", "request_params_to_args")
# Defaults deepcopy() hands back as they are: FastAPI copies every default, the plan only the others.
_ATOMIC = (type(None), bool, int, float, str, bytes)


class _Plan:
    """How to read one list of single-value parameters: per parameter its field, the names FastAPI looks it up
    by (in its order), whether it is required, and its default. Made once per list, from FastAPI's own answers."""

    __slots__ = ("source", "steps")

    def __init__(self, fields: Sequence[Any]) -> None:
        self.source = fields
        self.steps = []
        for field in fields:
            info = field.field_info
            aliases = _utils._get_param_aliases(field)
            default = field.default
            self.steps.append(
                (
                    field,
                    field.name,
                    tuple(aliases),
                    info.in_.value,
                    info.is_required(),
                    default,
                    not isinstance(default, _ATOMIC),
                    bool(info.validate_default),
                )
            )

    def fits(self, fields: Sequence[Any]) -> bool:
        """Whether this plan was made for exactly these fields (a field may head more than one list)."""
        if fields is self.source:
            return True
        steps = self.steps
        return len(steps) == len(fields) and all(
            step[0] is field for step, field in zip(steps, fields, strict=True)
        )

    def read(self, received: Mapping[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        """What ``request_params_to_args`` answers for these fields and ``received``, without re-deriving the
        fields' facts: each value by the first of its names ``received`` holds (else the first name), the default
        (copied) when absent, validated by the field as FastAPI validates it."""
        values: dict[str, Any] = {}
        errors: list[Any] = []
        for field, name, aliases, where, required, default, copy_default, validate_default in self.steps:
            alias = aliases[0][1]
            if len(aliases) > 1:
                alias = next((pair for pair in aliases if pair[1] in received), aliases[0])[1]
            loc = (where, alias)
            value = received.get(alias, None)
            if value is None:
                if required:
                    errors.append(_utils.get_missing_field_error(loc=loc))
                    continue
                value = deepcopy(default) if copy_default else default
                if not validate_default:
                    values[name] = value
                    continue
            found, problems = field.validate(value, values, loc=loc)
            if problems:
                errors.extend(problems)
            else:
                values[name] = found
        return values, errors


def _plannable(field: Any) -> bool:
    """A parameter the plan reads as FastAPI does: one value (no list, model or JSON) of a path, query, header
    or cookie parameter, with a default that is a value (FastAPI calls a default factory for each request; a
    plan keeps one default)."""
    return (
        isinstance(field.field_info, _params.Param)
        and field.field_info.default_factory is None
        and _utils._get_param_model(field) is None
        and not _utils._is_json_field(field)
        and not _utils.field_annotation_is_sequence(field.field_info.annotation)
    )


def _plan(fields: Sequence[Any]) -> _Plan | None:
    """The plan for ``fields``, made at its first use; None when FastAPI reads them itself. Kept on the list's
    first field (a plan holds its fields, so a table of plans keyed by field would keep every app's fields
    alive; on the field it goes when the field goes)."""
    head = fields[0]
    kept = getattr(head, _PLAN, _UNSEEN)
    if kept is _UNSEEN:
        kept = _Plan(fields) if all(_plannable(f) for f in fields) else None
        with contextlib.suppress(AttributeError):  # a field that takes no attributes: planned at each use
            setattr(head, _PLAN, kept)
    plan: _Plan | None = kept if isinstance(kept, _Plan) else None
    return plan if plan is not None and plan.fits(fields) else None


def _planned(own: Callable[..., Any]) -> Callable[..., Any]:
    """FastAPI's ``request_params_to_args`` answering lists of single-value parameters from their plan, and
    anything else (other lists, form data) itself."""

    def request_params_to_args(
        fields: Sequence[Any], received_params: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[Any]]:
        if not fields:
            return {}, []
        plan = None if isinstance(received_params, FormData) else _plan(fields)
        if plan is None:
            return own(fields, received_params)  # type: ignore[no-any-return]
        return plan.read(received_params)

    setattr(request_params_to_args, _INSTALLED, own)
    return request_params_to_args


def plan_for(fields: Sequence[Any]) -> _Plan | None:
    """The plan the reader uses for ``fields``, None when FastAPI reads them itself (for the tests)."""
    return _plan(fields) if fields else None


def install() -> bool:
    """Remember FastAPI's per-declaration facts and read single-value parameters from a plan (idempotent);
    whether the facts are remembered (the plan needs a few more of FastAPI's functions; without them FastAPI
    reads parameters itself)."""
    found: dict[str, Callable[[Any], Any]] = {}
    for name in _REMEMBERED:
        function = getattr(_fastapi_params, name, None)
        if not callable(function):
            return False
        found[name] = function
    for name, function in found.items():
        if not hasattr(function, _INSTALLED):
            setattr(_fastapi_params, name, _remembered(function, _REMEMBERED[name]()))
    if all(callable(getattr(_fastapi_params, name, None)) for name in _PLAN_PARTS):
        reader = _utils.request_params_to_args
        if not hasattr(reader, _INSTALLED):
            _utils.request_params_to_args = _planned(reader)
    return True


def original(name: str) -> Callable[..., Any]:
    """FastAPI's own function that :func:`install` wraps under ``name`` (for the tests)."""
    function: Callable[..., Any] = getattr(_fastapi_params, name)
    own: Callable[..., Any] = getattr(function, _INSTALLED, function)
    return own
