#!/bin/sh
# bench_serve.sh: GET answers of kenes beside nginx serving the same bytes as
# a static file, in the same run (issue 16, item 5).  BENCHMARKS.md has the
# method and the figures.
#
#   bench/bench_serve.sh KENES [ROUNDS] [SECONDS]
#
# KENES is a built kenes binary.  The script makes a demo data folder under
# $TMPDIR (default /tmp) with `kenes serve --demo` (every stage of every
# workflow; the reports published), then serves it with `kenes serve` and logs
# in as the demo's ministry reviewer.  Three answers are measured:
#
#   plan    GET /api/v1/documents/plan/KZ-11/2026   (a plan's JSON, with the token)
#   report  GET /reports/national                   (the Russian national report, HTML, anonymous)
#   public  GET /public/plan/KZ-11/2026             (an approved plan's public page, anonymous)
#   floor   GET /healthz                            (a tiny JSON: what the HTTP layer, the
#                                                    router and a reply cost on their own)
#
# Each body is fetched once and written to nginx's root as a file of the same
# bytes; nginx (Debian's, one worker, access log off, sendfile, keep-alive)
# serves it.  Every round runs `wrk -t1 -c32 -d SECONDS` once per answer on
# kenes and once on nginx, back to back (kenes first on odd rounds, nginx
# first on even ones), and prints requests/s of each and their ratio; the
# summary is the median of the per-round ratios.  wrk sends the same
# Authorization header to both; every kenes answer must be 200 (a non-2xx
# count stops the run).  Everything runs on the one machine, so wrk's own
# thread takes a share of the same cores from both sides alike.
set -eu

KENES=${1:?usage: bench_serve.sh KENES [ROUNDS] [SECONDS]}
ROUNDS=${2:-5}
SECS=${3:-10}
KENES=$(readlink -f "$KENES")
for tool in nginx wrk curl python3; do
    command -v $tool >/dev/null 2>&1 || { echo "bench_serve: needs $tool (apt-get install nginx-light wrk curl)" >&2; exit 2; }
done

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/bench_serve-XXXXXX")
KPID= NPID=
cleanup() {
    [ -n "$KPID" ] && kill "$KPID" 2>/dev/null && wait "$KPID" 2>/dev/null || true
    [ -n "$NPID" ] && kill "$NPID" 2>/dev/null || true
    [ -n "${KEEP:-}" ] && echo "bench_serve: kept $ROOT" >&2 || rm -rf "$ROOT"
}
trap cleanup EXIT INT TERM

# Starts kenes on $1 (extra args after), waits for its line, sets KPID and KPORT.
start_kenes() {
    data=$1
    shift
    "$KENES" serve --data "$data" --listen 127.0.0.1:0 "$@" >"$ROOT/kenes.out" 2>>"$ROOT/kenes.log" &
    KPID=$!
    for _ in $(seq 1 600); do
        KPORT=$(sed -n 's/^kenes .* listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$ROOT/kenes.out")
        [ -n "$KPORT" ] && return 0
        sleep 0.2
    done
    echo "bench_serve: kenes did not start" >&2
    tail "$ROOT/kenes.log" >&2
    exit 1
}

stop_kenes() {
    kill "$KPID"
    wait "$KPID" || { echo "bench_serve: kenes did not stop cleanly" >&2; exit 1; }
    KPID=
}

# The demo folder: made once, its reports published (the demo loader asks).
start_kenes "$ROOT/data" --demo
stop_kenes
start_kenes "$ROOT/data"
TOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d '{"user":"reviewer","password":"ministry-demo-2026"}' \
    "http://127.0.0.1:$KPORT/api/v1/sessions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
AUTH="Authorization: Bearer $TOKEN"

mkdir -p "$ROOT/www"
set -- plan "/api/v1/documents/plan/KZ-11/2026" report "/reports/national" \
    public "/public/plan/KZ-11/2026" floor "/healthz"
NAMES="plan report public floor"
while [ $# -gt 0 ]; do
    name=$1 path=$2
    shift 2
    code=$(curl -s -o "$ROOT/www/$name" -w '%{http_code}' -H "$AUTH" "http://127.0.0.1:$KPORT$path")
    [ "$code" = 200 ] || { echo "bench_serve: GET $path answered $code" >&2; exit 1; }
    eval "PATH_$name=\$path"
done

# nginx's worker runs as www-data when started as root: it must read them.
chmod go+rx "$ROOT" "$ROOT/www"
chmod go+r "$ROOT"/www/*
NPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$ROOT/nginx"
cat >"$ROOT/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $ROOT/nginx/nginx.pid;
error_log $ROOT/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $ROOT/nginx;
    proxy_temp_path $ROOT/nginx;
    fastcgi_temp_path $ROOT/nginx;
    uwsgi_temp_path $ROOT/nginx;
    scgi_temp_path $ROOT/nginx;
    server {
        listen 127.0.0.1:$NPORT;
        root $ROOT/www;
        default_type application/octet-stream;
        location = /plan { default_type "application/json; charset=utf-8"; }
        location = /report { default_type "text/html; charset=utf-8"; }
        location = /public { default_type "text/html; charset=utf-8"; }
        location = /floor { default_type "application/json; charset=utf-8"; }
    }
}
EOF
nginx -c "$ROOT/nginx/nginx.conf" -p "$ROOT/nginx" &
NPID=$!
for name in $NAMES; do
    for _ in $(seq 1 50); do
        curl -sf -o /dev/null "http://127.0.0.1:$NPORT/$name" && break
        sleep 0.2
    done
    curl -sf -o /dev/null "http://127.0.0.1:$NPORT/$name" || { echo "bench_serve: nginx does not serve $name" >&2; cat "$ROOT/nginx/error.log" >&2; exit 1; }
done

# requests/s of one wrk run; stops on any non-2xx or socket error.
rate() {
    out=$(wrk -t1 -c32 -d"${SECS}s" -H "$AUTH" "$1")
    if echo "$out" | grep -q -e 'Non-2xx' -e 'Socket errors'; then
        echo "bench_serve: $1: $out" >&2
        exit 1
    fi
    echo "$out" | awk '/^Requests\/sec:/ {print $2}'
}

echo "bench_serve: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t1 -c32 -d${SECS}s; $ROUNDS rounds"
for name in $NAMES; do
    echo "$name: $(wc -c <"$ROOT/www/$name") bytes"
done
printf '%-6s %-7s %12s %12s %8s\n' round answer kenes_rps nginx_rps ratio
for r in $(seq 1 "$ROUNDS"); do
    for name in $NAMES; do
        eval "p=\$PATH_$name"
        if [ $((r % 2)) = 1 ]; then
            k=$(rate "http://127.0.0.1:$KPORT$p")
            n=$(rate "http://127.0.0.1:$NPORT/$name")
        else
            n=$(rate "http://127.0.0.1:$NPORT/$name")
            k=$(rate "http://127.0.0.1:$KPORT$p")
        fi
        ratio=$(python3 -c "print('%.3f' % ($k / $n))")
        printf '%-6s %-7s %12s %12s %8s\n' "$r" "$name" "$k" "$n" "$ratio" | tee -a "$ROOT/rows"
    done
done
echo "median of the per-round ratios (min-max); medians of requests/s:"
python3 - "$ROOT/rows" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for name in ("plan", "report", "public", "floor"):
    rs = [float(r[4]) for r in rows if r[1] == name]
    ks = [float(r[2]) for r in rows if r[1] == name]
    ns = [float(r[3]) for r in rows if r[1] == name]
    print("%-7s kenes/nginx %.3f (%.3f-%.3f); kenes %.0f/s, nginx %.0f/s"
          % (name, statistics.median(rs), min(rs), max(rs), statistics.median(ks), statistics.median(ns)))
EOF
