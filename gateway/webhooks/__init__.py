"""Webhooks: integrators' endpoints, signed deliveries through the gateway's outbox, and the events
the services send to ``/internal/v1/events``."""
