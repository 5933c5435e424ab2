"""surveys domain of publik_api."""
