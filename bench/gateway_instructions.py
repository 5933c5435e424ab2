"""The gateway's CPU per forwarded GET, old code against new, measured deterministically enough to compare.

``bench.gateway`` measures throughput with a load generator sharing two cores with everything else, so a
3-5 % change in the gateway's own cost drowns in the noise. This benchmark measures what issue 14 asks to
hold: the CPU the gateway process spends per forwarded request. In one run it starts the tiny upstream of
``bench.gateway``, this tree's ``fastclient`` gateway (the real ``EdgeMiddleware`` and ``ProxyMiddleware``)
and the same gateway from an older revision (``git archive``), then, round by round and alternating
between the two, sends ``--requests`` GETs on one keep-alive connection to each and reads the gateway
process's cost for exactly those requests:

- **instructions** retired (``perf stat -e instructions -p PID``) when the kernel lets ``perf`` count
  them — nearly independent of the other load on the machine;
- else **CPU time** from ``/proc/PID/task/*/schedstat`` (nanoseconds on the CPU, every thread), which
  the other load moves less than wall-clock throughput (cache and frequency effects remain).

Medians of the rounds are reported, with the new/old ratio. Results go to the terminal and to the
``gateway-cpu`` section of docs/benchmarks.md.

    .venv/bin/python -m bench.gateway_instructions --compare d9c2264
    .venv/bin/python -m bench.gateway_instructions --compare d9c2264 --requests 5000 --rounds 3 --no-write
"""

from __future__ import annotations

import argparse
import contextlib
import re
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench._util import ROOT, command_line, free_port, machine, process, table, write_section
from bench.gateway import PATH, _server, export_revision

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
    try:
        out = subprocess.run(
            ["perf", "stat", "-x,", "-e", "instructions", "-p", str(pid), "--", "sleep", "0.1"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stderr
    except (OSError, subprocess.TimeoutExpired):
        return False
    first = out.strip().splitlines()[-1:] or [""]
    return first[0].split(",")[0].strip().isdigit()


def measure(pid: int, client: Client, requests: int, use_perf: bool) -> float:
    """The gateway's cost per request over ``requests`` GETs: instructions, or CPU nanoseconds."""
    if use_perf:
        perf = subprocess.Popen(
            ["perf", "stat", "-x,", "-e", "instructions", "-p", str(pid)],
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(0.3)  # perf attaches
        for _ in range(requests):
            client.get()
        perf.send_signal(signal.SIGINT)
        _, err = perf.communicate(timeout=10)
        count = int(err.strip().splitlines()[-1].split(",")[0])
        return count / requests
    before = task_cpu_ns(pid)
    bad = 0
    for _ in range(requests):
        if client.get() != 200:
            bad += 1
    spent = task_cpu_ns(pid) - before
    if bad:
        raise RuntimeError(f"{bad} answers were not 200")
    return spent / requests


def run(rev: str, tree: Path, requests: int, rounds: int, warmup: int) -> tuple[str, dict[str, list[float]]]:
    """Alternate the two gateways round by round; returns the unit and each one's per-round costs."""
    samples: dict[str, list[float]] = {}
    with contextlib.ExitStack() as stack:
        up_port = free_port()
        upstream = f"http://127.0.0.1:{up_port}"
        stack.enter_context(process(_server("upstream", up_port), port=up_port))
        gateways: dict[str, tuple[int, int]] = {}
        for name, cwd in (("new", ROOT), (f"old ({rev})", tree)):
            port = free_port()
            proc = stack.enter_context(process(_server("fastclient", port, upstream), port=port, cwd=cwd))
            gateways[name] = (proc.pid, port)
        use_perf = all(perf_counts_instructions(pid) for pid, _ in gateways.values())
        unit = "instructions/req" if use_perf else "CPU µs/req"
        for _, port in gateways.values():
            client = Client(port, f"/kinerja{PATH}")
            for _ in range(warmup):
                client.get()
            client.close()
        order = list(gateways)
        for round_no in range(1, rounds + 1):
            # Alternate who goes first, so a slow drift in the machine's load favours neither.
            for name in order if round_no % 2 else reversed(order):
                pid, port = gateways[name]
                # A fresh connection per round: the idle one was closed by the server's keep-alive timeout.
                client = Client(port, f"/kinerja{PATH}")
                for _ in range(50):
                    client.get()
                try:
                    cost = measure(pid, client, requests, use_perf)
                finally:
                    client.close()
                if not use_perf:
                    cost /= 1000  # ns -> µs
                samples.setdefault(name, []).append(cost)
                print(f"round {round_no:>2} {name:>16}  {cost:10.2f} {unit}", flush=True)
    return unit, samples


def render(unit: str, samples: dict[str, list[float]]) -> str:
    """Medians per gateway and the new/old ratio of medians."""
    names = list(samples)
    old = statistics.median(samples[names[1]])
    rows = []
    for name in names:
        values = samples[name]
        med = statistics.median(values)
        rows.append(
            (name, f"{med:.2f}", f"{min(values):.2f}", f"{max(values):.2f}", f"{med / old:.3f}", len(values))
        )
    return table(("gateway", f"median {unit}", "min", "max", "ratio to old", "rounds"), rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--compare", metavar="REV", required=True, help="the older revision to run alongside")
    parser.add_argument("--requests", type=int, default=20_000, help="GETs per gateway per round")
    parser.add_argument("--rounds", type=int, default=9, help="alternating rounds; medians are reported")
    parser.add_argument("--warmup", type=int, default=2_000, help="GETs per gateway before the first round")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="asn-bench-gwcpu-") as scratch:
        tree = export_revision(args.compare, Path(scratch))
        unit, samples = run(args.compare, tree, args.requests, args.rounds, args.warmup)
    text = render(unit, samples)
    print()
    print(text)
    if not args.no_write:
        source = (
            "instructions retired by the gateway process (`perf stat -e instructions -p PID`)"
            if unit.startswith("instructions")
            else "CPU time of the gateway process (`/proc/PID/task/*/schedstat`; `perf` cannot count "
            "instructions in this container)"
        )
        write_section(
            "gateway-cpu",
            f"## Gateway CPU per forwarded GET, old against new\n\n"
            f"Command: `{command_line()}`. Each round sends {args.requests:,} GETs of `/kinerja{PATH}` on one "
            f"keep-alive connection to each gateway in turn (the order alternates) and reads the {source} for "
            f"exactly those requests; medians of {args.rounds} rounds after {args.warmup:,} warm-up GETs. Both "
            f"gateways are `bench.gateway`'s `fastclient` variant (the real `EdgeMiddleware` and "
            f"`ProxyMiddleware`, one uvicorn worker each, same venv), the old one from `git archive "
            f"{args.compare}`.\n"
            f"Machine: {machine()} (shared with other work: other helpers were running tests and benchmarks).\n\n{text}",
        )


if __name__ == "__main__":
    main()
