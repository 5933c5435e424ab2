"""Append-only, hash-chained audit log of every change the gateway records (read side: GET /audit)."""
