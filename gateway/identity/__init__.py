"""Identity: accounts, API clients, token issuing and the JWKS."""
