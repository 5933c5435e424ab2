"""The ``asn`` command: migrate, seed, create accounts, serve the apps, and run everything locally."""
