"""`asn run` as a newcomer sees it: no warning on a clean start, the banner is the last thing printed, access
lines go to <data_dir>/logs/access.log instead of the console, and Ctrl-C stops everything with status 0."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.fixtures import free_ports

# `asn run` starts the whole stack (four apps, migrations, demo data): not part of `make test-fast`.
pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
LAST_LINE = "Press Ctrl-C to stop everything."


def _read_until(proc: subprocess.Popen[bytes], marker: str, timeout_s: float) -> list[str]:
    """Console lines (stdout and stderr merged) until one equals ``marker``."""
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not sel.select(timeout=0.5):
            if proc.poll() is not None:
                break
            continue
        raw = proc.stdout.readline()
        if not raw:
            break
        lines.append(raw.decode().rstrip("\n"))
        if lines[-1] == marker:
            return lines
    pytest.fail(f"no {marker!r} within {timeout_s} s:\n" + "\n".join(lines))


def _more_output(proc: subprocess.Popen[bytes], wait_s: float) -> bytes:
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    return proc.stdout.readline() if sel.select(timeout=wait_s) else b""


def test_clean_start_banner_last_quiet_console_and_ctrl_c_exits_zero(
    database_url: str, tmp_path: Path
) -> None:
    ports = dict(zip(("GATEWAY", "KINERJA", "PELATIHAN", "PUBLIK"), free_ports(4), strict=True))
    env = {
        **os.environ,
        "ASN_DATABASE_URL": database_url,
        "ASN_DATA_DIR": str(tmp_path),
        **{f"{name}_PORT": str(port) for name, port in ports.items()},
    }
    env.pop("ASN_SHOW_LOGS", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "asn_cli.main", "run", "--no-demo"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        bufsize=0,  # unbuffered: select() must see every line, none may sit in a reader's buffer
        start_new_session=True,  # its own process group, as a terminal's foreground job is
    )
    try:
        console = _read_until(proc, LAST_LINE, timeout_s=90)
        assert not [line for line in console if "WARNING" in line or "ejecting" in line], console
        assert (
            f"  gateway    http://127.0.0.1:{ports['GATEWAY']}   (docs: http://127.0.0.1:{ports['GATEWAY']}/docs)"
            in console
        )
        # Requests after the banner (the outbox, a client) leave the console alone: their lines go to the file.
        rid = f"console-{time.monotonic_ns()}"
        resp = httpx.get(
            f"http://127.0.0.1:{ports['GATEWAY']}/kinerja/v1/whoami",
            headers={"X-Request-ID": rid},
            timeout=10,
        )
        assert resp.status_code == 401
        assert _more_output(proc, 2.0) == b"", "the console was written to after the banner"
        access = tmp_path / "logs" / "access.log"
        deadline = time.monotonic() + 5
        while rid not in (access.read_text() if access.exists() else "") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert rid in access.read_text()
        assert (tmp_path / "logs" / "kinerja.log").exists()

        # Ctrl-C: the terminal sends SIGINT to the foreground process group.
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
