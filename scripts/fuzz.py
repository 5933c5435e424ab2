"""The longer schemathesis run (``make fuzz``): the four apps as real processes on a freshly seeded database,
the gateway's merged OpenAPI, every role and no token; reports operations covered, cases tried and failures,
and rewrites the fuzz section of docs/reliability.md.

    python scripts/fuzz.py                       # ~10 min: 30 examples per operation and mode for admin
    python scripts/fuzz.py --examples 60 --budget 1800
    python scripts/fuzz.py --no-write            # print only

The database server is ASN_TEST_DATABASE_URL, else 127.0.0.1:5432 when it answers, else an embedded
PostgreSQL (the same rule as the tests). Exit status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from tests.fuzz.runner import FuzzReport, run_fuzz  # noqa: E402
from tests.fuzz.test_schemathesis import CALLERS, known_path_values  # noqa: E402
from tests.support.fixtures import postgres_server  # noqa: E402
from tests.support.seeded import seeded_stack  # noqa: E402

DOC = ROOT / "docs" / "reliability.md"
START, END = "<!-- fuzz:start -->", "<!-- fuzz:end -->"


def render(report: FuzzReport, args: argparse.Namespace, started: datetime) -> str:
    distinct = report.distinct_failures()
    lines = [
        START,
        f"Run of {started:%Y-%m-%d %H:%M} UTC on {platform.machine()} ({platform.python_version()}), "
        f"`python scripts/fuzz.py --examples {args.examples} --budget {args.budget:g}`: "
        f"{args.examples} examples per operation and generation mode (positive, negative, and positive with "
        f"real ids from the seed) for admin, {max(1, args.examples // 3)} for every other role and no token.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| operations in the merged spec | {report.operations} |",
        f"| operations fuzzed | {len(report.operations_run)} |",
        f"| cases sent | {report.cases:,} |",
        f"| cases per caller | {', '.join(f'{k} {v:,}' for k, v in sorted(report.by_caller.items()))} |",
        f"| responses by status | {', '.join(f'{k}: {v:,}' for k, v in sorted(report.statuses.items()))} |",
        f"| failures (distinct operation/check/status) | {len(report.failures)} ({len(distinct)}) |",
        f"| harness errors | {len(report.errors)} |",
        f"| time | {report.elapsed_s:.0f} s{' (budget reached)' if report.out_of_time else ''} |",
    ]
    if distinct:
        lines += ["", "Failures:", ""]
        for (op, check, status), f in sorted(distinct.items(), key=lambda kv: str(kv[0])):
            lines.append(f"- `{op}` as {f.caller}: {check} ({status}) — {f.detail.splitlines()[0][:160]}")
    lines.append(END)
    return "\n".join(lines)


def write_doc(section: str) -> None:
    text = DOC.read_text()
    if START in text and END in text:
        head, _, rest = text.partition(START)
        _, _, tail = rest.partition(END)
        DOC.write_text(head + section + tail)
    else:
        DOC.write_text(text.rstrip("\n") + "\n\n## Fuzzing (longer run)\n\n" + section + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=30, help="examples per operation and mode for admin")
    parser.add_argument("--budget", type=float, default=900.0, help="seconds before no new operation starts")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/reliability.md")
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    others = max(1, args.examples // 3)
    with postgres_server() as server, seeded_stack(server, Path(tempfile.mkdtemp(prefix="asn-fuzz-"))) as s:
        callers = {str(c or "anonymous"): s.headers(c) for c in CALLERS}
        began = time.monotonic()
        report = run_fuzz(
            s.url,
            callers,
            max_examples=args.examples,
            examples_for=lambda c: args.examples if c == "admin" else others,
            known_path_values=known_path_values(s),
            time_budget_s=args.budget,
        )
        print(f"fuzz: {report.summary()} ({time.monotonic() - began:.0f} s)")
    section = render(report, args, started)
    print(section)
    for error in report.errors[:20]:
        print("error:", error)
    if not args.no_write:
        write_doc(section)
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 1 if report.failures or report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
