"""pelatihan_api: learning outside the province's own sessions (pembelajaran mandiri)."""
