"""pelatihan_api: ledger."""
