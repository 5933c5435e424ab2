"""The gateway: the single public entry point (routing, identity, CORS, rate limits, merged OpenAPI)."""
