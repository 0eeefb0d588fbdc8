"""Notifications' cost (README, Notifications): how long after its commit a
webhook event is delivered (the server's own log timestamps), and a write's
answer time, with no receiver, a good one, or a good one beside one that
never answers.  Run from the source tree with /usr/bin/python3 (aiosmtpd):

  KENES_BIN=build/kenes KENES_SOURCE_DIR=. /usr/bin/python3 bench/bench_notify.py 100 good+stuck
"""
import datetime
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../tests/e2e"))
import test_notify as T
from kenes_harness import Server, plan_body
N = int(sys.argv[1]); hooks = sys.argv[2]
good = T.Receiver(); stuck = T.Receiver(stuck=True)
cfg = {"none": "", "good": T.config([("a", good.port)]),
       "good+stuck": T.config([("a", good.port), ("b", stuck.port)])}[hooks]
srv = Server(extra_config=cfg); T.write_secrets(srv.data); srv.start()
r = srv.post("/api/v1/documents", plan_body(), "off11"); pid, etag = r.json["id"], r.header("ETag")
lat = []
for i in range(N):
    t = time.perf_counter()
    r = srv.put("/api/v1/documents/" + pid, {"fields": plan_body()["fields"], "body": f"# План\n\n{i}\n"}, "off11", etag=etag)
    lat.append((time.perf_counter() - t) * 1000); etag = r.header("ETag"); assert r.status == 200, r
if hooks != "none":
    T.wait_until(lambda: len(good.posts) >= N + 1, "all")
log = srv.read_log()
ts = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() * 1000
made = {m[1]: ts(m[0]) for m in re.findall(r"(\S+) info store: \w+ plan/\S+ by off11 -> (\w{12})", log)}
dl = [ts(m[0]) - made[m[1][:12]] for m in re.findall(r"(\S+) info notify: webhook 127.0.0.1:%d: delivered commit-(\w+)" % good.port, log) if m[1][:12] in made]
lat.sort(); dl.sort()
print(f"hooks={hooks} writes={N} answer median={statistics.median(lat):.1f} ms p90={lat[int(N*.9)]:.1f} ms"
      + (f"; commit->delivered median={statistics.median(dl):.1f} ms p90={dl[int(len(dl)*.9)]:.1f} ms (n={len(dl)})" if dl else ""))
srv.cleanup(); good.stop(); stuck.stop()
