"""Running the documentation: the ``curl`` blocks of README.md and docs/*.md, in order, against a demo stack.

The convention the docs follow (stated in README.md, "Examples that run"):

- a fenced ``sh``/``bash`` block that contains ``curl`` is an example; the blocks of one file run in order in
  one shell, so a variable set in one block (``TOKEN=$(curl ... | jq -r .access_token)``) is bound in the next;
- the gateway is ``http://127.0.0.1:8000`` (or ``$GW``); only that host and port, and the demo's own ports of
  the services (``make run``: kinerja 8001, pelatihan 8002, publik 8003, for the test clock), are rewritten
  to the stack's;
- the blocks run in a scratch directory (an example may write a file, ``-o report.csv``, and read it later);
- a comment right after a command that shows a JSON answer (``# {...}``, continued on ``#`` lines, optionally
  preceded by the expected status: ``# 202 {...}`` or ``# 404``) is checked: the answer must contain what is
  shown (a subset match), where ``…`` (or ``...``) stands for any value, any further members of an object or elements of a
  list, or any text inside a string;
- every other ``curl`` must answer 2xx or 3xx;
- deploy.md and the sections about backup and restore are not run (they change the machine, not the demo).
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEMO_GATEWAY = "http://127.0.0.1:8000"
SKIPPED_FILES = {"deploy.md"}
SKIPPED_SECTIONS = re.compile(r"backup|restore", re.IGNORECASE)
WILD = "…"
STATUS_MARK = "@@HTTP "


@dataclass
class Step:
    """Commands, and what the last one must answer (``expected`` JSON text and/or ``status``)."""

    code: str
    line: int
    expected: str | None = None
    status: int | None = None


@dataclass
class Block:
    """One example: its file, first line and steps."""

    path: Path
    line: int
    steps: list[Step] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def documents() -> list[Path]:
    """README.md, then docs/*.md by name, except the skipped files."""
    docs = sorted(p for p in (ROOT / "docs").glob("*.md") if p.name not in SKIPPED_FILES)
    return [ROOT / "README.md", *docs]


EXPECT = re.compile(r"^#\s?(?:(\d{3})\b[,:]?\s*)?([\[{].*)?$")


def _steps(code_lines: list[tuple[int, str]]) -> list[Step]:
    steps: list[Step] = []
    current: list[str] = []
    first = code_lines[0][0] if code_lines else 0
    i = 0
    while i < len(code_lines):
        number, text = code_lines[i]
        stripped = text.strip()
        match = EXPECT.match(stripped) if stripped.startswith("#") else None
        if match and (match.group(1) or match.group(2)) and current:
            expected = [match.group(2) or ""]
            i += 1
            while expected[0] and i < len(code_lines) and code_lines[i][1].strip().startswith("#"):
                expected.append(code_lines[i][1].strip()[1:].strip())
                i += 1
            joined = "".join(expected).strip()
            steps.append(
                Step(
                    "\n".join(current), first, joined or None, int(match.group(1)) if match.group(1) else None
                )
            )
            current = []
            first = code_lines[i][0] if i < len(code_lines) else number
            continue
        if not current:
            first = number
        current.append(text)
        i += 1
    if any(c.strip() and not c.strip().startswith("#") for c in current):
        steps.append(Step("\n".join(current), first))
    return steps


def blocks(path: Path) -> list[Block]:
    """The runnable examples of one document, in order."""
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    skipping_level: int | None = None
    fence: list[tuple[int, str]] | None = None
    fence_start = 0
    runnable = False
    for number, text in enumerate(lines, start=1):
        if fence is None:
            heading = re.match(r"^(#+)\s+(.*)", text)
            if heading:
                level = len(heading.group(1))
                if skipping_level is not None and level <= skipping_level:
                    skipping_level = None
                if skipping_level is None and SKIPPED_SECTIONS.search(heading.group(2)):
                    skipping_level = level
                continue
            opening = re.match(r"^```(\w*)\s*$", text)
            if opening:
                fence, fence_start, runnable = [], number, opening.group(1) in ("sh", "bash", "shell")
            continue
        if text.startswith("```"):
            if runnable and skipping_level is None and any("curl" in c for _, c in fence):
                found.append(Block(path, fence_start, _steps(fence)))
            fence = None
            continue
        fence.append((number, text))
    return found


# --- "…"-aware JSON: parse the shown answer into a pattern, then match it against the real one -----------


class Any_:
    """``…`` as a value: anything."""

    def __repr__(self) -> str:
        return WILD


ANY = Any_()
MORE = object()  # ``…`` as an object member or list element


def parse_pattern(text: str) -> Any:
    """Parse JSON in which ``…`` may stand for a value, a member or an element."""
    pos = 0

    def ws() -> None:
        nonlocal pos
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1

    def value() -> Any:
        nonlocal pos
        ws()
        ch = text[pos]
        if text.startswith(WILD, pos):
            pos += len(WILD)
            return ANY
        if text.startswith("...", pos):
            pos += 3
            return ANY
        if ch == "{":
            pos += 1
            obj: dict[str, Any] = {}
            while True:
                ws()
                if text[pos] == "}":
                    pos += 1
                    return obj
                if text.startswith(WILD, pos) or text.startswith("...", pos):
                    pos += len(WILD) if text.startswith(WILD, pos) else 3
                else:
                    key = value()
                    ws()
                    assert text[pos] == ":", f"':' expected at {pos} in {text!r}"
                    pos += 1
                    obj[str(key)] = value()
                ws()
                if text[pos] == ",":
                    pos += 1
        if ch == "[":
            pos += 1
            arr: list[Any] = []
            while True:
                ws()
                if text[pos] == "]":
                    pos += 1
                    return arr
                if text.startswith(WILD, pos) or text.startswith("...", pos):
                    pos += len(WILD) if text.startswith(WILD, pos) else 3
                    arr.append(MORE)
                else:
                    arr.append(value())
                ws()
                if text[pos] == ",":
                    pos += 1
        decoder = json.JSONDecoder()
        parsed, end = decoder.raw_decode(text, pos)
        pos = end
        return parsed

    result = value()
    ws()
    assert pos == len(text), f"unexpected text after the JSON: {text[pos:]!r}"
    return result


def mismatch(pattern: Any, actual: Any, where: str = "$") -> str | None:
    """Why ``actual`` does not contain ``pattern``; None when it does."""
    if pattern is ANY:
        return None
    if isinstance(pattern, dict):
        if not isinstance(actual, dict):
            return f"{where}: expected an object, got {actual!r:.200}"
        for key, sub in pattern.items():
            if key not in actual:
                return f"{where}.{key}: missing (keys: {sorted(actual)})"
            why = mismatch(sub, actual[key], f"{where}.{key}")
            if why:
                return why
        return None
    if isinstance(pattern, list):
        if not isinstance(actual, list):
            return f"{where}: expected a list, got {actual!r:.200}"
        wanted = [p for p in pattern if p is not MORE]
        if MORE not in pattern and len(wanted) != len(actual):
            return f"{where}: expected {len(wanted)} elements, got {len(actual)}"
        i = 0
        for n, sub in enumerate(wanted):
            while i < len(actual) and mismatch(sub, actual[i], f"{where}[{i}]") is not None:
                if MORE not in pattern:
                    return mismatch(sub, actual[i], f"{where}[{i}]")
                i += 1
            if i >= len(actual):
                return f"{where}: no element matches {sub!r:.200} (element {n} shown)"
            i += 1
        return None
    if isinstance(pattern, str) and WILD in pattern and isinstance(actual, str):
        regex = ".*".join(re.escape(part) for part in pattern.split(WILD))
        return None if re.fullmatch(regex, actual, re.DOTALL) else f"{where}: {actual!r} is not {pattern!r}"
    if isinstance(pattern, bool) or isinstance(actual, bool):
        return None if pattern is actual else f"{where}: expected {pattern!r}, got {actual!r}"
    if pattern != actual:
        return f"{where}: expected {pattern!r}, got {actual!r:.200}"
    return None


# --- running ----------------------------------------------------------------------------------------------


class Shell:
    """One bash per document: variables set by one block are there for the next.

    ``apps`` maps the demo's base URLs (``http://127.0.0.1:8001``, ...) to the stack's; the gateway's is
    always mapped to ``gateway``.
    """

    def __init__(self, gateway: str, home: Path, apps: dict[str, str] | None = None) -> None:
        self.gateway = gateway
        self.home = home
        self.urls = {**(apps or {}), DEMO_GATEWAY: gateway}
        home.mkdir(parents=True, exist_ok=True)
        # curl's own configuration (not a rewrite of the examples): every transfer reports its status on stderr.
        (home / ".curlrc").write_text(f'write-out = "%{{stderr}}{STATUS_MARK}%{{http_code}}\\n"\n')
        self.state = home / "state.sh"
        self.state.write_text(f"GW={gateway}\n")
        self.env = {"HOME": str(home), "CURL_HOME": str(home), "PATH": "/usr/bin:/bin:/usr/local/bin"}
        self.builtin = home / "builtin-variables"
        names = subprocess.run(
            ["bash", "-c", "compgen -v"], capture_output=True, text=True, env=self.env, check=True
        ).stdout
        self.builtin.write_text(names + "__v\n__rc\nBASH_REMATCH\nPIPESTATUS\n_\n")

    def run(self, step: Step) -> tuple[str, list[int], str]:
        """Run one step; (stdout, statuses of every curl, stderr without the status lines)."""
        # One pass, so a stack port that happens to look like a demo port is never rewritten twice.
        code = re.sub(
            r"http://127\.0\.0\.1:\d+\b", lambda m: self.urls.get(m.group(0), m.group(0)), step.code
        )
        script = (
            f"set -o pipefail\nsource {self.state}\n{code}\n__rc=$?\n"
            # Keep every variable the examples set (not bash's own) and every function, for the next block.
            f'for __v in $(compgen -v | grep -vxF -f {self.builtin}); do declare -p "$__v"; done '
            f"> {self.state}.new 2>/dev/null; declare -f >> {self.state}.new; mv {self.state}.new {self.state}\n"
            "exit $__rc\n"
        )
        proc = subprocess.run(
            ["bash", "-c", script],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.home,
            timeout=60,
            check=False,
        )
        statuses = [int(s) for s in re.findall(rf"{STATUS_MARK}(\d+)", proc.stderr)]
        errors = "\n".join(line for line in proc.stderr.splitlines() if STATUS_MARK not in line)
        if proc.returncode != 0:
            errors += f"\n(exit status {proc.returncode})"
        return proc.stdout, statuses, errors.strip()


def _json(out: str) -> Any:
    """The step's answer: all of stdout, else its last line (earlier commands may print too)."""
    text = out.strip()
    decoder = json.JSONDecoder()
    for start, ch in enumerate(text):  # the earliest JSON value that runs to the end: the last answer
        if ch in "{[":
            try:
                value, end = decoder.raw_decode(text, start)
            except ValueError:
                continue
            if end == len(text):
                return value
    return None


def check(shell: Shell, block: Block) -> list[str]:
    """Run a block's steps; the problems found (empty when the example works as shown)."""
    problems: list[str] = []
    for step in block.steps:
        where = f"{block.path.relative_to(ROOT)}:{step.line}"
        out, statuses, errors = shell.run(step)
        if errors:
            problems.append(f"{where}: the shell reported: {errors[:500]}")
        if not statuses:
            if "curl" in step.code:
                problems.append(f"{where}: no request was made")
            continue
        plain = statuses[:-1] if step.status is not None else statuses
        bad = [s for s in plain if not 200 <= s < 400]
        if bad:
            problems.append(f"{where}: answered {bad} (output: {out[-400:]!r})")
        if step.status is not None and statuses[-1] != step.status:
            problems.append(f"{where}: expected status {step.status}, got {statuses[-1]} ({out[-400:]!r})")
        if step.expected:
            pattern = parse_pattern(step.expected)
            actual = _json(out)
            if actual is None:
                problems.append(f"{where}: the answer is not JSON: {out[-400:]!r}")
                continue
            why = mismatch(pattern, actual)
            if why:
                problems.append(f"{where}: {why}")
    return problems
