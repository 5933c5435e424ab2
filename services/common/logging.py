"""JSON logs, one object per line, each carrying the request id of the request that wrote it."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from services.common.request_id import current_request_id

# A background call to another app (an outbox delivery, the revocation list, an audit head) fails once or
# twice while that app is still starting or restarting: routine, logged at INFO. Failures that persist are
# what an operator must see.
WARN_AFTER_FAILURES = 3

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object; extra fields are kept, secrets are never passed in."""

    def __init__(self, app_name: str) -> None:
        super().__init__()
        self.app_name = app_name

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "app": self.app_name,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": current_request_id(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


def configure_logging(app_name: str, level: str = "INFO", *, json_logs: bool = True) -> None:
    """Route the root logger (and uvicorn's) to stderr in JSON."""
    handler = logging.StreamHandler(sys.stderr)
    if json_logs:
        handler.setFormatter(JsonFormatter(app_name))
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {app_name} %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = True
    # Our EdgeMiddleware writes the access line (with the request id); uvicorn's would duplicate it, and
    # httpx's per-request INFO lines would repeat what the callee logs.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))


def failure_level(failures: int, warn_after: int = WARN_AFTER_FAILURES) -> int:
    """The level to log the ``failures``-th consecutive failure of a background call at: INFO before the
    ``warn_after``-th, WARNING from it on (``warn_after`` 1 warns at once)."""
    return logging.WARNING if failures >= warn_after else logging.INFO
