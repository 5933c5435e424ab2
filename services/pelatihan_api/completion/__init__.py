"""pelatihan_api: completion."""
