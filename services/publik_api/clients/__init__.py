"""clients domain of publik_api."""
