"""pelatihan_api: sessions."""
