"""GET /v1/me/tasks: the caller's open work with deadlines."""
