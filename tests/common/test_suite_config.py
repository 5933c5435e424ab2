"""The suite's own checks of itself: a test body that hangs fails on the per-test timeout, a slow fixture
(starting the stack) is not counted against it, and the stack-only tests are the ones `make test-fast` skips."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.suite import STACK_DIRS, suite_directory

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import time
import pytest

@pytest.fixture(scope="module")
def slow_stack():
    time.sleep(3)  # longer than the limit below: a start-up that must not count
    return "up"

def test_slow_fixture_is_not_counted(slow_stack):
    assert slow_stack == "up"

def test_hung_body_fails():
    time.sleep(30)
"""


def test_timeout_counts_the_test_body_only(tmp_path: Path) -> None:
    probe = tmp_path / "test_probe.py"
    probe.write_text(_PROBE)
    run = subprocess.run(
        # The project's own pytest configuration, with the limit lowered to 2 s.
        [
            *(sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path)),
            *("-p", "no:cacheprovider", "-o", "timeout=2", "-q", str(probe)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    out = run.stdout + run.stderr
    assert "1 failed, 1 passed" in out, out
    assert "Timeout" in out, out


def test_stack_directories_exist_and_are_named_by_path() -> None:
    for name in STACK_DIRS:
        assert (ROOT / "tests" / name).is_dir(), name
    assert suite_directory("tests/kinerja/test_skp.py::test_x[a/b]") == "tests/kinerja"
    assert suite_directory("tests/test_top.py::test_x") == "tests"


@pytest.mark.parametrize("marker", ["stack", "e2e"])
def test_markers_are_registered(marker: str, pytestconfig: pytest.Config) -> None:
    assert any(line.startswith(f"{marker}:") for line in pytestconfig.getini("markers"))
