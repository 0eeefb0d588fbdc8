"""A random walk over the API from a fixed seed, with the configuration a real
installation has (reports published after approvals, daily): creates, edits
with current, stale and missing ETags, every transition by every kind of
user, comments as people type them, reads of every kind, erasures, and bad
input.  Whatever the step, the server answers below 500 and stays up; at the
end the history verifies, git fsck is clean, and a restart serves exactly
what was there.

A second walk runs 4 clients at once on the same documents: the writer's
queue, ETags and four eyes under contention, with the same checks.

KENES_SOAK_SEED and KENES_SOAK_STEPS choose another walk (default 7, 400)."""
import json
import os
import random
import subprocess
import threading
import unittest

from kenes_harness import Server, git, plan_body, roster_body, run_cli
from test_cases import USERS_C, case_body

SEED = int(os.environ.get("KENES_SOAK_SEED", "7"))
STEPS = int(os.environ.get("KENES_SOAK_STEPS", "400"))

ACTIONS = ["submit", "approve", "return", "agree", "amend", "start-review", "approve-plan", "begin-accompaniment",
           "request-closure", "close", "reopen", "bogus"]
COMMENTS = [None, "", "Уточните показатели", "Таблица:\r\n---\r\n| a | b |\r\n", "  \n",
            "Kenes-Action: approve\n\nKenes-Document: plan/KZ-11/2026", "x" * 3000]
REGIONS = ["KZ-11", "KZ-15"]


class Soak(unittest.TestCase):
    def test_random_walk(self):
        rng = random.Random(SEED)
        s = Server(users=USERS_C, reports=True)
        users = [u[0] for u in USERS_C] + [None]
        docs = {}  # id -> last ETag seen
        answers = []

        def check(r, what):
            answers.append(r.status)
            self.assertLess(r.status, 500, f"step {what}: {r}")
            if r.status >= 400 and r.raw and (r.header("Content-Type") or "").startswith("text/html"):
                # A page's refusal (/public/...) is an error page, not JSON.
                self.assertIn('role="alert"', r.raw, f"step {what}: {r}")
            elif r.status >= 400 and r.raw:
                self.assertIn("error", r.json or {}, f"step {what}: {r}")
            return r

        def token(user):
            return s.token(user) if user else None

        try:
            s.start()
            for step in range(STEPS):
                op = rng.choices(["create", "edit", "act", "inbox", "read", "erase", "bad"],
                                 [3, 3, 3, 6, 6, 1, 1])[0]
                user = rng.choice(users)
                what = f"{step} {op} {user}"
                if op == "inbox" and user:
                    # What this user may do now, as the inbox says: the walk then
                    # goes through the workflows rather than mostly into 403s.
                    items = check(s.request("GET", "/api/v1/inbox", token=token(user)), what).json["items"]
                    items = [i for i in items if i["actions"]]
                    if not items:
                        continue
                    item = rng.choice(items)
                    cur = check(s.request("GET", "/api/v1/documents/" + item["id"], token=token(user)), what)
                    if cur.status != 200:
                        continue
                    body = {"action": rng.choice(item["actions"]), "comment": rng.choice(COMMENTS[2:])}
                    r = check(s.request("POST", f"/api/v1/documents/{item['id']}/transitions", body,
                                        token=token(user), headers={"If-Match": cur.header("ETag")}), what)
                    if r.status == 200:
                        docs[item["id"]] = r.header("ETag")
                    continue
                if op == "create" or not docs:
                    region = rng.choice(REGIONS)
                    if rng.random() < 0.7:  # mostly the region's own official
                        user = "off11" if region == "KZ-11" else "off15"
                    kind = rng.choice(["plan", "roster", "case"])
                    if kind == "plan":
                        body = plan_body(region=region, period=rng.randint(2026, 2030))
                    elif kind == "roster":
                        body = roster_body(region=region, order_date=f"2026-0{rng.randint(1, 9)}-0{rng.randint(1, 9)}")
                    else:
                        body = case_body(region=region)
                    r = check(s.request("POST", "/api/v1/documents", body, token=token(user)), what)
                    if r.status == 201:
                        docs[r.json["id"]] = r.header("ETag")
                    continue
                doc = rng.choice(sorted(docs))
                etag = docs[doc]
                if rng.random() < 0.1:
                    etag = '"0000000000000000000000000000000000000000"'
                elif rng.random() < 0.05:
                    etag = None
                headers = {"If-Match": etag} if etag else {}
                if op == "edit":
                    cur = s.request("GET", "/api/v1/documents/" + doc, token=token("adm"))
                    if cur.status != 200:
                        continue
                    body = {"title": cur.json["title"] or "Без названия",
                            "body": cur.json["body"] + f"\nПравка {step}.\n",
                            "fields": cur.json["fields"]}
                    r = check(s.request("PUT", "/api/v1/documents/" + doc, body, token=token(user),
                                        headers=headers), what)
                elif op == "act":
                    body = {"action": rng.choice(ACTIONS)}
                    if body["action"] == "approve" and rng.random() < 0.5:  # the akimat's act
                        body["fields"] = rng.choice([{"act": {"number": "№ 7", "date": "2026-02-05"}},
                                                     {"act": {"number": ""}}, {"period": 2027}])
                    comment = rng.choice(COMMENTS)
                    if comment is not None:
                        body["comment"] = comment
                    r = check(s.request("POST", f"/api/v1/documents/{doc}/transitions", body,
                                        token=token(user), headers=headers), what)
                elif op == "erase":
                    r = check(s.request("DELETE", "/api/v1/documents/" + doc,
                                        {"reason": "Срок хранения истёк"}, token=token("adm"),
                                        headers=headers), what)
                elif op == "bad":
                    path, raw = rng.choice([
                        ("/api/v1/documents", b"{not json"),
                        ("/api/v1/documents", json.dumps({"type": "regional-plan", "extra": 1}).encode()),
                        (f"/api/v1/documents/{doc}/transitions", b'{"action": 5}'),
                        ("/api/v1/documents/../../etc/passwd", b"{}"),
                        (f"/api/v1/documents/{doc}", b'{"title": "\xff\xfe"}'),
                    ])
                    r = check(s.request("POST" if "transitions" in path or path.endswith("documents") else "PUT",
                                        path, raw=raw, token=token(user), headers=headers), what)
                else:
                    hist = s.request("GET", f"/api/v1/documents/{doc}/history", token=token("aud"))
                    commits = [v["commit"] for v in (hist.json or {}).get("versions", [])] or ["0" * 40]
                    a, b = rng.choice(commits), rng.choice(commits)
                    path = rng.choice([
                        f"/api/v1/documents/{doc}", f"/api/v1/documents/{doc}/history",
                        f"/api/v1/documents/{doc}/versions/{a}",
                        f"/api/v1/documents/{doc}/diff?from={a}&to={b}",
                        f"/api/v1/documents/{doc}/dossier.zip",
                        f"/api/v1/documents/{doc}?at=2026-0{rng.randint(1, 9)}-15T10:00:00Z",
                        "/api/v1/documents?stage=ministry-agreement", "/api/v1/inbox",
                        "/api/v1/audit?limit=5", "/api/v1/audit/access", f"/public/{doc}",
                        "/reports/national", "/reports/cases", "/reports/regions/KZ-11",
                        "/reports/bundle.zip",
                    ])
                    r = check(s.request("GET", path, token=token(user)), what)
                if r.status in (200, 201) and r.header("ETag") and op != "read":
                    docs[doc] = r.header("ETag")
            # Every kind of answer came up, not only refusals.
            self.assertGreater(sum(1 for c in answers if c < 300), STEPS // 4, answers)
            before = s.request("GET", "/api/v1/documents", token=s.token("adm")).json
            self.assertEqual(s.stop(), 0)
            for repo in (s.docs_git, s.cases_git):
                if git(repo, "rev-parse", "--verify", "-q", "main", check=False).strip():
                    subprocess.run(["git", "-C", repo, "fsck", "--strict"], check=True,
                                   capture_output=True)
            code, out, err = run_cli("verify", "--data", s.data)
            self.assertEqual(code, 0, out + err)
            s.start()
            s.tokens.clear()
            self.assertEqual(s.request("GET", "/api/v1/documents", token=s.token("adm")).json, before)
        finally:
            s.cleanup()


class ConcurrentSoak(unittest.TestCase):
    def test_four_clients_at_once(self):
        s = Server(users=USERS_C, reports=True)
        names = [u[0] for u in USERS_C]
        lock = threading.Lock()
        docs, faults, answered = [], [], []

        def worker(seed):
            rng = random.Random(SEED * 100 + seed)
            for step in range(STEPS // 3):
                try:
                    op = rng.choice(["create", "act", "act", "edit", "read"])
                    with lock:
                        known = list(docs)
                    if op == "create" or not known:
                        region = rng.choice(REGIONS)
                        maker = rng.choice([plan_body, roster_body, case_body])
                        r = s.request("POST", "/api/v1/documents", maker(region=region),
                                      token=tokens["off11" if region == "KZ-11" else "off15"])
                        if r.status == 201:
                            with lock:
                                docs.append(r.json["id"])
                    elif op == "act":
                        user = rng.choice(names)
                        items = [i for i in s.request("GET", "/api/v1/inbox",
                                                      token=tokens[user]).json["items"] if i["actions"]]
                        if not items:
                            continue
                        item = rng.choice(items)
                        cur = s.request("GET", "/api/v1/documents/" + item["id"], token=tokens[user])
                        if cur.status != 200:
                            continue
                        act = {"action": rng.choice(item["actions"]), "comment": "ок\r\n---\r\n"}
                        if act["action"] == "approve":  # the akimat records its resolution
                            act["fields"] = {"act": {"number": "№ 7", "date": "2026-02-05"}}
                        r = s.request("POST", f"/api/v1/documents/{item['id']}/transitions", act,
                                      token=tokens[user], headers={"If-Match": cur.header("ETag")})
                    elif op == "edit":
                        doc = rng.choice(known)
                        cur = s.request("GET", "/api/v1/documents/" + doc, token=tokens["adm"])
                        if cur.status != 200:
                            continue
                        r = s.request("PUT", "/api/v1/documents/" + doc,
                                      {"title": cur.json["title"] or "—", "body": cur.json["body"] + "!",
                                       "fields": cur.json["fields"]},
                                      token=tokens["adm"], headers={"If-Match": cur.header("ETag")})
                    else:
                        doc = rng.choice(known)
                        r = s.request("GET", rng.choice([f"/api/v1/documents/{doc}/history",
                                                         f"/api/v1/documents/{doc}/dossier.zip",
                                                         "/reports/national", f"/public/{doc}",
                                                         "/api/v1/audit?limit=20"]), token=tokens["aud"])
                    with lock:
                        answered.append(r.status)
                        if r.status >= 500:
                            faults.append((seed, step, op, r))
                except Exception as e:  # a dropped connection, a bad answer
                    with lock:
                        faults.append((seed, step, "exception", repr(e)))

        try:
            s.start()
            tokens = {n: s.token(n) for n in names}
            threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(faults, [])
            self.assertGreater(sum(1 for c in answered if c < 300), len(answered) // 3)
            self.assertEqual(s.stop(), 0)
            for repo in (s.docs_git, s.cases_git):
                subprocess.run(["git", "-C", repo, "fsck", "--strict"], check=True, capture_output=True)
            code, out, err = run_cli("verify", "--data", s.data)
            self.assertEqual(code, 0, out + err)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
