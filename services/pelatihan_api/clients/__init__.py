"""pelatihan_api: clients."""
