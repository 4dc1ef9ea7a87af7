#!/usr/bin/env bash
# make bench: measures idara on this machine and prints a table; writes it to docs/PERFORMANCE.md.
# Figures are meant to be read as ratios within one run (e.g. an endpoint against /healthz),
# never as absolute times: these machines are small and noisy.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/release/app/idara
BENCH_BIN=build/release/bench/storage_bench
DURATION=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNECTIONS:-16}
work=$(mktemp -d)
chmod 755 "$work"  # the PostgreSQL server runs as the postgres user and must reach $work/pg
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  bash scripts/pg-test.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "bench: preparing data in $work"
"$BIN" init --demo --data-dir "$work/var" > "$work/init.log"
login=$(awk '/admin@/ && /MEF|mef/ {print $1; exit}' "$work/init.log")
[[ -n "$login" ]] || login=$(grep -o '[a-z0-9._-]*@[a-z0-9.-]*' "$work/init.log" | grep -i mef | head -1)
token=$("$BIN" token create --data-dir "$work/var" --login "$login" --name bench | tail -1)
"$BIN" serve --data-dir "$work/var" --port 0 --port-file "$work/port" \
  --set server.access_log=false --set log.level=warn --set server.worker_threads=4 &
server_pid=$!
for _ in $(seq 100); do [[ -s "$work/port" ]] && break; sleep 0.1; done
port=$(cat "$work/port")
base="http://127.0.0.1:$port"
curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/me" > /dev/null

measure() {  # name url [token]
  BENCH_TOKEN="${3:-}" wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s bench/latency.lua "$2" 2>&1 | grep '^RESULT' | sed "s/^RESULT/$1/"
}
echo "bench: wrk -t1 -c$CONNS -d${DURATION}s on loopback"
h=$(measure healthz "$base/healthz")
m=$(measure api_me "$base/api/v1/me" "$token")
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" <<< "$1"; }
h_rps=$(field "$h" rps); m_rps=$(field "$m" rps)
ratio=$(awk -v a="$m_rps" -v b="$h_rps" 'BEGIN { printf "%.0f %%", 100 * a / b }')

echo "bench: storage backends"
bash scripts/pg-test.sh start "$work/pg" > /dev/null
storage=$("$BENCH_BIN" --sqlite-dir "$work/sqlite" --pg-dsn "$(cat "$work/pg/dsn")" --seconds "${BENCH_STORAGE_SECONDS:-5}")

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
table=$(cat <<T
### HTTP (wrk, 1 thread, $CONNS connections, ${DURATION} s each, server and wrk on the same $(nproc) cores)

| endpoint | requests/s | p50 ms | p99 ms | errors | vs /healthz |
|---|---:|---:|---:|---:|---:|
| \`GET /healthz\` (ceiling) | $(field "$h" rps) | $(field "$h" p50) | $(field "$h" p99) | $(field "$h" errors) | 100 % |
| \`GET /api/v1/me\` (bearer token: hash + DB lookup + JSON) | $(field "$m" rps) | $(field "$m" p50) | $(field "$m" p99) | $(field "$m" errors) | $ratio |

### Storage (2 threads, ${BENCH_STORAGE_SECONDS:-5} s each)

| backend | operation | ops/s |
|---|---|---:|
$(awk -F'\t' '{printf "| %s | %s | %s |\n", $1, $2, $5}' <<< "$storage")
T
)
echo
echo "$table"

{
  echo "# Performance"
  echo
  echo "Measured by \`make bench\` on $(date -u +%Y-%m-%d): $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)."
  echo "Release build, SQLite with durable commits (synchronous=FULL, WAL), PostgreSQL 15 throwaway server with fsync off."
  echo "Read the figures as ratios within this run; absolute numbers vary from run to run on shared machines."
  echo
  echo "$table"
  if [[ -f docs/PERFORMANCE.notes.md ]]; then echo; cat docs/PERFORMANCE.notes.md; fi
} > docs/PERFORMANCE.md
echo
echo "bench: written to docs/PERFORMANCE.md"
