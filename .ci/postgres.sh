#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on 127.0.0.1 for the store tests (Debian's postgresql-common tools, as root).
#
#   eval "$(bash .ci/postgres.sh start)"   creates and starts cluster scep-test-<pid> on a free port, listening on
#                                         127.0.0.1 only, with a role and database `scep` (random password), and
#                                         prints `export SCEP_TEST_POSTGRES=...` and `export SCEP_TEST_PG_CLUSTER=...`
#   bash .ci/postgres.sh stop CLUSTER      stops and drops that cluster (its data and configuration)
#
# Needs: apt-get install -y postgresql. The role may create databases: each test fixture makes its own and drops it.
set -euo pipefail

die() { printf '[postgres] %s\n' "$*" >&2; exit 1; }

version() {
  local v
  v=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)
  [[ -n $v && -x /usr/lib/postgresql/$v/bin/postgres ]] || die "PostgreSQL is not installed (apt-get install -y postgresql)"
  echo "$v"
}

free_port() {
  local port
  for port in $(seq 55432 55532); do
    if ! ss -Htln "sport = :$port" | grep -q .; then echo "$port"; return; fi
  done
  die "no free port in 55432-55532"
}

case "${1:-}" in
  start)
    command -v pg_createcluster >/dev/null || die "pg_createcluster missing (apt-get install -y postgresql)"
    v=$(version)
    name="scep-test-$$"
    port=$(free_port)
    password=$(openssl rand -hex 16)
    pg_createcluster "$v" "$name" --port "$port" --start-conf manual --locale C.UTF-8 --encoding UTF8 -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null 2>&1 \
      || die "pg_createcluster $v $name failed"
    # Loopback only; durability does not matter for a test cluster. No autovacuum: a test's DROP DATABASE ... WITH
    # (FORCE), run by the unprivileged role, cannot end an autovacuum worker that is busy on that database (42501, "must
    # be a member of the role whose process is being terminated"), which failed a CI run once.
    printf '%s\n' "listen_addresses = '127.0.0.1'" 'fsync = off' 'synchronous_commit = off' 'full_page_writes = off' 'autovacuum = off' \
      >"/etc/postgresql/$v/$name/conf.d/scep-test.conf"
    if ! pg_ctlcluster "$v" "$name" start >/dev/null 2>&1; then
      tail -n 5 "/var/log/postgresql/postgresql-$v-$name.log" >&2 || true
      pg_dropcluster "$v" "$name" >/dev/null 2>&1 || true
      die "could not start cluster $v/$name"
    fi
    runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 \
      -c "CREATE ROLE scep LOGIN CREATEDB PASSWORD '$password'" \
      -c "CREATE DATABASE scep OWNER scep" >/dev/null \
      || die "could not create role and database"
    echo "export SCEP_TEST_PG_CLUSTER='$v/$name'"
    echo "export SCEP_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=scep;Password=$password;Database=scep'"
    ;;
  stop)
    [[ ${2:-} == */scep-test-* ]] || die "usage: $0 stop VERSION/scep-test-PID"
    pg_dropcluster --stop "${2%%/*}" "${2#*/}" >/dev/null 2>&1 || die "could not drop cluster $2"
    ;;
  *)
    sed -n '2,10p' "$0" >&2
    exit 2
    ;;
esac
