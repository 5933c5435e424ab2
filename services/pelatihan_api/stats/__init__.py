"""pelatihan_api: stats."""
