"""embed domain of publik_api."""
