"""Tiny shared kernel: settings, database, auth, errors, middleware, logging, HTTP clients, outbox.

Nothing in here knows about a domain; every service and the gateway import it.
"""
