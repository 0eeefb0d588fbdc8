#!/bin/sh
# bench_soak.sh: does kenes's memory stay flat under a steady load (issue 16,
# item 10)?  N clients write and read for M minutes; the server's resident
# memory is sampled every second and the lowest sample of each minute is
# printed (the lowest, because a sample in the middle of a batch or a page
# render is noise; what a minute never goes below is what the server keeps).
#
#   bench/bench_soak.sh KENES [MINUTES] [CLIENTS]      (defaults: 10 minutes, 8 clients)
#
# KENES is a built kenes binary (measure a Release build).  The script makes
# a data folder under $TMPDIR (default /tmp) with `kenes init` and one admin
# user, starts `kenes serve` on it (KENES_SERVE_ARGS adds arguments), and runs
# the clients, each on its own keep-alive connection, on the 100 regional
# plans of bench_writes (20 regions x periods 2026-2030), split between them:
#
#   once per plan     create (201), submit (200)
#   then, for ever    return with a comment, edit the body (PUT; the text
#                     changes each time), submit again; after each write
#                     one read in turn: the plan's JSON, its web page (the
#                     Markdown body rendered), its history, the list of
#                     plans, /reports/national (200 or 404 before the first
#                     publication), /healthz
#
# so the number of documents stays at 100 while their versions, the
# history, the journal and the packs grow as in a real service.  Any answer
# other than the expected one stops the run.  The table: per minute, the
# lowest and highest VmRSS (MiB), the lowest RssAnon (the heap, without the
# files libgit2 maps), writes and reads done in that minute; then the slope
# of both lowest series over the second half of the run (MiB/min) and
# the server's open file descriptors at the start and at the end (a
# repository handle that keeps removed packs open shows there too).  At the
# end SIGTERM must stop the server with exit code 0.  KEEP=1 keeps the folder.
#
# MEMCG_MIB=N runs the server alone in a memory cgroup limited to N MiB
# (cgroup v1's memory controller, or v2 with it enabled; root only): the
# files libgit2 maps count in VmRSS, and under the limit the kernel takes
# them back, so the run shows what the server needs, not what the page
# cache was allowed to keep.  The end prints the cgroup's peak, how often
# it hit the limit, and its memory.stat (rss, mapped_file, cache).
set -eu

KENES=${1:?usage: bench_soak.sh KENES [MINUTES] [CLIENTS]}
MINUTES=${2:-10}
CLIENTS=${3:-8}
KENES=$(readlink -f "$KENES")
command -v python3 >/dev/null 2>&1 || { echo "bench_soak: needs python3" >&2; exit 2; }

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/bench_soak-XXXXXX")
KPID=
cleanup() {
    [ -n "$KPID" ] && kill "$KPID" 2>/dev/null && wait "$KPID" 2>/dev/null || true
    [ -n "${CG:-}" ] && rmdir "$CG" 2>/dev/null || true
    [ -n "${KEEP:-}" ] && echo "bench_soak: kept $ROOT" >&2 || rm -rf "$ROOT"
}
trap cleanup EXIT INT TERM

"$KENES" init --data "$ROOT/data" >"$ROOT/cli.log" 2>&1
echo "soak-password-2026" | "$KENES" user add --data "$ROOT/data" --name soak --role admin \
    --password-stdin >>"$ROOT/cli.log" 2>&1

CG=
if [ -n "${MEMCG_MIB:-}" ]; then
    if [ -d /sys/fs/cgroup/memory ]; then
        CG=/sys/fs/cgroup/memory/kenes-soak-$$
        mkdir "$CG" && echo $((MEMCG_MIB * 1024 * 1024)) >"$CG/memory.limit_in_bytes"
    elif grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
        CG=/sys/fs/cgroup/kenes-soak-$$
        mkdir "$CG" && echo $((MEMCG_MIB * 1024 * 1024)) >"$CG/memory.max"
    else
        echo "bench_soak: MEMCG_MIB needs a memory cgroup controller" >&2
        exit 2
    fi
fi
# shellcheck disable=SC2086,SC2016
sh -c '[ -z "$1" ] || echo $$ >"$1/cgroup.procs" || exit 2; shift; exec "$@"' sh "$CG" \
    "$KENES" serve --data "$ROOT/data" --listen 127.0.0.1:0 ${KENES_SERVE_ARGS:-} \
    >"$ROOT/kenes.out" 2>"$ROOT/kenes.log" &
KPID=$!
KPORT=
for _ in $(seq 1 600); do
    KPORT=$(sed -n 's/^kenes .* listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$ROOT/kenes.out")
    [ -n "$KPORT" ] && break
    sleep 0.2
done
[ -n "$KPORT" ] || { echo "bench_soak: kenes did not start" >&2; tail "$ROOT/kenes.log" >&2; exit 1; }

echo "bench_soak: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $CLIENTS clients, $MINUTES minutes; kenes $("$KENES" --version 2>/dev/null || echo '?') pid $KPID${CG:+, in $CG limited to $MEMCG_MIB MiB}"
rc=0
python3 - "$KPORT" "$KPID" "$MINUTES" "$CLIENTS" <<'EOF' || rc=$?
import http.client, json, os, sys, threading, time

port, pid, minutes, nclients = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
REGIONS = ["KZ-10", "KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31", "KZ-33", "KZ-35",
           "KZ-39", "KZ-43", "KZ-47", "KZ-55", "KZ-59", "KZ-61", "KZ-62", "KZ-63", "KZ-71",
           "KZ-75", "KZ-79"]
PLANS = [(REGIONS[p % 20], 2026 + p // 20) for p in range(100)]
stop = threading.Event()
lock = threading.Lock()
counts = {"writes": 0, "reads": 0}
failure = []


def request(conn, method, path, token, body=None, etag=None, cookie=False):
    headers = {"Authorization": "Bearer " + token} if not cookie else {"Cookie": "kenes_session=" + token}
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body).encode()
    if etag:
        headers["If-Match"] = etag
    for attempt in range(2):
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            return r.status, r.getheader("ETag"), r.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()  # the server closed a keep-alive connection: once more
            if attempt:
                raise


def login():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request("POST", "/api/v1/sessions", body=json.dumps({"user": "soak", "password": "soak-password-2026"}),
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    if r.status != 201:
        sys.exit("bench_soak: login answered %d: %s" % (r.status, data[:300]))
    return json.loads(data)["token"]


def body_text(region, year, rev):
    lines = ["# План мероприятий %s на %d год" % (region, year), "",
             "Редакция %d. Меры по профилактике правонарушений среди несовершеннолетних." % rev, ""]
    for i in range(12):
        lines.append("%d. Мера %d: школьные службы примирения, работа с семьями, выездные "
                     "бригады и консультации (ред. %d)." % (i + 1, i + 1, rev))
    return "\n".join(lines) + "\n"


def measure(direction, title, deadline, amount):
    return {"title": title, "direction": direction, "lead_agency": "Управление образования области",
            "co_executors": ["Департамент полиции", "Управление здравоохранения"], "deadline": deadline,
            "funding": {"source": "местный бюджет" if amount else "не требуется", "amount_kzt": amount},
            "indicator": "Доля школ, охваченных мерой, %", "baseline": 40, "target": 90}


def fields(year):
    return {"period": year, "measures": [
        measure("safety", "Службы примирения в школах", "%d-Q2" % year, 12500000),
        measure("education", "Обучение педагогов профилактике буллинга", "%d-09-01" % year, 0),
        measure("health", "Школьные психологи: супервизия", "%d-Q3" % year, 4000000),
        measure("family-social-protection", "Сопровождение семей в трудной ситуации", "%d-Q4" % year, 0)],
        "local_specifics": "Сельские районы далеко от центров помощи."}


def client(k, token):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    mine = [PLANS[p] for p in range(len(PLANS)) if p % nclients == k]
    etags, revs, turn = {}, {}, 0

    def write(method, path, body, want, etag=None):
        st, tag, data = request(conn, method, path, token, body, etag)
        if st != want:
            raise RuntimeError("%s %s: %d, expected %d: %s" % (method, path, st, want, data[:300]))
        with lock:
            counts["writes"] += 1
        return tag

    def read(region, year):
        nonlocal turn
        doc = "/api/v1/documents/plan/%s/%d" % (region, year)
        which = turn % 6
        turn += 1
        path, ok, cookie = [(doc, (200,), False), ("/ui/d/plan/%s/%d" % (region, year), (200,), True),
                            (doc + "/history", (200,), False),
                            ("/api/v1/documents?type=regional-plan", (200,), False),
                            ("/reports/national", (200, 404), False), ("/healthz", (200,), False)][which]
        st, _, data = request(conn, "GET", path, token, cookie=cookie)
        if st not in ok:
            raise RuntimeError("GET %s: %d: %s" % (path, st, data[:300]))
        with lock:
            counts["reads"] += 1

    try:
        for region, year in mine:
            doc = "/api/v1/documents/plan/%s/%d" % (region, year)
            etags[doc] = write("POST", "/api/v1/documents",
                               {"type": "regional-plan", "region": region,
                                "title": "План мероприятий %s на %d год" % (region, year),
                                "body": body_text(region, year, 0), "fields": fields(year)}, 201)
            etags[doc] = write("POST", doc + "/transitions", {"action": "submit"}, 200, etags[doc])
            revs[doc] = 0
        while not stop.is_set():
            for region, year in mine:
                if stop.is_set():
                    break
                doc = "/api/v1/documents/plan/%s/%d" % (region, year)
                revs[doc] += 1
                etags[doc] = write("POST", doc + "/transitions",
                                   {"action": "return", "comment": "Уточните меры (%d)." % revs[doc]},
                                   200, etags[doc])
                read(region, year)
                etags[doc] = write("PUT", doc, {"body": body_text(region, year, revs[doc])}, 200, etags[doc])
                read(region, year)
                etags[doc] = write("POST", doc + "/transitions", {"action": "submit"}, 200, etags[doc])
                read(region, year)
    except Exception as e:  # noqa: BLE001 - any failure stops the run, with what it was
        with lock:
            failure.append("client %d: %s" % (k, e))
        stop.set()


def status_kib(key, *more):
    want, got = (key,) + more, {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            for k in want:
                if line.startswith(k):
                    got[k] = int(line.split()[1])
    return got.get(key, -1) if not more else [got.get(k, -1) for k in want]


def fds():
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return -1


token = login()
fds_start = fds()
threads = [threading.Thread(target=client, args=(k, token), daemon=True) for k in range(nclients)]
t0 = time.monotonic()
for t in threads:
    t.start()
print("minute  low_MiB  high_MiB  anon_MiB  writes  reads  fds", flush=True)
rows, anons, minute = [], [], 0
last = {"writes": 0, "reads": 0}
while minute < minutes and not stop.is_set():
    lo, hi, alo = None, None, None
    end = t0 + 60 * (minute + 1)
    while time.monotonic() < end and not stop.is_set():
        try:
            rss, anon = (x / 1024.0 for x in status_kib("VmRSS:", "RssAnon:"))
        except OSError:
            failure.append("the server is gone")
            stop.set()
            break
        lo = rss if lo is None or rss < lo else lo
        hi = rss if hi is None or rss > hi else hi
        # The heap's own, apart from the files libgit2 maps (the packs'
        # indexes, which grow with the repository on disk).
        alo = anon if alo is None or anon < alo else alo
        time.sleep(1.0)
    if lo is None or stop.is_set():
        break
    minute += 1
    with lock:
        w, r = counts["writes"] - last["writes"], counts["reads"] - last["reads"]
        last = dict(counts)
    rows.append(lo)
    anons.append(alo)
    print("%6d  %7.1f  %8.1f  %8.1f  %6d  %5d  %3d" % (minute, lo, hi, alo, w, r, fds()),
          flush=True)
stop.set()
for t in threads:
    t.join(timeout=600)
if failure:
    sys.exit("bench_soak: stopped: " + failure[0])
for name, series in (("RSS", rows), ("RssAnon", anons)):
    half = series[len(series) // 2:]
    if len(half) >= 2:
        n = len(half)
        xs = range(n)
        mx, my = (n - 1) / 2.0, sum(half) / n
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, half)) / sum((x - mx) ** 2 for x in xs)
        print("lowest %s over the second half (minutes %d-%d): %.1f -> %.1f MiB, slope %+.2f MiB/min"
              % (name, len(series) - n + 1, len(series), half[0], half[-1], slope))
print("VmHWM %.1f MiB; open descriptors %d at the start, %d at the end; %d writes, %d reads"
      % (status_kib("VmHWM:") / 1024.0, fds_start, fds(), counts["writes"], counts["reads"]))
EOF
[ "$rc" = 0 ] || { echo "bench_soak: the clients failed (exit $rc); the server's log:" >&2; tail -20 "$ROOT/kenes.log" >&2; exit 1; }
if [ -n "$CG" ] && [ -f "$CG/memory.max_usage_in_bytes" ]; then
    echo "bench_soak: cgroup peak $(($(cat "$CG/memory.max_usage_in_bytes") / 1048576)) MiB, hit the limit $(cat "$CG/memory.failcnt") times;" \
        "$(grep -E '^(rss|mapped_file|cache) ' "$CG/memory.stat" | awk '{printf "%s %.1f MiB ", $1, $2 / 1048576}')"
elif [ -n "$CG" ]; then
    echo "bench_soak: cgroup peak $(($(cat "$CG/memory.peak" 2>/dev/null || echo 0) / 1048576)) MiB;" \
        "$(grep -E '^(anon|file_mapped|file) ' "$CG/memory.stat" | awk '{printf "%s %.1f MiB ", $1, $2 / 1048576}')"
fi
kill "$KPID"
wait "$KPID" || { echo "bench_soak: kenes did not stop cleanly" >&2; tail -20 "$ROOT/kenes.log" >&2; KPID=; exit 1; }
KPID=
du -sh "$ROOT/data"/*.git | sed 's/^/bench_soak: on disk /'
