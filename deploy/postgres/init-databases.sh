#!/bin/sh
# Runs once, when the PostgreSQL container initialises an empty data directory (the official
# image runs every script in /docker-entrypoint-initdb.d). Creates:
#   kotopolku   role and database; each Kotopolku service keeps its tables in its own schema
#               (intake, assessment, planning, notifications), created by `kotopolku migrate`
#   temporal    role and the databases temporal and temporal_visibility (schemas are set up by
#               the Temporal container)
# Passwords come from the environment (.env). Changing them later means ALTER ROLE by hand:
# this script does not run again on an existing data directory.
set -eu

: "${KOTOPOLKU_DB_PASSWORD:?KOTOPOLKU_DB_PASSWORD is not set}"
: "${TEMPORAL_DB_PASSWORD:?TEMPORAL_DB_PASSWORD is not set}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v kotopolku_password="$KOTOPOLKU_DB_PASSWORD" \
     -v temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE kotopolku LOGIN PASSWORD :'kotopolku_password';
CREATE DATABASE kotopolku OWNER kotopolku ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE kotopolku FROM PUBLIC;

CREATE ROLE temporal LOGIN PASSWORD :'temporal_password';
CREATE DATABASE temporal OWNER temporal ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE temporal_visibility OWNER temporal ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE temporal, temporal_visibility FROM PUBLIC;
SQL
