"""units domain of publik_api."""
