"""snapshots domain of publik_api."""
