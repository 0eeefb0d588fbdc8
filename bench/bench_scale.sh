#!/bin/sh
# bench_scale.sh: the same GETs on data folders of growing size, to show
# what a request costs per document held (issue 16, items 4 and 5).
# BENCHMARKS.md has the figures.
#
#   bench/bench_scale.sh KENES SECONDS SEED...
#
# Each SEED is a data folder bench_start left (--keep or --build-only: its
# `admin` user and password are bench_start's).  It is copied first (a start
# writes the access log and the sessions), served, and after the admin's login
# two requests are measured with `wrk -t1 -c8 -d SECONDS --timeout 60s`, one
# after another:
#
#   plan   GET /api/v1/documents/<the first plan of the journal>
#   list   GET /api/v1/documents?type=case-review&region=KZ-10
#
# Prints requests/s for each seed; the copies are removed.
set -eu
KENES=$(readlink -f "${1:?usage: bench_scale.sh KENES SECONDS SEED...}")
SECS=${2:?}
shift 2
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/bench_scale-XXXXXX")
KPID=
trap '[ -n "$KPID" ] && kill "$KPID" 2>/dev/null; rm -rf "$ROOT"' EXIT INT TERM
printf '%-10s %12s %12s  %s\n' documents plan_rps list_rps seed
for seed in "$@"; do
    data=$ROOT/data
    rm -rf "$data"
    cp -a "$seed" "$data"
    "$KENES" serve --data "$data" --listen 127.0.0.1:0 >"$ROOT/out" 2>>"$ROOT/log" &
    KPID=$!
    until grep -q ' listening on ' "$ROOT/out"; do
        kill -0 "$KPID" 2>/dev/null || { tail "$ROOT/log" >&2; exit 1; }
        sleep 0.2
    done
    port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$ROOT/out" | head -1)
    token=$(curl -sf -X POST -H 'Content-Type: application/json' \
        -d '{"user":"admin","password":"Zx7-admin-bench-2026"}' \
        "http://127.0.0.1:$port/api/v1/sessions" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
    plan=$(grep -o '"document":"plan/[^"]*"' "$data/index/documents.jsonl" | head -1 | cut -d'"' -f4)
    docs=$(grep -o 'server: [0-9]* documents' "$ROOT/log" | tail -1 | tr -dc 0-9)
    rates=
    for path in "/api/v1/documents/$plan" "/api/v1/documents?type=case-review&region=KZ-10"; do
        out=$(wrk -t1 -c8 -d"${SECS}s" --timeout 60s -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path")
        if echo "$out" | grep -q -e 'Non-2xx' -e 'Socket errors'; then
            echo "bench_scale: $path: $out" >&2
            exit 1
        fi
        rates="$rates $(echo "$out" | awk '/^Requests\/sec:/ {print $2}')"
    done
    kill "$KPID"
    wait "$KPID" || true
    KPID=
    # shellcheck disable=SC2086
    printf '%-10s %12s %12s  %s\n' "${docs:-?}" $rates "$seed"
done
