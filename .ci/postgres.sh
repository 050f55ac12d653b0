# Start and stop a throwaway PostgreSQL cluster on loopback for CI (sourced by .ci/run).
# The cluster lives in a temporary folder owned by the `postgres` system user (PostgreSQL refuses to run as root).

start_ci_postgres() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  export PGPORT=${PGPORT:-54329}
  PGDATA_CI=$(mktemp -d /tmp/learnscape-ci-pg.XXXXXX)
  export PGDATA_CI PG_BINDIR_CI="$bindir"
  local as_pg=()
  if [ "$(id -u)" = "0" ]; then
    chown postgres:postgres "$PGDATA_CI"
    as_pg=(runuser -u postgres --)
  fi
  "${as_pg[@]}" "$bindir/initdb" -D "$PGDATA_CI/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$PGDATA_CI/data" -l "$PGDATA_CI/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDATA_CI -c fsync=off -c max_connections=100" start >/dev/null
  psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE ROLE learnscape LOGIN SUPERUSER" postgres
  psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE learnscape_test OWNER learnscape" postgres
  echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') running on 127.0.0.1:$PGPORT"
}

stop_ci_postgres() {
  local as_pg=()
  [ "$(id -u)" = "0" ] && as_pg=(runuser -u postgres --)
  "${as_pg[@]}" "$PG_BINDIR_CI/pg_ctl" -D "$PGDATA_CI/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PGDATA_CI"
}
