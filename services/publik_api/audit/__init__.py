"""Append-only, hash-chained audit log of every change publik records (read side: GET /v1/audit)."""
