"""pelatihan_api: the yearly development plan per unit."""
