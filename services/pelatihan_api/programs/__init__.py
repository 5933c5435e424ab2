"""pelatihan_api: programs."""
