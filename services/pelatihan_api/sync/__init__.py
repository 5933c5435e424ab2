"""Incremental sync for integrators: the change log of sessions, enrolments and completions."""
