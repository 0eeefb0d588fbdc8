#!/usr/bin/env bash
# Build kenes and run the whole test suite (unit tests with cmocka and the
# end-to-end tests against the real binary), all under ctest.
# KENES_SANITIZE=ON builds with AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
san="${KENES_SANITIZE:-OFF}"
build="build"
[ "$san" = "ON" ] && build="build-asan"
cmake -S . -B "$build" -DKENES_SANITIZE="$san" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)"
# argon2id wants 64 MiB a login; ASan's leak checker runs at exit of every process.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# The one timeout: no test sets a TIMEOUT of its own (that would override this).
# Generous, so that a loaded machine is slow, not failing; a hung test still ends.
ctest --test-dir "$build" --output-on-failure -j2 --timeout 900
