"""innovations domain of publik_api."""
