#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL 15 server for the tests.
#   scripts/pg-test.sh start DIR   → server on a free loopback port; DSN written to DIR/dsn
#   scripts/pg-test.sh stop DIR    → stops it and removes DIR
# Works as root (runs the server as the postgres user) and as a normal user.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?directory}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
AS=(); [[ "$(id -u)" == 0 ]] && AS=(runuser -u postgres --)

stop() {
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    (cd /tmp && "${AS[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null) || true
  fi
  rm -rf "$dir"
}

case "$cmd" in
  start)
    stop
    mkdir -p "$dir"
    [[ "$(id -u)" == 0 ]] && chown postgres: "$dir"
    (cd /tmp && "${AS[@]}" "$PGBIN/initdb" -D "$dir/data" -U test --auth=trust -E UTF8 --locale=C.UTF-8 -N >/dev/null)
    for attempt in 1 2 3 4 5; do
      port=$((20000 + RANDOM % 20000))
      if (cd /tmp && "${AS[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null); then
        echo "host=127.0.0.1 port=$port user=test dbname=postgres" > "$dir/dsn.tmp"
        chmod 644 "$dir/dsn.tmp"; mv "$dir/dsn.tmp" "$dir/dsn"
        echo "postgres started on port $port"
        exit 0
      fi
    done
    echo "pg-test: could not start PostgreSQL; log:" >&2; cat "$dir/log" >&2 || true; exit 1 ;;
  stop) stop; echo "postgres stopped" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
