"""pelatihan_api: recommendations."""
