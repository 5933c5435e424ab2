"""Alembic environments, one per app."""
