-- Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d), as the
-- superuser, against POSTGRES_DB. One login role per app; each owns its own schema and has no rights on
-- any other schema. Passwords come from the postgres container's environment (psql 15+ \getenv), so no
-- secret is written in this file.
\set ON_ERROR_STOP on

\getenv kinerja_password KINERJA_DB_PASSWORD
\getenv pelatihan_password PELATIHAN_DB_PASSWORD
\getenv publik_password PUBLIK_DB_PASSWORD
\getenv gateway_password GATEWAY_DB_PASSWORD

SELECT current_database() AS dbname \gset

-- Nobody but the app roles (and the superuser) may connect, and nobody may create objects in public.
REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;

CREATE ROLE kinerja LOGIN PASSWORD :'kinerja_password';
CREATE ROLE pelatihan LOGIN PASSWORD :'pelatihan_password';
CREATE ROLE publik LOGIN PASSWORD :'publik_password';
CREATE ROLE gateway LOGIN PASSWORD :'gateway_password';

GRANT CONNECT ON DATABASE :"dbname" TO kinerja;
GRANT CONNECT ON DATABASE :"dbname" TO pelatihan;
GRANT CONNECT ON DATABASE :"dbname" TO publik;
GRANT CONNECT ON DATABASE :"dbname" TO gateway;

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
