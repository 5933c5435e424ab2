"""How the suite is split: the directories whose tests start the whole stack as real processes."""

from __future__ import annotations

# Directories whose every test needs the apps running as real processes (`make test-fast` leaves them out).
STACK_DIRS = frozenset({"e2e", "security", "drills", "fuzz", "browser"})


def suite_directory(nodeid: str) -> str:
    """``tests/<dir>`` of a test id (``tests`` for a file directly in tests/)."""
    parts = nodeid.split("::", 1)[0].split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else parts[0]
