"""Append-only, hash-chained audit log of every change to an SKP, evaluation or employee."""
