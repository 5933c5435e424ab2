"""The gateway's reports: ``GET /reports`` (the catalogue of every service's reports, built from the merged
OpenAPI) and ``GET /reports/unit-scorecard`` (one unit's figures composed from the three services over
HTTP)."""
