"""ingest domain of publik_api."""
