-- Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d), as the
-- superuser, against POSTGRES_DB. Two login roles per app: the owner (`kinerja`), which owns the app's schema,
-- has no rights on any other schema and runs the migrations; and the runtime role (`kinerja_runtime`), which
-- the app serves as. `asn migrate kinerja` (as the owner, with KINERJA_RUNTIME_ROLE=kinerja_runtime) grants
-- the runtime role its rights inside the schema after every migration: read and write the app's tables, only
-- INSERT and SELECT on the audit tables, no DDL (issue 14 finding 3; asn_cli/runtime_roles.py). Passwords
-- come from the postgres container's environment (psql 15+ \getenv), so no secret is written in this file.
\set ON_ERROR_STOP on

\getenv kinerja_password KINERJA_DB_PASSWORD
\getenv pelatihan_password PELATIHAN_DB_PASSWORD
\getenv publik_password PUBLIK_DB_PASSWORD
\getenv gateway_password GATEWAY_DB_PASSWORD
\getenv kinerja_runtime_password KINERJA_RUNTIME_DB_PASSWORD
\getenv pelatihan_runtime_password PELATIHAN_RUNTIME_DB_PASSWORD
\getenv publik_runtime_password PUBLIK_RUNTIME_DB_PASSWORD
\getenv gateway_runtime_password GATEWAY_RUNTIME_DB_PASSWORD

SELECT current_database() AS dbname \gset

-- Nobody but the app roles (and the superuser) may connect, and nobody may create objects in public.
REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;

CREATE ROLE kinerja LOGIN PASSWORD :'kinerja_password';
CREATE ROLE pelatihan LOGIN PASSWORD :'pelatihan_password';
CREATE ROLE publik LOGIN PASSWORD :'publik_password';
CREATE ROLE gateway LOGIN PASSWORD :'gateway_password';
CREATE ROLE kinerja_runtime LOGIN PASSWORD :'kinerja_runtime_password';
CREATE ROLE pelatihan_runtime LOGIN PASSWORD :'pelatihan_runtime_password';
CREATE ROLE publik_runtime LOGIN PASSWORD :'publik_runtime_password';
CREATE ROLE gateway_runtime LOGIN PASSWORD :'gateway_runtime_password';

GRANT CONNECT ON DATABASE :"dbname" TO kinerja;
GRANT CONNECT ON DATABASE :"dbname" TO pelatihan;
GRANT CONNECT ON DATABASE :"dbname" TO publik;
GRANT CONNECT ON DATABASE :"dbname" TO gateway;
GRANT CONNECT ON DATABASE :"dbname" TO kinerja_runtime;
GRANT CONNECT ON DATABASE :"dbname" TO pelatihan_runtime;
GRANT CONNECT ON DATABASE :"dbname" TO publik_runtime;
GRANT CONNECT ON DATABASE :"dbname" TO gateway_runtime;

-- Owning its schema gives an app every right inside it (tables, the alembic_version table, sequences)
-- and none outside it.
CREATE SCHEMA kinerja AUTHORIZATION kinerja;
CREATE SCHEMA pelatihan AUTHORIZATION pelatihan;
CREATE SCHEMA publik AUTHORIZATION publik;
CREATE SCHEMA gateway AUTHORIZATION gateway;

-- Each role finds its own tables first.
ALTER ROLE kinerja SET search_path = kinerja;
ALTER ROLE pelatihan SET search_path = pelatihan;
ALTER ROLE publik SET search_path = publik;
ALTER ROLE gateway SET search_path = gateway;
ALTER ROLE kinerja_runtime SET search_path = kinerja;
ALTER ROLE pelatihan_runtime SET search_path = pelatihan;
ALTER ROLE publik_runtime SET search_path = publik;
ALTER ROLE gateway_runtime SET search_path = gateway;
