#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL server:
#   tests/pg-server.sh CMD [ARGS...]
# initdb in a temporary directory (as the 'postgres' system user when run as
# root: PostgreSQL refuses to run as root), pg_ctl start on a free loopback
# port with its socket in the same directory, a fresh database, then CMD with
#   ONEHALL_TEST_PG_URL      postgresql://USER@127.0.0.1:PORT/onehall_test
#   ONEHALL_TEST_PG_RESTART  a shell command that restarts the server
#   ONEHALL_TEST_PG_CREATEDB a shell command: createdb NAME on that server
# in its environment. The server and the directory are removed on exit.
# Without PostgreSQL binaries it exits 77 (ctest: skipped), but under CI=true
# it fails, so that CI never silently skips the PostgreSQL run.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "pg-server: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  [ "${CI:-}" = "true" ] && exit 1
  exit 77
fi

dir=$(mktemp -d /tmp/onehall-pg-XXXXXX)
chmod 755 "$dir"
run_as=()
user=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
  chown postgres "$dir"
  run_as=(runuser -u postgres --)
  user=postgres
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
       || echo $((30000 + RANDOM % 20000)))

stop() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${run_as[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U "$user" -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || "${run_as[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U "$user" -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=on -c max_connections=200"
start="\"$bindir/pg_ctl\" -D \"$dir/data\" -o \"$opts\" -l \"$dir/server.log\" -w"
"${run_as[@]}" bash -c "$start start" >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
"${run_as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$user" onehall_test

export ONEHALL_TEST_PG_URL="postgresql://$user@127.0.0.1:$port/onehall_test"
restart_cmd="\"$bindir/pg_ctl\" -D \"$dir/data\" -o \"$opts\" -l \"$dir/server.log\" -w -m fast restart"
createdb_cmd="\"$bindir/createdb\" -h 127.0.0.1 -p $port -U $user"
if [ ${#run_as[@]} -gt 0 ]; then
  export ONEHALL_TEST_PG_RESTART="runuser -u postgres -- bash -c '$restart_cmd' >/dev/null"
  export ONEHALL_TEST_PG_CREATEDB="runuser -u postgres -- $createdb_cmd"
else
  export ONEHALL_TEST_PG_RESTART="bash -c '$restart_cmd' >/dev/null"
  export ONEHALL_TEST_PG_CREATEDB="$createdb_cmd"
fi
"$@"
