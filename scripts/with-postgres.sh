#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL on 127.0.0.1; stop it afterwards,
# also on failure. Exports PRIVAULT_TEST_PG_URL for the tests.
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "installing PostgreSQL server (apt)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq postgresql >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

run_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

tmp=$(mktemp -d)
chmod a+rx "$tmp"
data="$tmp/data"
mkdir "$data"
[ "$(id -u)" = 0 ] && chown postgres "$data" "$tmp"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

cleanup() {
  run_pg "$pg_bin/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# Tests trade durability for speed; PG_DURABLE=1 (the benchmarks) keeps the defaults.
durability="-c fsync=off -c full_page_writes=off"
[ "${PG_DURABLE:-0}" = 1 ] && durability=""
run_pg "$pg_bin/initdb" -D "$data" -U postgres -A trust --no-sync >/dev/null
run_pg "$pg_bin/pg_ctl" -D "$data" -l "$tmp/pg.log" -w \
  -o "-h 127.0.0.1 -p $port -k $tmp $durability -c max_connections=200" \
  start >/dev/null
export PRIVAULT_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
echo "PostgreSQL ready on 127.0.0.1:$port" >&2
"$@"
