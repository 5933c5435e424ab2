"""feed domain of publik_api."""
