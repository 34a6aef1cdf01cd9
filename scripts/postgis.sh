#!/usr/bin/env bash
# A private PostgreSQL + PostGIS cluster on loopback, for the tests and benchmarks of the PostGIS store.
#
#   scripts/postgis.sh [start]   install if missing, create the cluster if missing, start it, create the
#                                role and database; prints the URL to use (and nothing else on stdout)
#   scripts/postgis.sh stop      stop the cluster (data is kept)
#   scripts/postgis.sh url       print the URL
#   scripts/postgis.sh app-url   print the URL of the app's role (no ownership, no DDL, no DELETE/TRUNCATE)
#
# Two roles: the owner ($ROLE) creates and migrates stores (`xzsdg init`, `xzsdg migrate`); the app
# role ($APP_ROLE) only reads, inserts and updates rows, so a leaked app password cannot drop or
# disable the triggers that keep history, nor delete audit rows. Default privileges give the app role
# those grants on every schema, table and sequence the owner makes (the tests' schema per test too).
#
# Idempotent: each step checks before it acts. The tests make a schema per test in the database; the
# role may also create databases, and each new one has PostGIS (installed in template1), so
# `xzsdg init --store postgresql://.../<new database>` works without superuser rights.
# Override with XZSDG_PG_PORT (default 55432) and XZSDG_PG_CLUSTER (default xzsdg).
set -euo pipefail

PG_VERSION=15
CLUSTER=${XZSDG_PG_CLUSTER:-xzsdg}
PORT=${XZSDG_PG_PORT:-55432}
ROLE=xzsdg_test
DATABASE=xzsdg_test
PASSWORD=xzsdg_test
URL="postgresql://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE"
APP_ROLE=xzsdg_app
APP_PASSWORD=xzsdg_app
APP_URL="postgresql://$APP_ROLE:$APP_PASSWORD@127.0.0.1:$PORT/$DATABASE"
PACKAGES=(postgresql "postgresql-$PG_VERSION-postgis-3")

say() { echo "postgis.sh: $*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"
  elif [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
  else sudo -u postgres "$@"; fi
}

install_packages() {
  local missing=()
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  say "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

cluster_status() {  # prints online / down / absent
  pg_lsclusters --no-header 2>/dev/null | awk -v v="$PG_VERSION" -v c="$CLUSTER" \
    '$1 == v && $2 == c { print $4; found = 1 } END { if (!found) print "absent" }'
}

create_cluster() {
  [ "$(cluster_status)" != absent ] && return
  say "creating cluster $PG_VERSION/$CLUSTER on localhost:$PORT"  # listen_addresses defaults to localhost
  as_root pg_createcluster "$PG_VERSION" "$CLUSTER" --port "$PORT" --start-conf manual \
    -o max_connections=200 >&2
}

start_cluster() {
  [ "$(cluster_status)" = online ] && return
  say "starting cluster $PG_VERSION/$CLUSTER"
  as_root pg_ctlcluster "$PG_VERSION" "$CLUSTER" start >&2
}

psql_admin() {  # psql as the postgres superuser on our cluster, stopping at the first error
  as_postgres env PGOPTIONS="-c client_min_messages=warning" \
    psql --quiet --no-psqlrc -v ON_ERROR_STOP=1 -p "$PORT" "$@" >&2
}

create_database() {
  psql_admin -d template1 -c "CREATE EXTENSION IF NOT EXISTS postgis"
  psql_admin -d postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $DATABASE OWNER $ROLE'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DATABASE') \gexec
SQL
  psql_admin -d "$DATABASE" -c "CREATE EXTENSION IF NOT EXISTS postgis"
}

create_app_role() {  # rows only: SELECT, INSERT, UPDATE; no DELETE, TRUNCATE, ownership or DDL
  psql_admin -d "$DATABASE" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$APP_ROLE') THEN
    CREATE ROLE $APP_ROLE LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD '$APP_PASSWORD';
  END IF;
END \$\$;
GRANT CONNECT ON DATABASE $DATABASE TO $APP_ROLE;
GRANT USAGE ON SCHEMA public TO $APP_ROLE;
ALTER DEFAULT PRIVILEGES FOR ROLE $ROLE GRANT USAGE ON SCHEMAS TO $APP_ROLE;
ALTER DEFAULT PRIVILEGES FOR ROLE $ROLE GRANT SELECT, INSERT, UPDATE ON TABLES TO $APP_ROLE;
ALTER DEFAULT PRIVILEGES FOR ROLE $ROLE GRANT USAGE, SELECT ON SEQUENCES TO $APP_ROLE;
SQL
}

case "${1:-start}" in
  start)
    install_packages
    create_cluster
    start_cluster
    create_database
    create_app_role
    echo "$URL"
    ;;
  stop)
    if [ "$(cluster_status)" = online ]; then
      as_root pg_ctlcluster "$PG_VERSION" "$CLUSTER" stop >&2
      say "stopped cluster $PG_VERSION/$CLUSTER"
    fi
    ;;
  url)
    echo "$URL"
    ;;
  app-url)
    echo "$APP_URL"
    ;;
  *)
    say "usage: $0 [start|stop|url|app-url]"
    exit 2
    ;;
esac
