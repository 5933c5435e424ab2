"""Clients nobody here wrote, run under Node.js against the real gateway (oauth4webapi, standardwebhooks).

``package.json`` pins their versions; ``make node-deps`` (part of ``make pytest``) installs them, and the
tests install them themselves when that has not happened. Only a machine without npm skips these tests,
with a message that says so; a failed install fails them.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

INTEROP = Path(__file__).parent
PACKAGES = ("oauth4webapi", "standardwebhooks")


def require_node_packages() -> None:
    """Skip (visibly) without npm; install the pinned packages when missing."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip(
            "npm/node not installed: the Node.js client checks (oauth4webapi, standardwebhooks) did not run"
        )
    if all((INTEROP / "node_modules" / name / "package.json").exists() for name in PACKAGES):
        return
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=INTEROP,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"npm ci in {INTEROP} failed:\n{done.stderr}"


async def run_node(script: str, *args: str, stdin: bytes | None = None) -> Any:
    """Run one of the scripts here with node; returns the JSON it prints."""
    proc = await asyncio.create_subprocess_exec(
        "node",
        str(INTEROP / script),
        *args,
        cwd=INTEROP,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(stdin), timeout=60)
    assert proc.returncode == 0, f"node {script} failed ({proc.returncode}):\n{err.decode()}"
    return json.loads(out)
