#!/bin/sh
# The database roles of README "Database roles", for the postgres image of docker-compose.yml:
# mounted into /docker-entrypoint-initdb.d, it runs once, when the data volume is first created.
# crm_owner owns the database and runs the migrations; crm_app is what the service connects as.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner_password="$CRM_OWNER_DB_PASSWORD" -v app_password="$CRM_APP_DB_PASSWORD" <<'SQL'
CREATE ROLE crm_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE crm_app LOGIN PASSWORD :'app_password';
CREATE DATABASE crm OWNER crm_owner;
\connect crm
ALTER SCHEMA public OWNER TO crm_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
