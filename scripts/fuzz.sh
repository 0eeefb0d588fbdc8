#!/usr/bin/env bash
# Search for inputs that break kenes: builds the fuzz targets in fuzz/ with
# clang's libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer (in
# build-fuzz/), then runs each for SECONDS (default 60), starting from the
# inputs kept in fuzz/corpus/<target>/.  New interesting inputs collect in
# build-fuzz/corpus/<target>/; a failing one is written to build-fuzz/ as
# crash-*, timeout-* or oom-*: copy it into fuzz/corpus/<target>/ when the
# fix is in, so that ctest replays it on every build from then on.
#
#   scripts/fuzz.sh [SECONDS] [TARGET ...]      targets: http doc message render plugins query tmpl formdata multipart
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(http doc message render plugins query tmpl formdata multipart)
if ! command -v clang >/dev/null || [ -z "$(find /usr/lib/llvm-*/lib/clang -name 'libclang_rt.fuzzer-*.a' 2>/dev/null)" ]; then
  echo "fuzz.sh: needs clang and libFuzzer: apt-get install -y clang libclang-rt-14-dev" >&2
  exit 2
fi
CC=clang cmake -S . -B build-fuzz -DKENES_FUZZ=ON -DKENES_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]/#/fuzz_}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for t in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$t"
  echo "== fuzz_$t: ${seconds} s"
  # -timeout: the renderer's budget bounds a page to well under a second.
  if ! (cd build-fuzz && "./fuzz_$t" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 "corpus/$t" "../fuzz/corpus/$t"); then
    status=1
    echo "fuzz.sh: fuzz_$t found a failing input (see build-fuzz/crash-* / timeout-* / oom-*)" >&2
  fi
done
exit $status
