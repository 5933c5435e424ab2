"""cache domain of publik_api."""
