"""kinerja commands of the ``asn`` CLI (import-employees)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the kinerja subcommands to the parser."""
    p: argparse.ArgumentParser = sub.add_parser("import-employees", help="import employees from a CSV file")
    p.add_argument("file")
    p.set_defaults(fn=_not_yet)


def _not_yet(args: argparse.Namespace, settings: Any) -> int:
    raise SystemExit("asn: import-employees is not available yet")
