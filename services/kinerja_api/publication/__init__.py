"""Publication through the outbox: unit aggregates to publik, development needs to pelatihan."""
