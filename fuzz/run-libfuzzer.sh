#!/usr/bin/env bash
# make fuzz: builds fuzz targets with clang++ -fsanitize=fuzzer,address,undefined (libFuzzer)
# and runs each for SECONDS seconds, starting from its seed corpus fuzz/corpus/<name>/;
# new inputs go to build/fuzz-corpus/<name>/, crashes to build/fuzz-crashes/<name>/.
#   usage: fuzz/run-libfuzzer.sh [SECONDS] [TARGET...]   (default: 60, every fuzz/*_fuzz.cpp)
#   FUZZ_BUILD_DIR selects the clang build directory (default build/fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
shift || true
B=${FUZZ_BUILD_DIR:-build/fuzz}
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in fuzz/*_fuzz.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DIDARA_BUILD_BENCH=OFF -DIDARA_LIBFUZZER=ON \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -g -O1" >/dev/null
failed=()
for t in "${targets[@]}"; do
  t=${t%_fuzz}_fuzz
  name=${t%_fuzz}
  cmake --build "$B" --target "${t}_libfuzzer" -j2
  mkdir -p "build/fuzz-corpus/$name" "build/fuzz-crashes/$name"
  echo "fuzz: $t for ${SECONDS_EACH}s"
  if ! "$B/fuzz/${t}_libfuzzer" -max_total_time="$SECONDS_EACH" -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="build/fuzz-crashes/$name/" "build/fuzz-corpus/$name" "fuzz/corpus/$name"; then
    failed+=("$t")
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in build/fuzz-crashes/)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} target(s) ran ${SECONDS_EACH}s each without a finding"
