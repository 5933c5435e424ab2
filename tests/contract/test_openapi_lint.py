"""The committed specs pass the OpenAPI linters integrators run (issue 12, part 3): `@redocly/cli lint` with
its recommended rules and Spectral with `spectral:oas`, versions pinned in tools/openapi-lint/package.json
(+ lockfile), rules in its redocly.yaml and .spectral.yaml. Any error fails; warnings are reported as pytest warnings.

`make test` installs the linters (`make lint-deps`, like `browser-deps`); without npm the tests skip with the
reason (``-ra`` lists it), never pass silently. Each linter also must find the faults of a spec built to
have them, so a broken setup (a linter that reads nothing) cannot pass.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest

from services.common.apps import APP_NAMES

ROOT = Path(__file__).resolve().parents[2]
LINT_DIR = ROOT / "tools" / "openapi-lint"
BIN = LINT_DIR / "node_modules" / ".bin"
SPECS = [ROOT / "openapi" / f"{name}.json" for name in APP_NAMES]
TIMEOUT_S = 180


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "REDOCLY_TELEMETRY": "off",
        "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
    }
    return subprocess.run(
        args, cwd=LINT_DIR, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )


@pytest.fixture(scope="module")
def linters() -> Path:
    """tools/openapi-lint/node_modules/.bin, installed from the lockfile when missing."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(
            "OpenAPI NOT linted: npm is not installed (install Node.js 20+ to run Redocly and Spectral)"
        )
    if not (BIN / "redocly").exists() or not (BIN / "spectral").exists():
        done = _run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"])
        if done.returncode != 0:
            pytest.skip(f"OpenAPI NOT linted: `npm ci` in tools/openapi-lint failed:\n{done.stderr[-800:]}")
    return BIN


def redocly(bin_dir: Path, spec: Path) -> list[dict[str, Any]]:
    """Redocly's problems for one spec, each with severity, ruleId, message and where."""
    done = _run([str(bin_dir / "redocly"), "lint", "--config", "redocly.yaml", "--format=json", str(spec)])
    start = done.stdout.find("{")
    assert start >= 0, f"redocly printed no report (exit {done.returncode}):\n{done.stdout}{done.stderr}"
    problems: list[dict[str, Any]] = json.loads(done.stdout[start:])["problems"]
    return problems


def spectral(bin_dir: Path, spec: Path) -> list[dict[str, Any]]:
    """Spectral's results for one spec (severity 0 is an error)."""
    done = _run(
        [
            str(bin_dir / "spectral"),
            "lint",
            "--ruleset",
            ".spectral.yaml",
            "--format=json",
            "--quiet",
            str(spec),
        ]
    )
    text = done.stdout.strip()
    assert text.startswith("["), f"spectral printed no report (exit {done.returncode}):\n{text}{done.stderr}"
    results: list[dict[str, Any]] = json.loads(text)
    return results


def _redocly_lines(problems: list[dict[str, Any]], severity: str) -> list[str]:
    return [
        f"{p['ruleId']}: {p['location'][0]['pointer']}: {p['message']}"
        for p in problems
        if p["severity"] == severity
    ]


def _spectral_lines(results: list[dict[str, Any]], severity: int) -> list[str]:
    return [
        f"{r['code']}: {'.'.join(map(str, r['path']))}: {r['message']}"
        for r in results
        if r["severity"] == severity
    ]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_redocly_finds_no_error(linters: Path, spec: Path) -> None:
    problems = redocly(linters, spec)
    for line in _redocly_lines(problems, "warn"):
        warnings.warn(f"redocly warning in {spec.name}: {line}", stacklevel=1)
    errors = _redocly_lines(problems, "error")
    assert not errors, f"redocly lint {spec.name}: {len(errors)} error(s):\n" + "\n".join(errors)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_spectral_finds_no_error(linters: Path, spec: Path) -> None:
    results = spectral(linters, spec)
    for line in _spectral_lines(results, 1):
        warnings.warn(f"spectral warning in {spec.name}: {line}", stacklevel=1)
    errors = _spectral_lines(results, 0)
    assert not errors, f"spectral lint {spec.name}: {len(errors)} error(s):\n" + "\n".join(errors)


def test_the_linters_catch_what_they_must(linters: Path, tmp_path: Path) -> None:
    """The faults issue 12 found, put back into a copy of a committed spec, are errors for both linters."""
    spec = json.loads((ROOT / "openapi" / "kinerja.json").read_text())
    broken = copy.deepcopy(spec)
    calendar = broken["paths"]["/v1/calendar/{period}"]
    broken["paths"]["/v1/calendar/{year}"] = {"get": calendar.pop("get")}  # two names, one path
    broken["paths"]["/healthz"]["get"].pop("security")  # a public operation that says nothing
    example = broken["components"]["schemas"]["UnitRead"]["examples"][0]
    example.pop(next(iter(broken["components"]["schemas"]["UnitRead"]["required"])))
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))

    rules = {p["ruleId"] for p in redocly(linters, path) if p["severity"] == "error"}
    assert {"no-identical-paths", "security-defined", "no-invalid-schema-examples"} <= rules, rules
    codes = {r["code"] for r in spectral(linters, path) if r["severity"] == 0}
    assert "path-params" in codes, codes
