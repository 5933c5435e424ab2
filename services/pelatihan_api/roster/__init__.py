"""pelatihan_api: roster."""
