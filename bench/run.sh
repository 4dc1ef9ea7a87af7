#!/usr/bin/env bash
# make bench: measures idara on this machine and prints a table; writes it to docs/PERFORMANCE.md.
# Figures are meant to be read as ratios within one run (e.g. an endpoint against /healthz),
# never as absolute times: these machines are small and noisy.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/release/app/idara
BENCH_BIN=build/release/bench/storage_bench
REGISTRY_BIN=build/release/bench/registry_bench
DURATION=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNECTIONS:-16}
# Deposits: SQLite has one writer and a deposit holds it for the whole registration (number,
# files, receipt render and seal, commit). Two connections keep one deposit in the writer while
# the next is parsed and its attachment checked; more only queue behind the writer (latency
# grows with the connections, deposits/s does not).
DEPOSIT_CONNS=${BENCH_DEPOSIT_CONNECTIONS:-4}
CITIZEN=amina.elmansouri@example.ma
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
citizen_token=$("$BIN" token create --data-dir "$work/var" --login "$CITIZEN" --name bench | tail -1)
"$BIN" serve --data-dir "$work/var" --port 0 --port-file "$work/port" \
  --set server.access_log=false --set log.level=warn --set server.worker_threads=4 &
server_pid=$!
for _ in $(seq 100); do [[ -s "$work/port" ]] && break; sleep 0.1; done
port=$(cat "$work/port")
base="http://127.0.0.1:$port"
curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/me" > /dev/null

measure() {  # name url [token] [script] [connections]
  BENCH_TOKEN="${3:-}" wrk -t1 -c"${5:-$CONNS}" -d"${DURATION}s" --latency -s "${4:-bench/latency.lua}" "$2" 2>&1 \
    | grep '^RESULT' | sed "s/^RESULT/$1/"
}
echo "bench: wrk -t1 -c$CONNS -d${DURATION}s on loopback"
h=$(measure healthz "$base/healthz")
m=$(measure api_me "$base/api/v1/me" "$token")

echo "bench: registry office (deposits with -c$DEPOSIT_CONNS, then receipt lookups)"
"$REGISTRY_BIN" --write-pdf "$work/demande.pdf"
attachment_bytes=$(stat -c %s "$work/demande.pdf")
first=$(curl -fsS -H "Authorization: Bearer $citizen_token" \
  -F 'deposit={"administration":"MEF","type":"letter","subject":"bench: first deposit","body":""};type=application/json' \
  -F "file=@$work/demande.pdf;type=application/pdf" "$base/api/v1/deposits")
number=$(sed -n 's/.*"register_number":"\([^"]*\)".*/\1/p' <<< "$first")
tracking=$(sed -n 's/.*"tracking_code":"\([^"]*\)".*/\1/p' <<< "$first")
receipt_bytes=$(curl -fsS -H "Authorization: Bearer $citizen_token" "$base/api/v1/deposits/$number/receipt.pdf" | wc -c)
curl -fsS "$base/api/v1/track/$number?code=$tracking" > /dev/null
# Warm-up, not measured: each worker thread loads its fonts on its first receipt.
BENCH_TOKEN="$citizen_token" wrk -t1 -c4 -d2s -s bench/deposit.lua "$base/api/v1/deposits" > /dev/null 2>&1
d=$(measure deposit "$base/api/v1/deposits" "$citizen_token" bench/deposit.lua "$DEPOSIT_CONNS")
r=$(measure receipt "$base/api/v1/deposits/$number/receipt.pdf" "$citizen_token")
t=$(measure track "$base/api/v1/track/$number?code=$tracking")
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" <<< "$1"; }
vs_healthz() { awk -v a="$(field "$1" rps)" -v b="$(field "$h" rps)" 'BEGIN { printf "%.'"${2:-0}"'f %%", 100 * a / b }'; }
row() {  # label result [decimals of the ratio]
  echo "| $1 | $(field "$2" rps) | $(field "$2" p50) | $(field "$2" p99) | $(field "$2" errors) | $(vs_healthz "$2" "${3:-0}") |"
}

echo "bench: storage backends"
bash scripts/pg-test.sh start "$work/pg" > /dev/null
storage=$("$BENCH_BIN" --sqlite-dir "$work/sqlite" --pg-dsn "$(cat "$work/pg/dsn")" --seconds "${BENCH_STORAGE_SECONDS:-5}")

echo "bench: one deposit in-process (registry_bench)"
registry=$("$REGISTRY_BIN" --dir "$work/registry" --seconds "${BENCH_REGISTRY_SECONDS:-2}")
deposit_us=$(awk -F'\t' '$1 == "deposit" {print $4}' <<< "$registry")

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
me_row=$(row '`GET /api/v1/me` (bearer token: hash + DB lookup + JSON)' "$m")
deposit_row=$(row "\`POST /api/v1/deposits\` (citizen; multipart JSON + 1 PDF of $attachment_bytes B; sealed receipt; durable commit; $DEPOSIT_CONNS connections)" "$d" 2)
receipt_row=$(row "\`GET /api/v1/deposits/{number}/receipt.pdf\` (citizen; sealed receipt of $((receipt_bytes / 1024)) KB)" "$r")
track_row=$(row '`GET /api/v1/track/{number}?code=…` (public tracking)' "$t")
deposit_target=$(awk -v a="$(field "$d" rps)" 'BEGIN { printf "%.1f %%", a / 5 }')
deposit_per_s=$(awk -v u="$deposit_us" 'BEGIN { printf "%.0f", 1e6 / u }')
registry_rows=$(awk -F'\t' '$1 != "receipt_bytes" {printf "| %s | %s | %s | %s %% |\n", $1, $2, $4, $5}' <<< "$registry")
storage_rows=$(awk -F'\t' '{printf "| %s | %s | %s |\n", $1, $2, $5}' <<< "$storage")
make_table() {
  cat <<T
### HTTP (wrk, 1 thread, $CONNS connections unless stated, ${DURATION} s each, server and wrk on the same $(nproc) cores)

| endpoint | requests/s | p50 ms | p99 ms | errors | vs /healthz |
|---|---:|---:|---:|---:|---:|
| \`GET /healthz\` (ceiling) | $(field "$h" rps) | $(field "$h" p50) | $(field "$h" p99) | $(field "$h" errors) | 100 % |
$me_row
$deposit_row
$receipt_row
$track_row

Targets of the registry-office issue, from this run: deposits ≥ 500/s — measured $(field "$d" rps)/s,
that is $deposit_target of the target; receipt lookups ≥ 50 % of \`/healthz\` — measured $(vs_healthz "$r") for
the receipt PDF and $(vs_healthz "$t") for public tracking.

### Registry office: one deposit in-process (registry_bench, ${BENCH_REGISTRY_SECONDS:-2} s each, 1 thread)

One portal deposit with one small PDF attachment on SQLite with durable commits and the file blob
store, as \`DepositService::deposit\` runs it: $deposit_per_s deposits/s on one thread. Shares are of that
full deposit; "ref" rows are comparisons that are not part of a deposit, "derived" rows are
differences of two rows of this run (noisy when small).

| key | what | µs per op | share of a deposit |
|---|---|---:|---:|
$registry_rows

### Storage (2 threads, ${BENCH_STORAGE_SECONDS:-5} s each)

| backend | operation | ops/s |
|---|---|---:|
$storage_rows
T
}
table=$(make_table)
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

# Signing (issue 5): PAdES B-T signatures with the built-in time-stamp authority, B-B, raw CMS
# signing of the same bytes with the same key, one time-stamp, in-process verification.
SIGN_BIN=build/release/bench/sign_bench
if [[ -x "$SIGN_BIN" ]]; then
  echo "bench: signing (sign_bench)"
  sign=$("$SIGN_BIN" --seconds "${BENCH_SIGN_SECONDS:-2}")
  sign_rows=$(awk -F'\t' '$1 != "pdf_bytes" {printf "| %s | %s | %s | %s | %s |\n", $1, $2, $5, $4, $6}' <<< "$sign")
  sign_sizes=$(awk -F'\t' '$1 == "pdf_bytes" {printf "%d KB receipt, %d KB once signed, CMS with its token %d B", $2 / 1024, $3 / 1024, $4}' <<< "$sign")
  sign_table=$(cat <<T
### Signing (sign_bench, ${BENCH_SIGN_SECONDS:-2} s each, 1 thread, P-256 keys; $sign_sizes)

"vs raw CMS" is the raw CMS signing time divided by the row's time (1 = as fast as signing the
bytes alone; below 1: what the PDF update, the time-stamp or the verification add).

| key | what | per second | µs per op | vs raw CMS |
|---|---|---:|---:|---:|
$sign_rows
T
)
  echo
  echo "$sign_table"
  { echo; echo "$sign_table"; } >> docs/PERFORMANCE.md
fi

# Search (issue 4): a generated register of BENCH_SEARCH_ENTRIES entries (default 1 000 000) on
# SQLite; search, inbox listings, status changes and peak RSS, against the issue's targets.
SEARCH_BIN=build/release/bench/search_bench
if [[ -x "$SEARCH_BIN" ]]; then
  echo "bench: search over ${BENCH_SEARCH_ENTRIES:-1000000} generated entries (search_bench; a few minutes)"
  search=$("$SEARCH_BIN" --entries "${BENCH_SEARCH_ENTRIES:-1000000}" --dir "$work/search" --queries 500)
  search_rows=$(awk -F'\t' '{printf "| %s | %s %s | %s | %s |\n", $2, $3, $4, ($5 == "" ? "" : $5 " " $4), ($6 == "" ? "" : $6)}' <<< "$search")
  search_table=$(cat <<T
### Search over ${BENCH_SEARCH_ENTRIES:-1000000} generated entries (search_bench, SQLite, 1 thread)

Arabic/French entries generated from the context documents over 4 administrations × 8 units;
500 queries (1–2 words, prefixes, French, frequent words, register numbers, filters only; half
with filters; administrators and unit agents). "ratio" is the figure divided by the target
(≤ 1 meets it).

| what | measured | target | ratio |
|---|---:|---:|---:|
$search_rows
T
)
  echo
  echo "$search_table"
  { echo; echo "$search_table"; } >> docs/PERFORMANCE.md
fi

# The tamper-evident journal (issue 5): appends, a signed tree head over BENCH_JOURNAL_LEAVES
# leaves (default 1 000 000; cold, then warm), inclusion proofs, `audit verify` (journal_bench).
JOURNAL_BIN=build/release/bench/journal_bench
if [[ -x "$JOURNAL_BIN" ]]; then
  echo "bench: journal over ${BENCH_JOURNAL_LEAVES:-1000000} leaves (journal_bench)"
  jb=$("$JOURNAL_BIN" --dir "$work/journal" --leaves "${BENCH_JOURNAL_LEAVES:-1000000}" --seconds "${BENCH_JOURNAL_SECONDS:-2}")
  journal_rows=$(awk -F'\t' '{printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4}' <<< "$jb")
  journal_table=$(cat <<T
### Journal (journal_bench, SQLite durable commits, 1 thread, ${BENCH_JOURNAL_LEAVES:-1000000} leaves)

| operation | count | seconds | per second |
|---|---:|---:|---:|
$journal_rows
T
)
  echo
  echo "$journal_table"
  { echo; echo "$journal_table"; } >> docs/PERFORMANCE.md
fi

# The exchange layer (issue 6): two gateways against the back-end alone (bench/exchange.sh).
if "$BIN" exchange --help > /dev/null 2>&1; then
  echo "bench: exchange through two gateways (bench/exchange.sh)"
  exchange_table=$(bash bench/exchange.sh "$BIN")
  echo
  echo "$exchange_table"
  { echo; echo "$exchange_table"; } >> docs/PERFORMANCE.md
fi
