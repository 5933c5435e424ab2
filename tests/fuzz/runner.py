"""Drive schemathesis over the gateway's merged OpenAPI, once per caller (every role and no token).

Every generated case is sent to the running stack through the gateway and its response checked: no 5xx,
the status code is declared for the operation, the content type is declared, and the body matches the
declared schema. Failures are collected (not raised) so that one run reports all of them; hypothesis runs
derandomized with no example database, so a run is reproducible.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# The webhook-style token endpoint is fuzzed too, but never with the service accounts' secrets.
SKIP_OPERATIONS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FuzzFailure:
    """One response that broke a check."""

    operation: str
    caller: str
    status: int | None
    check: str
    detail: str
    curl: str


@dataclass
class FuzzReport:
    """What a run covered and found."""

    operations: int = 0
    operations_run: set[str] = field(default_factory=set)
    operations_deep: set[str] = field(default_factory=set)
    cases: int = 0
    by_caller: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[FuzzFailure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unsatisfiable: int = 0
    elapsed_s: float = 0.0
    budget_s: float = 0.0
    out_of_time: bool = False

    def distinct_failures(self) -> dict[tuple[str, str, int | None], FuzzFailure]:
        """One failure per (operation, check, status)."""
        seen: dict[tuple[str, str, int | None], FuzzFailure] = {}
        for f in self.failures:
            seen.setdefault((f.operation, f.check, f.status), f)
        return seen

    def summary(self) -> str:
        return (
            f"operations={len(self.operations_run)}/{self.operations} "
            f"deep={len(self.operations_deep)}/{self.operations} cases={self.cases} "
            f"failures={len(self.failures)} distinct={len(self.distinct_failures())} "
            f"elapsed_s={self.elapsed_s:.1f}/{self.budget_s:.0f} callers={dict(sorted(self.by_caller.items()))}"
        )


def load_schema(base_url: str) -> Any:
    """The gateway's merged spec, with requests going to the gateway."""
    spec = httpx.get(base_url + "/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(spec)
    schema.config.update(base_url=base_url)
    return schema


def _check_name(exc: BaseException) -> str:
    return type(exc).__name__


def _failures_of(exc: BaseException) -> list[BaseException]:
    inner = getattr(exc, "exceptions", None)
    if isinstance(inner, list | tuple):
        out: list[BaseException] = []
        for e in inner:
            out.extend(_failures_of(e))
        return out
    return [exc]


def _redact(text: str, headers: dict[str, str]) -> str:
    for value in headers.values():
        text = text.replace(value, "Bearer <redacted>")
    return text


def run_fuzz(
    base_url: str,
    callers: dict[str, dict[str, str]],
    *,
    max_examples: int,
    examples_for: Callable[[str], int] | None = None,
    known_path_values: dict[str, list[str]] | None = None,
    time_budget_s: float = 150.0,
    seconds_per_operation: float | None = None,
    modes: Iterable[GenerationMode] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
) -> FuzzReport:
    """Fuzz every operation for every caller, breadth first, within a time budget.

    ``callers`` maps a caller's label to its headers (``{}`` for no token). ``examples_for(caller)`` gives
    the number of examples per operation and mode for that caller (default ``max_examples``).
    ``known_path_values`` maps a path parameter name to real values from the seed: one more positive pass
    runs with them so that cases reach real objects, not only 404s.

    The budget is ``time_budget_s``, a hard cap; with ``seconds_per_operation`` it is that much per
    operation of the spec, never more than the cap, so it grows with the spec. Two rounds share it: the
    breadth round sends one example per operation, caller and pass, so every operation is fuzzed by every
    caller before any gets more (a spec that grew cannot leave its last operations unfuzzed while the first
    ones take their full share); the depth round then gives the callers with more than one example
    their full ``examples_for`` per operation until the budget is spent. Every case goes through the same
    checks in both rounds. ``operations_run`` holds the operations the breadth round finished (every
    caller, every pass); ``out_of_time`` says the budget ended a round early.
    """
    schema = load_schema(base_url)
    report = FuzzReport()
    started = time.monotonic()
    session = requests.Session()
    operations = []
    for result in schema.get_all_operations():
        try:
            operations.append(result.ok())
        except Exception as exc:  # an operation schemathesis could not read: a spec problem to report
            report.errors.append(f"unreadable operation: {exc}")
    report.operations = len(operations)
    budget = time_budget_s
    if seconds_per_operation is not None:
        budget = min(time_budget_s, seconds_per_operation * len(operations))
    report.budget_s = budget
    known = known_path_values or {}
    modes = tuple(modes)

    def examples(caller: str) -> int:
        return examples_for(caller) if examples_for else max_examples

    for depth in (False, True):
        for op in operations:
            label = f"{op.method.upper()} {op.path}"
            if label in SKIP_OPERATIONS:
                continue
            if time.monotonic() - started > budget:
                report.out_of_time = True
                break
            for caller, headers in callers.items():
                n = examples(caller)
                if depth and n <= 1:
                    continue  # the breadth round already gave this caller its one example
                _fuzz_operation(op, label, caller, headers, n if depth else 1, modes, known, session, report)
            if not depth:
                report.operations_run.add(label)
            else:
                report.operations_deep.add(label)
        if report.out_of_time:
            break
    report.elapsed_s = time.monotonic() - started
    return report


def _fuzz_operation(
    op: Any,
    label: str,
    caller: str,
    headers: dict[str, str],
    n: int,
    modes: tuple[GenerationMode, ...],
    known: dict[str, list[str]],
    session: requests.Session,
    report: FuzzReport,
) -> None:
    """``n`` examples of one operation as one caller, per generation mode, plus a positive pass with real
    path values from the seed when every path parameter has some."""
    path_params = [p.name for p in op.path_parameters]
    passes: list[tuple[GenerationMode, dict[str, Any] | None]] = [(m, None) for m in modes]
    if path_params and all(known.get(p) for p in path_params):
        passes.append((GenerationMode.POSITIVE, {p: known[p] for p in path_params}))
    for mode, fixed in passes:
        try:
            strategy = op.as_strategy(generation_mode=mode)
        except Exception as exc:
            report.errors.append(f"{label} {mode.value}: no strategy: {exc}")
            continue
        if fixed is not None:
            choice = st.fixed_dictionaries({k: st.sampled_from(v) for k, v in fixed.items()})
            strategy = st.tuples(strategy, choice)
        else:
            strategy = st.tuples(strategy, st.just({}))
        _run_one(op, label, caller, headers, strategy, n, session, report)


def _run_one(
    op: Any,
    label: str,
    caller: str,
    headers: dict[str, str],
    strategy: st.SearchStrategy[tuple[Any, dict[str, Any]]],
    n: int,
    session: requests.Session,
    report: FuzzReport,
) -> None:
    @settings(
        max_examples=n,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(pair=strategy)
    def test(pair: tuple[Any, dict[str, Any]]) -> None:
        case, path_values = pair
        if path_values:
            case.path_parameters = {**(case.path_parameters or {}), **path_values}
        # The caller's identity replaces whatever the generator put in Authorization.
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        case.headers.update(headers)
        try:
            response = case.call(session=session, timeout=15)
        except Exception as exc:
            report.errors.append(f"{label} [{caller}]: no response: {type(exc).__name__}: {exc}")
            return
        report.cases += 1
        report.by_caller[caller] += 1
        report.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a FailureGroup
            for failure in _failures_of(exc):
                report.failures.append(
                    FuzzFailure(
                        label,
                        caller,
                        response.status_code,
                        _check_name(failure),
                        str(failure)[:600],
                        _redact(case.as_curl_command(), headers)[:600],
                    )
                )

    test.__name__ = f"fuzz_{caller}"
    try:
        test()
    except Unsatisfiable:
        # Nothing to make invalid (no parameters, no body): the negative mode has no case to send.
        report.unsatisfiable += 1
    except Exception as exc:  # hypothesis itself failed (e.g. an unsatisfiable strategy)
        report.errors.append(f"{label} [{caller}]: {type(exc).__name__}: {str(exc)[:300]}")
