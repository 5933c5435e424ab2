"""Helpers shared by more than one test directory (and by bench/): a PostgreSQL database built by the
migrations, tokens, in-process apps (``fixtures``), the four apps as real processes (``stack``), a seeded
stack (``seeded``), audit-chain checks, Node.js interop clients. Nothing here is collected as a test; the
runtime packages never import it."""
