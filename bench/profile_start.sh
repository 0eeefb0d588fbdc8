#!/bin/sh
# profile_start.sh: one `kenes serve` start on a data folder, under perf or
# heaptrack, stopped (SIGTERM) as soon as it prints its "listening" line, so
# the profile holds the start-up and nothing after it.  The data folder is
# one bench_start left (--build-only or --keep).  BENCHMARKS.md shows how the
# figures of issue 16 were read from it.
#
#   bench/profile_start.sh perf|heaptrack KENES DATA OUT
#
# perf:      perf record -g (frame pointers: build with
#            -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g -fno-omit-frame-pointer");
#            OUT.perf.data, then OUT.self.txt (self time by symbol) and
#            OUT.children.txt (time with callees, by symbol).
# heaptrack: OUT.heaptrack.zst (or .gz), then OUT.heap.txt (peak by
#            allocation site, heaptrack_print).
set -eu
TOOL=${1:?usage: profile_start.sh perf|heaptrack KENES DATA OUT}
KENES=$(readlink -f "${2:?}")
DATA=${3:?}
OUT=${4:?}
LINE=$OUT.stdout
: >"$LINE"
case $TOOL in
perf)
    perf record -q -g -F 999 -o "$OUT.perf.data" -- \
        "$KENES" serve --data "$DATA" --listen 127.0.0.1:0 >"$LINE" 2>"$OUT.log" &
    ;;
heaptrack)
    heaptrack -o "$OUT.heaptrack" "$KENES" serve --data "$DATA" --listen 127.0.0.1:0 \
        >"$LINE" 2>"$OUT.log" &
    ;;
*)
    echo "profile_start: perf or heaptrack" >&2
    exit 2
    ;;
esac
WRAPPER=$!
START=$(date +%s.%N)
# The server is the wrapper's child (heaptrack runs it through a shell).
until grep -q " listening on " "$LINE" 2>/dev/null; do
    kill -0 "$WRAPPER" 2>/dev/null || { echo "profile_start: the server stopped" >&2; tail "$OUT.log" >&2; exit 1; }
    sleep 0.1
done
END=$(date +%s.%N)
SERVER=$(pgrep -n -f "serve --data $DATA --listen" || true)
[ -n "$SERVER" ] || { echo "profile_start: no server process found" >&2; exit 1; }
echo "profile_start: listening after $(echo "$END - $START" | bc) s under $TOOL (pid $SERVER); VmHWM $(awk '/VmHWM/ {print $2, $3}' /proc/$SERVER/status)"
kill -TERM "$SERVER"
wait "$WRAPPER" || true
case $TOOL in
perf)
    perf report -i "$OUT.perf.data" --no-children --sort symbol --percent-limit 0.7 --stdio \
        -g none 2>/dev/null | grep -v '^$' >"$OUT.self.txt"
    perf report -i "$OUT.perf.data" --children --sort symbol --percent-limit 2 --stdio \
        -g none 2>/dev/null | grep -v '^$' >"$OUT.children.txt"
    echo "profile_start: $OUT.self.txt, $OUT.children.txt"
    ;;
heaptrack)
    F=$(ls "$OUT".heaptrack.* | head -1)
    heaptrack_print -f "$F" --print-peaks 1 --print-allocators 0 --print-temporary 0 \
        --print-leaks 0 --peak-limit 25 >"$OUT.heap.txt" 2>/dev/null || true
    echo "profile_start: $OUT.heap.txt"
    ;;
esac
