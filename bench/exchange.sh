#!/usr/bin/env bash
# The exchange layer (issue 6): exchanges per second through two gateways (UNIV's client port →
# mutual TLS → MEN's gateway → the demo back-end; signed, verified and logged on both sides) against
# calling the back-end directly, in the same run, and the latency the two gateways add.
# Prints a markdown table on stdout. Usage: bench/exchange.sh [IDARA_BIN] (default: release build).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/release/app/idara}
DURATION=${BENCH_DURATION:-10}
CONNS=${BENCH_EXCHANGE_CONNECTIONS:-32}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# A free base port: the demo uses base+0 … base+32.
free_base() {
  for _ in $(seq 50); do
    local b=$(( 20000 + (RANDOM % 400) * 100 )) ok=1
    for off in 0 1 2 3 11 12 13 21 22 23 31 32; do
      if (exec 3<>/dev/tcp/127.0.0.1/$((b + off))) 2>/dev/null; then ok=0; break; fi
    done
    [[ $ok == 1 ]] && { echo "$b"; return; }
  done
  echo "no free port range" >&2; exit 1
}
B=$(free_base)
"$BIN" exchange demo-setup --dir "$work/x" --base-port "$B" > "$work/setup.log" 2>&1
start() {  # name args...
  local name=$1; shift
  "$BIN" "$@" > "$work/$name.log" 2>&1 &
  pids+=($!)
}
wait_port() {
  for _ in $(seq 200); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "bench: port $1 did not open; logs:" >&2; tail -n 20 "$work"/*.log >&2; exit 1
}
start central exchange central serve --dir "$work/x/central"
wait_port "$B"
start backend exchange demo-backend --kind bac --listen "127.0.0.1:$((B + 31))"
start gw-men exchange gateway serve --dir "$work/x/gw-men"
start gw-univ exchange gateway serve --dir "$work/x/gw-univ"
wait_port $((B + 31)); wait_port $((B + 11)); wait_port $((B + 3))

student=$(grep -o '"student_number" *: *"[^"]*"' demo/exchange/bac_results.json | head -1 | sed 's/.*: *"\(.*\)"/\1/')
direct="http://127.0.0.1:$((B + 31))/results/$student"
through="http://127.0.0.1:$((B + 3))/r1/MA/GOV/MEN/bac-results/bac-result/results/$student"
client_header="X-Road-Client: MA/GOV/UNIV/registration"
curl -fsS "$direct" > "$work/direct.json"
curl -fsS -H "$client_header" "$through" > "$work/through.json"
cmp -s "$work/direct.json" "$work/through.json" || { echo "bench: the exchange does not return the back-end's body" >&2; exit 1; }

measure() {  # connections url [header]
  local args=(-t1 -c"$1" -d"${DURATION}s" --latency -s bench/status200.lua)
  [[ -n "${3:-}" ]] && args+=(-H "$3")
  wrk "${args[@]}" "$2" 2>&1 | grep '^RESULT'
}
field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" <<< "$1"; }
# Warm-up (connection pools, page cache), not measured.
wrk -t1 -c4 -d2s -H "$client_header" "$through" > /dev/null 2>&1
d_load=$(measure "$CONNS" "$direct")
x_load=$(measure "$CONNS" "$through" "$client_header")
d_one=$(measure 1 "$direct")
x_one=$(measure 1 "$through" "$client_header")
logged=$(curl -fsS -H "Authorization: Bearer $(cat "$work/x/gw-univ/admin-token")" \
  "http://127.0.0.1:$((B + 23))/metrics" | awk '/^idara_exchange_requests_total/ && /result="ok"/ {s += $2} END {print s + 0}')

added() { awk -v a="$(field "$1" "$3")" -v b="$(field "$2" "$3")" 'BEGIN { printf "%.3f", a - b }'; }
ratio() { awk -v a="$(field "$1" rps)" -v b="$(field "$2" rps)" 'BEGIN { printf "%.2f", a / b }'; }
row() { echo "| $1 | $(field "$2" rps) | $(field "$2" p50) | $(field "$2" p99) | $(field "$2" errors) |"; }
cat <<T
### Exchange through two gateways (wrk, 1 thread, ${DURATION} s each; back-end, central, both gateways and wrk on the same $(nproc) cores)

"direct" calls the demo back-end; "through gateways" calls UNIV's client port, which signs the request,
sends it over mutual TLS to MEN's gateway, which verifies it, checks the access rights, calls the same
back-end, signs the response; UNIV's gateway verifies it and its request hash; both gateways log both
messages (group-committed SQLite, Merkle batches time-stamped every second).

| path | requests/s | p50 ms | p99 ms | errors |
|---|---:|---:|---:|---:|
$(row "direct, $CONNS connections" "$d_load")
$(row "through gateways, $CONNS connections" "$x_load")
$(row "direct, 1 connection" "$d_one")
$(row "through gateways, 1 connection" "$x_one")

Through two gateways: $(field "$x_load" rps) exchanges/s (target ≥ 2 000/s), $(ratio "$x_load" "$d_load") of the direct rate;
added latency with one connection: p50 $(added "$x_one" "$d_one" p50) ms (target ≤ 2 ms), p99 $(added "$x_one" "$d_one" p99) ms;
under load ($CONNS connections): p50 $(added "$x_load" "$d_load" p50) ms, p99 $(added "$x_load" "$d_load" p99) ms.
Exchanges UNIV's gateway counted as successful during the run: $logged.
T
