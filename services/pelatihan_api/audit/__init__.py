"""Append-only, hash-chained audit log of every change pelatihan records (read side: GET /v1/audit)."""
