"""The gateway's CPU per forwarded GET, old code against new, measured deterministically enough to compare.

``bench.gateway`` measures throughput with a load generator sharing two cores with everything else, so a
3-5 % change in the gateway's own cost drowns in the noise. This benchmark measures what issue 14 asks to
hold: the work the gateway process does per forwarded request. In one run it starts the tiny upstream of
``bench.gateway``, this tree's ``fastclient`` gateway (the real ``EdgeMiddleware`` and ``ProxyMiddleware``)
and the same gateway from an older revision (``git archive``), then, round by round and alternating
between the two, sends ``--requests`` GETs on one keep-alive connection to each and reads the gateway
process's cost for exactly those requests, in the first of these that the machine allows:

- ``perf``: **instructions** retired (``perf stat -e instructions -p PID``), when the kernel lets perf
  count them;
- ``callgrind``: **instructions** executed, counted by valgrind's callgrind (both gateways run under it;
  the counters are zeroed before and dumped after each round with ``callgrind_control``). Independent of
  the other load on the machine; the gateway runs about 50 times slower, so rounds are smaller;
- ``cpu``: **CPU time** from ``/proc/PID/task/*/schedstat`` (nanoseconds on a CPU, every thread), which
  the machine's other load still moves (caches, frequency, wake-ups): many rounds, paired ratios.

Reported: per gateway the median of the rounds, and the median of the per-round new/old ratios (each
round's two measurements are taken back to back, so load that comes and goes cancels out). Results go
to the terminal and to the ``gateway-cpu`` section of docs/benchmarks.md.

    .venv/bin/python -m bench.gateway_instructions --compare d9c2264                  # best available
    .venv/bin/python -m bench.gateway_instructions --compare d9c2264 --method cpu --rounds 15
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench._util import (
    ROOT,
    command_line,
    export_revision,
    free_port,
    machine,
    process,
    table,
    wait_for_port,
    write_section,
)
from bench.gateway import PATH, _server

_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


def task_cpu_ns(pid: int) -> int:
    """Nanoseconds every thread of ``pid`` has run on a CPU so far (``/proc/PID/task/*/schedstat``)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            total += int((task / "schedstat").read_text().split()[0])
    return total


class Client:
    """One keep-alive connection sending GETs one after another (blocking, no asyncio: cheap and simple)."""

    def __init__(self, port: int, path: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
        self.buffer = b""

    def get(self) -> int:
        """Send one GET, read its whole answer; returns the status."""
        self.sock.sendall(self.request)
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        match = _LENGTH.search(head)
        if match is None:
            raise RuntimeError("the benchmark reads Content-Length answers only")
        length = int(match.group(1))
        while len(rest) < length:
            rest += self._recv()
        self.buffer = rest[length:]
        return int(head.split(b" ", 2)[1])

    def _fill(self) -> None:
        self.buffer += self._recv()

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the gateway closed the connection")
        return data

    def close(self) -> None:
        self.sock.close()


def perf_counts_instructions(pid: int) -> bool:
    """True when ``perf stat -e instructions`` can count the process (containers often cannot)."""
    if shutil.which("perf") is None:
        return False
    try:
        out = subprocess.run(
            ["perf", "stat", "-x,", "-e", "instructions", "-p", str(pid), "--", "sleep", "0.1"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stderr
    except (OSError, subprocess.TimeoutExpired):
        return False
    last = out.strip().splitlines()[-1:] or [""]
    return last[0].split(",")[0].strip().isdigit()


class Gateway:
    """One gateway process under measurement, and how its cost is read."""

    def __init__(self, name: str, proc: subprocess.Popen[bytes], port: int, method: str, out: Path) -> None:
        self.name, self.proc, self.port, self.method, self.out = name, proc, port, method, out
        self.dumps = 0

    def _callgrind(self, command: str) -> None:
        subprocess.run(["callgrind_control", command, str(self.proc.pid)], check=True, capture_output=True)

    def begin(self) -> float:
        if self.method == "callgrind":
            self._callgrind("-z")
            return 0.0
        return float(task_cpu_ns(self.proc.pid))

    def end(self, started: float) -> float:
        if self.method == "callgrind":
            self._callgrind("-d")
            self.dumps += 1
            dump = Path(f"{self.out}.{self.dumps}")
            deadline = time.monotonic() + 60
            while not (dump.exists() and "totals:" in dump.read_text()):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no callgrind dump {dump}")
                time.sleep(0.2)
            summary = re.search(r"^summary:\s+(\d+)", dump.read_text(), re.M)
            assert summary is not None
            return float(summary.group(1))
        return task_cpu_ns(self.proc.pid) - started


def measure(gateway: Gateway, requests: int) -> float:
    """The gateway's cost per request over ``requests`` GETs on a fresh connection (instructions or CPU
    nanoseconds). A fresh connection per round: an idle one was closed by the server's keep-alive timeout."""
    client = Client(gateway.port, f"/kinerja{PATH}")
    try:
        for _ in range(20):
            client.get()
        if gateway.method == "perf":
            perf = subprocess.Popen(
                ["perf", "stat", "-x,", "-e", "instructions", "-p", str(gateway.proc.pid)],
                stderr=subprocess.PIPE,
                text=True,
            )
            time.sleep(0.3)  # perf attaches
            for _ in range(requests):
                client.get()
            perf.send_signal(signal.SIGINT)
            _, err = perf.communicate(timeout=10)
            return int(err.strip().splitlines()[-1].split(",")[0]) / requests
        started = gateway.begin()
        bad = sum(1 for _ in range(requests) if client.get() != 200)
        spent = gateway.end(started)
    finally:
        client.close()
    if bad:
        raise RuntimeError(f"{bad} answers were not 200")
    return spent / requests


def pick_method(requested: str) -> str:
    if requested != "auto":
        return requested
    if perf_counts_instructions(os.getpid()):
        return "perf"
    return "callgrind" if shutil.which("valgrind") and shutil.which("callgrind_control") else "cpu"


UNITS = {"perf": "instructions/req", "callgrind": "instructions/req", "cpu": "CPU µs/req"}


def run(
    rev: str, tree: Path, requests: int, rounds: int, warmup: int, method: str, scratch: Path
) -> dict[str, list[float]]:
    """Alternate the two gateways round by round; returns each one's per-round costs."""
    samples: dict[str, list[float]] = {}
    with contextlib.ExitStack() as stack:
        up_port = free_port()
        upstream = f"http://127.0.0.1:{up_port}"
        stack.enter_context(process(_server("upstream", up_port), port=up_port))
        gateways: list[Gateway] = []
        for name, cwd in (("new", ROOT), (f"old ({rev})", tree)):
            port = free_port()
            out = scratch / f"callgrind-{len(gateways)}.out"
            args = _server("fastclient", port, upstream)
            if method == "callgrind":
                # Collection starts at the first zeroing; PYTHONHASHSEED keeps both runs' dicts alike.
                args = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *args]
            proc = subprocess.Popen(
                args,
                cwd=cwd,
                env={**os.environ, "PYTHONHASHSEED": "0"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            stack.callback(_stop, proc)
            gateways.append(Gateway(name, proc, port, method, out))
        for gateway in gateways:
            wait_for_port(gateway.port, timeout_s=600 if method == "callgrind" else 20)
            client = Client(gateway.port, f"/kinerja{PATH}")
            for _ in range(warmup):
                client.get()
            client.close()
        for round_no in range(1, rounds + 1):
            # Alternate who goes first, so a slow drift in the machine's load favours neither.
            for gateway in gateways if round_no % 2 else reversed(gateways):
                cost = measure(gateway, requests)
                if method == "cpu":
                    cost /= 1000  # ns -> µs
                samples.setdefault(gateway.name, []).append(cost)
                print(f"round {round_no:>2} {gateway.name:>16}  {cost:12.2f} {UNITS[method]}", flush=True)
    return samples


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def render(unit: str, samples: dict[str, list[float]]) -> str:
    """Medians per gateway, the ratio of medians and the median of the per-round ratios."""
    names = list(samples)
    new, old = samples[names[0]], samples[names[1]]
    paired = statistics.median(n / o for n, o in zip(new, old, strict=True))
    old_median = statistics.median(old)
    rows = []
    for name in names:
        values = samples[name]
        med = statistics.median(values)
        rows.append(
            (
                name,
                f"{med:,.2f}",
                f"{min(values):,.2f}",
                f"{max(values):,.2f}",
                f"{med / old_median:.3f}",
                f"{paired:.3f}" if values is new else "1.000",
                len(values),
            )
        )
    return table(
        ("gateway", f"median {unit}", "min", "max", "ratio of medians", "median per-round ratio", "rounds"),
        rows,
    )


METHOD_TEXT = {
    "perf": "instructions retired by the gateway process (`perf stat -e instructions -p PID`)",
    "callgrind": "instructions executed by the gateway process, counted by valgrind's callgrind (both "
    "gateways run under it; `callgrind_control -z` before and `-d` after each round; `perf` cannot count "
    "instructions in this container). Callgrind counts user space only (the kernel's side of each send and "
    "receive is not in it), and background work (health checks every 2 s) is spread over however many "
    "requests a slowed-down gateway serves meanwhile: absolute counts move a few % between runs, the ratio "
    "within a run much less",
    "cpu": "CPU time of the gateway process (`/proc/PID/task/*/schedstat`)",
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--compare", metavar="REV", required=True, help="the older revision to run alongside")
    parser.add_argument("--method", choices=("auto", "perf", "callgrind", "cpu"), default="auto")
    parser.add_argument(
        "--requests", type=int, help="GETs per gateway per round (default: 20,000; 2,000 under callgrind)"
    )
    parser.add_argument("--rounds", type=int, help="alternating rounds (default: 9; 3 under callgrind)")
    parser.add_argument("--warmup", type=int, default=1_000, help="GETs per gateway before the first round")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)
    method = pick_method(args.method)
    slow = method == "callgrind"
    requests = args.requests or (2_000 if slow else 20_000)
    rounds = args.rounds or (3 if slow else 9)
    with tempfile.TemporaryDirectory(prefix="asn-bench-gwcpu-") as scratch:
        (Path(scratch) / "tree").mkdir()
        tree = export_revision(args.compare, Path(scratch) / "tree")
        samples = run(args.compare, tree, requests, rounds, args.warmup, method, Path(scratch))
    text = render(UNITS[method], samples)
    print()
    print(text)
    if not args.no_write:
        write_section(
            "gateway-cpu",
            f"## Gateway CPU per forwarded GET, old against new\n\n"
            f"Command: `{command_line()}`. Each round sends {requests:,} GETs of `/kinerja{PATH}` on one "
            f"keep-alive connection to each gateway in turn (the order alternates) and reads the "
            f"{METHOD_TEXT[method]} for exactly those requests; {rounds} rounds after {args.warmup:,} warm-up "
            f"GETs. Both gateways are `bench.gateway`'s `fastclient` variant (the real `EdgeMiddleware` and "
            f"`ProxyMiddleware`, one uvicorn worker each, same venv), the old one from `git archive "
            f"{args.compare}`.\n"
            f"Machine: {machine()} (shared with other work: other helpers were running tests and "
            f"benchmarks).\n\n{text}",
        )


if __name__ == "__main__":
    main()
