"""Helpers shared by the benchmarks: starting servers as real processes, a load generator (wrk when it is
installed, else a small asyncio one), latency percentiles, a results table, and writing one marked
section of ``docs/benchmarks.md`` without touching the other benchmarks' sections.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
DOC_TITLE = "# Benchmarks\n\nFigures measured on the project's machines; each section is written by the script it names.\n"


def free_port() -> int:
    """A port nobody listens on right now (other suites run in parallel: never use fixed ports)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, host: str = "127.0.0.1", timeout_s: float = 20.0) -> None:
    """Block until something accepts connections on the port."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout_s}s")


@contextlib.contextmanager
def process(
    args: Sequence[str], *, port: int, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process until the block ends; waits until it listens on ``port``. ``cwd`` is where
    ``python -m`` finds the code (another checkout runs that checkout's code)."""
    proc = subprocess.Popen(list(args), cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def export_revision(rev: str, into: Path) -> Path:
    """The tree of git revision ``rev`` (``git archive``) unpacked into ``into``, to run an older version of
    the code beside the current one (``python -m`` with ``cwd=into``; it runs with this venv's packages)."""
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def migrate_revision(code: Path, app: str, database_url: str) -> None:
    """Build ``app``'s schema on ``database_url`` with the migrations of the tree at ``code`` (an
    :func:`export_revision`), so an older revision runs on the schema it was written for."""
    env = {**os.environ, f"{app.upper()}_DATABASE_URL": database_url}
    cmd = [sys.executable, "-m", "alembic", "-c", "alembic.ini", "--name", app, "upgrade", "head"]
    subprocess.run(cmd, cwd=code, env=env, check=True, capture_output=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process and its live children (``asn serve --workers N``: the workers) have used
    so far (from /proc)."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0.0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # gone meanwhile
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _busy_share(window_s: float) -> float:
    """The share of the machine's CPUs busy over the next ``window_s`` seconds (/proc/stat)."""

    def times() -> tuple[int, int]:
        fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields) - fields[3] - fields[4], sum(fields)  # busy (all but idle and iowait), total

    busy0, total0 = times()
    time.sleep(window_s)
    busy1, total1 = times()
    return (busy1 - busy0) / max(1, total1 - total0)


def settle(app_url: str, within_s: float = 0.05, timeout_s: float = 60.0, max_busy: float = 0.3) -> float:
    """Wait until the app at ``app_url`` (any of its URLs; its ``/healthz``, which the shedder never refuses,
    is probed) answers within ``within_s`` and the machine is idle (under ``max_busy`` of its CPUs over
    0.1 s; for at most 10 s): the app has worked off the last run's backlog. Returns the seconds waited.

    wrk stops with a request in flight on every connection, and the app goes on answering them after it has
    gone. A run started at once shares the app with that work: at 256 connections its first requests waited
    3-5 s behind it (asn_cli/eventloop.py, issue 21). The probe alone is not enough: requests that wait for
    the database (the admission gate's queue, PostgreSQL) leave the app's loop free to answer it at once, while
    the next run's connections would still find the app full (pelatihan's JP read at 256 connections: 327
    refusals after a settle on the probe alone, none after both). Call it after each load run.
    """
    parts = urlsplit(app_url)
    probe = f"{parts.scheme}://{parts.netloc}/healthz"
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        t = time.monotonic()
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(probe, timeout=5.0, trust_env=False)
            if time.monotonic() - t <= within_s:
                break
        time.sleep(0.2)
    idle_from = time.monotonic()
    while time.monotonic() - idle_from < 10.0 and _busy_share(0.1) > max_busy:
        pass
    return time.monotonic() - started


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) of already sorted values, nearest-rank; 0.0 for no values."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


@dataclass
class LoadResult:
    """One measurement: throughput and latency at a fixed number of connections."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    tool: str


def wrk_available() -> bool:
    """True when the ``wrk`` binary is on PATH."""
    return shutil.which("wrk") is not None


def load(url: str, *, connections: int, duration_s: float, tool: str = "auto") -> LoadResult:
    """Keep ``connections`` keep-alive connections busy with GETs of ``url`` for ``duration_s``."""
    if tool == "wrk" or (tool == "auto" and wrk_available()):
        result = _wrk(url, connections, duration_s)
    else:
        result = asyncio.run(_py_load(url, connections, duration_s))
    settle(url)
    return result


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _wrk(url: str, connections: int, duration_s: float) -> LoadResult:
    # One wrk thread: the machines have two cores and the servers under test need them more.
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration_s))}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> LoadResult:
    """Throughput, p50/p99 and errors from wrk's output (run with --latency)."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        errors += int(non2xx.group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        errors += sum(int(g) for g in sock.groups())
    return LoadResult(rps, p50, p99, requests, errors, "wrk")


async def _py_load(url: str, connections: int, duration_s: float) -> LoadResult:
    """A minimal keep-alive HTTP/1.1 GET loop per connection on raw asyncio sockets."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + duration_s

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
                if match:
                    await reader.readexactly(int(match.group(1)))
                else:
                    raise RuntimeError("the Python load generator only reads Content-Length bodies")
                latencies.append((time.perf_counter() - started) * 1000)
                if status >= 400:
                    errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    results = await asyncio.gather(*(worker() for _ in range(connections)), return_exceptions=True)
    elapsed = time.perf_counter() - started
    errors += sum(1 for r in results if isinstance(r, BaseException))
    latencies.sort()
    return LoadResult(
        len(latencies) / elapsed,
        percentile(latencies, 50),
        percentile(latencies, 99),
        len(latencies),
        errors,
        "python",
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (it also reads fine on a terminal)."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), sep, *(line(r) for r in cells[1:])])


def machine() -> str:
    """One line describing where the figures were measured."""
    load1, load5, _ = os.getloadavg()
    # The load average is there to judge the figures: the machines are shared with other work.
    return (
        f"{os.cpu_count()} CPU cores, Python {platform.python_version()}, {platform.system()} "
        f"{platform.release()}, load average {load1:.1f}/{load5:.1f} at the end, "
        f"measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )


def command_line() -> str:
    """The command that produced the figures, as someone would type it from the repository root."""
    module = Path(sys.argv[0]).resolve()
    try:
        rel = module.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts)
    except ValueError:
        name = sys.argv[0]
    return " ".join([".venv/bin/python -m", name, *sys.argv[1:]])


def write_section(name: str, body: str, doc: Path = DOC) -> None:
    """Replace (or append) the ``<!-- bench:name -->`` section of the benchmarks document.

    A file lock keeps two benchmarks finishing at once from losing each other's section.
    """
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    doc.parent.mkdir(parents=True, exist_ok=True)
    with open(doc, "a+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        text = fh.read() or DOC_TITLE
        if start in text and end in text:
            before, rest = text.split(start, 1)
            _, after = rest.split(end, 1)
            text = before + block + after
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        fh.seek(0)
        fh.truncate()
        fh.write(text)
