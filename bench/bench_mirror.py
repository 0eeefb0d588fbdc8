#!/usr/bin/env python3
"""What a push to a mirror costs (issue 17 item 1; BENCHMARKS.md "Push mirrors").

A copy of a bench_start seed (--seed DIR, e.g. data-10000 of `bench_start
--build-only`) is served with a file:// mirror per repository (fresh bare
repositories beside it).  The start pushes the whole history; then --writes
single writes are made one after another to each repository (documents.git: a
plan, then edits of it; cases.git: new cases, by a regional official the
benchmark adds), and after each the benchmark waits until the mirror's main is
the server's.  It prints
the first push (commits, ms) and, per write, the push's own time as /healthz
reports it (last_push_ms: connect, look at the mirror's main, count, push) and
the time from the write's answer to the mirror holding it (polled every 10 ms).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
from kenes_harness import plan_body  # noqa: E402  (the e2e tests' valid plan)
from test_cases import case_body  # noqa: E402  (and case)

ADMIN, PASSWORD = "admin", "Zx7-admin-bench-2026"  # bench_start's seed user


def main_of(repo):
    p = subprocess.run(["git", "-C", repo, "rev-parse", "--verify", "-q", "refs/heads/main"],
                       capture_output=True, text=True)
    return p.stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kenes", required=True)
    ap.add_argument("--seed", required=True)
    ap.add_argument("--writes", type=int, default=30)
    ap.add_argument("--tmpdir", default=os.environ.get("TMPDIR", "/tmp"))
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench_mirror-", dir=a.tmpdir)
    data = os.path.join(tmp, "data")
    try:
        shutil.copytree(a.seed, data, symlinks=True)
        add = subprocess.run([a.kenes, "user", "add", "--data", data, "--name", "off11", "--role",
                              "regional-official", "--region", "KZ-11", "--password-stdin"],
                             input=PASSWORD + "\n", capture_output=True, text=True)
        assert add.returncode == 0, add.stderr
        mirrors = {}
        for r in ("documents", "cases"):
            mirrors[r] = os.path.join(tmp, f"m-{r}.git")
            subprocess.run(["git", "init", "-q", "--bare", "-b", "main", mirrors[r]], check=True)
        with open(os.path.join(data, "kenes.yaml"), "a") as f:
            f.write("mirrors:\n" + "".join(f"  {r}:\n    - url: file://{m}\n"
                                           for r, m in mirrors.items()))
        log = open(os.path.join(tmp, "server.log"), "w")
        proc = subprocess.Popen([a.kenes, "serve", "--data", data, "--listen", "127.0.0.1:0"],
                                stdout=subprocess.PIPE, stderr=log, text=True)
        port = None
        for line in proc.stdout:
            if "listening on http://" in line:
                port = int(line.rsplit(":", 1)[1])
                break
        if port is None:
            sys.exit("kenes did not start: see " + log.name)
        import http.client

        def call(method, path, body=None, token=None, etag=None):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            h = {"Content-Type": "application/json"}
            if token:
                h["Authorization"] = "Bearer " + token
            if etag:
                h["If-Match"] = etag
            c.request(method, path, body=json.dumps(body).encode() if body else None, headers=h)
            r = c.getresponse()
            out = (r.status, r.getheader("ETag"), json.loads(r.read() or b"null"))
            c.close()
            return out

        def mirror_state(repo):
            return call("GET", "/healthz")[2]["mirrors"][repo][0]

        t0 = time.monotonic()
        while not all(mirror_state(r)["state"] == "ok" and
                      mirror_state(r)["behind_commits"] == 0 for r in mirrors):
            time.sleep(0.05)
        print(f"first push at start (wall to both mirrors whole: {time.monotonic() - t0:.1f} s):")
        for r in mirrors:
            m = mirror_state(r)
            print(f"  {r}.git: {m.get('last_push_commits', 0)} commits in "
                  f"{m.get('last_push_ms', 0)} ms")
        token = call("POST", "/api/v1/sessions", {"user": ADMIN, "password": PASSWORD})[2]["token"]
        off = call("POST", "/api/v1/sessions", {"user": "off11", "password": PASSWORD})[2]["token"]
        q = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(p * len(xs)))]  # noqa: E731
        for repo in ("documents", "cases"):
            push_ms, wall_ms = [], []
            doc = etag = None
            for i in range(a.writes):
                if repo == "cases":
                    st, etag, body = call("POST", "/api/v1/documents", case_body("KZ-11"), off)
                    assert st == 201, body
                elif doc is None:
                    st, etag, body = call("POST", "/api/v1/documents",
                                          plan_body(region="KZ-11", period=2030), token)
                    assert st == 201, body
                    doc = body["id"]
                else:
                    st, etag, body = call("PUT", "/api/v1/documents/" + doc,
                                          {"title": f"План {i}"}, token, etag)
                    assert st == 200, body
                answered = time.monotonic()
                want = main_of(os.path.join(data, repo + ".git"))
                while main_of(mirrors[repo]) != want:
                    time.sleep(0.01)
                wall_ms.append((time.monotonic() - answered) * 1000)
                # The push's own report reaches the loop a moment after the ref moved.
                while (m := mirror_state(repo))["behind_commits"] or m["state"] != "ok":
                    time.sleep(0.01)
                push_ms.append(m["last_push_ms"])
            print(f"{a.writes} single writes, {repo}.git -> file:// mirror:")
            print(f"  push (healthz last_push_ms): median {statistics.median(push_ms):.0f} ms, "
                  f"p90 {q(push_ms, 0.9):.0f} ms, max {max(push_ms):.0f} ms")
            print(f"  answer -> mirror holds it: median {statistics.median(wall_ms):.0f} ms, "
                  f"p90 {q(wall_ms, 0.9):.0f} ms, max {max(wall_ms):.0f} ms")
        # The anchor, in the same run: git's own push of one commit at a time,
        # from the server's repository to a fresh bare one.
        for repo in mirrors:
            src, anchor = os.path.join(data, repo + ".git"), os.path.join(tmp, f"a-{repo}.git")
            subprocess.run(["git", "init", "-q", "--bare", "-b", "main", anchor], check=True)
            n = min(10, a.writes - 1)
            subprocess.run(["git", "-C", src, "push", "-q", anchor, f"main~{n}:refs/heads/main"],
                           check=True)
            took = []
            for k in range(n - 1, -1, -1):
                t = time.monotonic()
                subprocess.run(["git", "-C", src, "push", "-q", anchor,
                                f"main~{k}:refs/heads/main"], check=True)
                took.append((time.monotonic() - t) * 1000)
            print(f"anchor: git push of one commit, {repo}.git -> file://: median "
                  f"{statistics.median(took):.0f} ms ({n} pushes)")
        for repo, m in mirrors.items():
            fsck = subprocess.run(["git", "-C", m, "fsck", "--no-progress"],
                                  capture_output=True, text=True)
            print(f"git fsck of the {repo} mirror:",
                  "clean" if fsck.returncode == 0 else fsck.stderr)
        proc.terminate()
        proc.wait(timeout=120)
        print("server exit code:", proc.returncode)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
