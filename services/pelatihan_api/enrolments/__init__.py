"""pelatihan_api: enrolments."""
