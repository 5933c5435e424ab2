"""pelatihan_api: certificates."""
