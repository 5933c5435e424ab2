"""pelatihan_api: institutions."""
