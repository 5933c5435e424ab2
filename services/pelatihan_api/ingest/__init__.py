"""pelatihan_api: ingest."""
