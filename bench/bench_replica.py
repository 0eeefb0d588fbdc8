#!/usr/bin/env python3
"""How far a read replica lags (issue 17 item 2; BENCHMARKS.md "Read replicas").

A primary and a replica on 127.0.0.1, made as README "Read replicas" says,
the primary's file:// mirrors pointing at the replica's repositories (the e2e
harness starts both).  First --history commits are made on the primary (a
plan, then edits of it) with the replica stopped; the replica is started and
the time until its /healthz names the primary's head is its catch-up.  Then
--writes edits one after another: for each, the time from the primary's
answer to the replica serving the new title (polled every 20 ms).
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
from kenes_harness import Server, git, plan_body, run_cli  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--history", type=int, default=200)
    ap.add_argument("--writes", type=int, default=20)
    ap.add_argument("--tmpdir", default=None)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="kenes-bench-replica-", dir=a.tmpdir)
    rdir = os.path.join(tmp, "replica")
    assert run_cli("init", "--data", rdir)[0] == 0
    cfg = (f"mirrors:\n  documents:\n    - url: file://{rdir}/documents.git\n"
           f"  cases:\n    - url: file://{rdir}/cases.git\n")
    p = Server(extra_config=cfg)
    for leaf in ("users.yaml", "allowed_signers", "keys/signing.pub"):
        shutil.copy2(os.path.join(p.data, leaf), os.path.join(rdir, leaf))
    p.start()
    r = Server(data=rdir, users=[])
    r.serve_args = ["--replica", "--primary", "http://primary.invalid"]
    try:
        w = p.post("/api/v1/documents", plan_body(), "off11")
        doc, etag = w.json["id"], w.header("ETag")
        for i in range(a.history - 1):
            w = p.put("/api/v1/documents/" + doc, {"title": f"H{i}"}, "off11", etag)
            etag = w.header("ETag")
        head = git(p.docs_git, "rev-parse", "main").strip()
        while git(os.path.join(rdir, "documents.git"), "rev-parse", "main",
                  check=False).strip() != head:
            time.sleep(0.05)
        t = time.monotonic()
        r.start()
        while r.request("GET", "/healthz").json.get("replica", {}).get("head") != head:
            time.sleep(0.02)
        print(f"catch-up of {a.history} commits from a fresh start: "
              f"{time.monotonic() - t:.2f} s (start included)")
        lags = []
        for i in range(a.writes):
            t = time.monotonic()
            w = p.put("/api/v1/documents/" + doc, {"title": f"T{i}"}, "off11", etag)
            etag = w.header("ETag")
            while True:
                g = r.get("/api/v1/documents/" + doc, "off11")
                if g.status == 200 and g.json["title"] == f"T{i}":
                    break
                time.sleep(0.02)
            lags.append(time.monotonic() - t)
        print(f"answer on the primary -> served by the replica, {a.writes} writes: median "
              f"{statistics.median(lags):.2f} s, min {min(lags):.2f}, max {max(lags):.2f}")
    finally:
        r.cleanup()
        p.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
