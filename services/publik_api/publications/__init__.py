"""publications domain of publik_api."""
