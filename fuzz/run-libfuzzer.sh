#!/usr/bin/env bash
# make fuzz: builds every fuzz target with clang's libFuzzer (+ASan/UBSan) and runs each
# for SECONDS seconds, starting from its seed corpus (new finds go to build/fuzz-corpus/).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
B=${FUZZ_BUILD_DIR:-build/fuzz}
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DIDARA_BUILD_BENCH=OFF -DIDARA_LIBFUZZER=ON \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -g -O1" >/dev/null
for t in config_fuzz json_body_fuzz urlencoded_fuzz login_fuzz register_number_fuzz; do
  cmake --build "$B" --target "${t}_libfuzzer" -j2
  name=${t%_fuzz}
  mkdir -p "build/fuzz-corpus/$name"
  echo "fuzz: $t for ${SECONDS_EACH}s"
  "$B/fuzz/${t}_libfuzzer" -max_total_time="$SECONDS_EACH" -max_len=65536 \
    "build/fuzz-corpus/$name" "fuzz/corpus/$name"
done
