"""The ORM models and enums that several kinerja domain packages share (employees, their assignments and
penilai delegations; evaluations and objections), below every domain package: a module here imports
services.common, services.kinerja_api.db and this package only, so the domains above it (employees,
evaluations, skp, publication, reports, ...) read these tables without importing each other.
services.kinerja_api.models is still the registry Alembic reads."""
