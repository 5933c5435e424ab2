"""The gateway's message catalogue: the details of its own problems (accounts, API clients, webhooks, the
proxy and the rate limiter) in Bahasa Indonesia, on top of the shared catalogue (services/common/messages.py).

``/auth/token`` errors are RFC 6749 documents, not problems: their ``error`` codes are machine-readable and
their ``error_description`` stays English (docs/errors.md says why), so they are not listed here.
"""

from __future__ import annotations

from services.common.messages import COMMON

MESSAGES = COMMON.extend(
    "gateway",
    [],
    {},
)
"""The gateway's catalogue (types and messages)."""
