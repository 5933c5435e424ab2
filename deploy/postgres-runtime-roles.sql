-- The runtime roles (issue 14 finding 3): per app, the role its replicas serve with, beside the role that
-- owns the schema and runs the migrations (deploy/postgres-init.sql). The runtime role reads and writes the
-- app's tables but may only INSERT and SELECT its audit chain: no UPDATE, DELETE or TRUNCATE, and no DDL
-- (so it cannot drop the append-only trigger either). Run as the superuser AFTER the migrations, and again
-- after any migration that adds tables the default privileges below did not cover:
--   KINERJA_RUNTIME_DB_PASSWORD=... psql -v ON_ERROR_STOP=1 -d "$DB" -f deploy/postgres-runtime-roles.sql
-- Not yet wired: docker-compose.yml, deploy/k8s and `asn run` still start the apps as the owner role
-- (docs/security.md "Append-only audit chains" says what is left).
\set ON_ERROR_STOP on

\getenv kinerja_password KINERJA_RUNTIME_DB_PASSWORD
\getenv pelatihan_password PELATIHAN_RUNTIME_DB_PASSWORD
\getenv publik_password PUBLIK_RUNTIME_DB_PASSWORD
\getenv gateway_password GATEWAY_RUNTIME_DB_PASSWORD

SELECT current_database() AS dbname \gset

CREATE ROLE kinerja_runtime LOGIN PASSWORD :'kinerja_password';
CREATE ROLE pelatihan_runtime LOGIN PASSWORD :'pelatihan_password';
CREATE ROLE publik_runtime LOGIN PASSWORD :'publik_password';
CREATE ROLE gateway_runtime LOGIN PASSWORD :'gateway_password';

-- One block per app; identical but for the names.
GRANT CONNECT ON DATABASE :"dbname" TO kinerja_runtime;
GRANT USAGE ON SCHEMA kinerja TO kinerja_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA kinerja TO kinerja_runtime;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA kinerja TO kinerja_runtime;
ALTER DEFAULT PRIVILEGES FOR ROLE kinerja IN SCHEMA kinerja GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO kinerja_runtime;
ALTER DEFAULT PRIVILEGES FOR ROLE kinerja IN SCHEMA kinerja GRANT USAGE, SELECT ON SEQUENCES TO kinerja_runtime;
REVOKE UPDATE, DELETE, TRUNCATE ON kinerja.audit_entry FROM kinerja_runtime;
ALTER ROLE kinerja_runtime SET search_path = kinerja;

GRANT CONNECT ON DATABASE :"dbname" TO pelatihan_runtime;
GRANT USAGE ON SCHEMA pelatihan TO pelatihan_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pelatihan TO pelatihan_runtime;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA pelatihan TO pelatihan_runtime;
ALTER DEFAULT PRIVILEGES FOR ROLE pelatihan IN SCHEMA pelatihan GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO pelatihan_runtime;
ALTER DEFAULT PRIVILEGES FOR ROLE pelatihan IN SCHEMA pelatihan GRANT USAGE, SELECT ON SEQUENCES TO pelatihan_runtime;
REVOKE UPDATE, DELETE, TRUNCATE ON pelatihan.audit_entry FROM pelatihan_runtime;
ALTER ROLE pelatihan_runtime SET search_path = pelatihan;

GRANT CONNECT ON DATABASE :"dbname" TO publik_runtime;
GRANT USAGE ON SCHEMA publik TO publik_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA publik TO publik_runtime;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA publik TO publik_runtime;
ALTER DEFAULT PRIVILEGES FOR ROLE publik IN SCHEMA publik GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO publik_runtime;
ALTER DEFAULT PRIVILEGES FOR ROLE publik IN SCHEMA publik GRANT USAGE, SELECT ON SEQUENCES TO publik_runtime;
REVOKE UPDATE, DELETE, TRUNCATE ON publik.audit_entry FROM publik_runtime;
ALTER ROLE publik_runtime SET search_path = publik;

GRANT CONNECT ON DATABASE :"dbname" TO gateway_runtime;
GRANT USAGE ON SCHEMA gateway TO gateway_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA gateway TO gateway_runtime;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA gateway TO gateway_runtime;
ALTER DEFAULT PRIVILEGES FOR ROLE gateway IN SCHEMA gateway GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO gateway_runtime;
ALTER DEFAULT PRIVILEGES FOR ROLE gateway IN SCHEMA gateway GRANT USAGE, SELECT ON SEQUENCES TO gateway_runtime;
REVOKE UPDATE, DELETE, TRUNCATE ON gateway.audit_entry FROM gateway_runtime;
ALTER ROLE gateway_runtime SET search_path = gateway;
