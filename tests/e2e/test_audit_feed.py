"""Auditors: the audit feed with its cursor, and documents as they stood.

The feed is read from the history journals (DATA/index/<repository>.jsonl)
backwards, the two repositories merged by time: the order the tests expect
is computed from those files, and the cursor is their byte offsets."""
import base64
import json
import os
import time
import unittest

from kenes_harness import Server, git, plan_body
from test_cases import USERS_C, case_body

CASE_COMMENT = "Мать ребёнка просила не звонить в школу"


def journal_versions(data, repo):
    """(time, commit) of each version's line of repo's journal, in its order."""
    out = []
    with open(os.path.join(data, "index", repo + ".jsonl"), "rb") as f:
        for raw in f:
            if not raw.endswith(b"\n"):
                break
            line = json.loads(raw)
            if "document" in line and "author" in line:
                out.append((line["time"], line["commit"]))
    return out


def expected_feed(data):
    """Every version newest first: sorted by time, stably, documents.git's
    first at the same time (as the index kept them), then read backwards."""
    order = sorted(journal_versions(data, "documents") + journal_versions(data, "cases"),
                   key=lambda v: v[0])
    return [commit for _, commit in reversed(order)]


def git_versions(repo):
    """The commits of main that are a document's version (Kenes trailers)."""
    out = git(repo, "log", "--format=%H %(trailers:key=Kenes-Document,valueonly,separator=)",
              "main")
    return {line.split()[0] for line in out.splitlines() if len(line.split()) > 1}


def raw_cursor(s, user="aud", **query):
    q = "&".join(f"{k}={v}" for k, v in query.items())
    r = s.get("/api/v1/audit?" + q, user)
    assert r.status == 200, r
    return r.json["cursor"]


class AuditFeed(unittest.TestCase):
    def setUp(self):
        self.s = Server()
        self.s.start()

    def tearDown(self):
        self.s.cleanup()

    def test_feed_pages_newest_first_with_filters(self):
        s = self.s
        for region in ("KZ-11", "KZ-15", "KZ-19"):
            r = s.post("/api/v1/documents", plan_body(region=region), "adm")
            r = s.act(f"plan/{region}/2026", "submit", "adm", r.header("ETag"))
            self.assertEqual(r.status, 200, r)
        r = s.get("/api/v1/audit?limit=4", "aud")
        self.assertEqual(r.status, 200, r)
        page1 = r.json["events"]
        self.assertEqual(len(page1), 4)
        self.assertEqual(page1[0]["document"], "plan/KZ-19/2026")
        self.assertEqual(page1[0]["action"], "submit")
        r = s.get("/api/v1/audit?limit=4&cursor=" + r.json["cursor"], "aud")
        page2 = r.json["events"]
        self.assertEqual(len(page2), 2)
        self.assertIsNone(r.json["cursor"])
        commits = [e["commit"] for e in page1 + page2]
        self.assertEqual(len(set(commits)), 6)
        r = s.get("/api/v1/audit?region=KZ-15&action=create", "aud")
        self.assertEqual([(e["document"], e["action"]) for e in r.json["events"]],
                         [("plan/KZ-15/2026", "create")])
        self.assertEqual(s.get("/api/v1/audit?user=nobody", "aud").json["events"], [])
        # Tampered, foreign or malformed cursors and times are refused.
        cur = s.get("/api/v1/audit?limit=1", "aud").json["cursor"]
        raw = bytearray(base64.urlsafe_b64decode(cur + "=" * (-len(cur) % 4)))
        raw[0] ^= 1
        forged = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
        for q in ("cursor=" + forged, "cursor=abc", "since=yesterday", "limit=0",
                  "since=2026-02-07T15:00:00%2B05:0"):
            self.assertEqual(s.get("/api/v1/audit?" + q, "aud").status, 400, q)
        self.assertEqual(s.get("/api/v1/audit", "rev1").status, 403)

    def test_documents_as_they_stood(self):
        s = self.s
        r = s.post("/api/v1/documents", plan_body(region="KZ-11", title="Первая редакция"), "adm")
        self.assertEqual(r.status, 201, r)
        time.sleep(1.1)  # git keeps seconds
        between = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        time.sleep(1.1)
        r = s.put("/api/v1/documents/plan/KZ-11/2026", {"title": "Вторая редакция"}, "adm", r.header("ETag"))
        r = s.act("plan/KZ-11/2026", "submit", "adm", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        then = s.get(f"/api/v1/documents/plan/KZ-11/2026?at={between}", "aud")
        self.assertEqual(then.status, 200, then)
        self.assertEqual((then.json["title"], then.json["stage"]), ("Первая редакция", "draft"))
        listed = s.get(f"/api/v1/documents?at={between}", "aud").json["documents"]
        self.assertEqual([(d["id"], d["stage"]) for d in listed], [("plan/KZ-11/2026", "draft")])
        now = s.get("/api/v1/documents?stage=regional-approval", "aud").json["documents"]
        self.assertEqual(len(now), 1)
        self.assertEqual(s.get("/api/v1/documents/plan/KZ-11/2026?at=2020-01-01T00:00:00Z", "aud").status, 404)
        self.assertEqual(s.get("/api/v1/documents?at=2020-01-01T00:00:00Z", "aud").json["documents"], [])
        # %2B is '+': a short offset was once read past its end; 30 February, a sign.
        for bad in ("2999-01-01T00:00:00Z", "yesterday", "2026-13-45T00:00:00Z",
                    "2026-02-07T15:00:00%2B05:0", "2026-02-30T10:00:00Z", "%2B026-02-07T10:00:00Z"):
            self.assertEqual(s.get(f"/api/v1/documents?at={bad}", "aud").status, 400, bad)
            self.assertEqual(s.get(f"/api/v1/documents/plan/KZ-11/2026?at={bad}", "aud").status, 400, bad)


class AuditFeedJournals(unittest.TestCase):
    """Plans and cases, both repositories, paged across a restart and new writes."""

    def setUp(self):
        # Steps of 300 journal bytes: every page below is read in several.
        self.s = Server(users=USERS_C, env={"KENES_TEST_FEED_STEP": "300"})
        self.s.start()

    def tearDown(self):
        self.s.cleanup()

    def write_some(self, period):
        """Two plans and a case, interleaved: commits in both repositories."""
        s = self.s
        r = s.post("/api/v1/documents", plan_body(region="KZ-11", period=period), "off11")
        self.assertEqual(r.status, 201, r)
        plan_etag = r.header("ETag")
        r = s.post("/api/v1/documents", case_body(), "off11")
        self.assertEqual(r.status, 201, r)
        cid = r.json["id"]
        r = s.act(f"plan/KZ-11/{period}", "submit", "off11", plan_etag)
        self.assertEqual(r.status, 200, r)
        r = s.act(cid, "start-review", "off11", s.get("/api/v1/documents/" + cid,
                                                     "off11").header("ETag"),
                  comment=CASE_COMMENT)
        self.assertEqual(r.status, 200, r)
        r = s.post("/api/v1/documents", plan_body(region="KZ-15", period=period), "off15")
        self.assertEqual(r.status, 201, r)
        return cid

    def pages(self, limit, cursor=None, **query):
        """Every page from cursor on: the commits, and the events themselves."""
        s, commits, events = self.s, [], []
        while True:
            q = dict(query, limit=limit)
            if cursor:
                q["cursor"] = cursor
            r = s.get("/api/v1/audit?" + "&".join(f"{k}={v}" for k, v in q.items()), "aud")
            self.assertEqual(r.status, 200, r)
            self.assertNotIn(CASE_COMMENT, r.raw)
            for e in r.json["events"]:
                self.assertEqual(set(e) - {"role", "type", "region", "from"},
                                 {"commit", "time", "user", "action", "document", "to"}, e)
            events += r.json["events"]
            commits += [e["commit"] for e in r.json["events"]]
            cursor = r.json["cursor"]
            if not cursor:
                return commits, events

    def test_pages_across_both_repositories_a_restart_and_new_writes(self):
        s = self.s
        self.write_some(2026)
        time.sleep(1.1)  # the next writes a second later: git keeps seconds
        self.write_some(2027)
        want = expected_feed(s.data)
        everything = git_versions(s.docs_git) | git_versions(s.cases_git)
        self.assertEqual(set(want), everything)
        self.assertEqual(len(want), 10)
        for limit in (1, 3, 5, 50):
            got, events = self.pages(limit)
            self.assertEqual(got, want, limit)
        self.assertIn("case-review", {e.get("type") for e in events})
        # A page's cursor stays good while versions are appended after it.
        first = s.get("/api/v1/audit?limit=4", "aud").json
        self.assertEqual([e["commit"] for e in first["events"]], want[:4])
        self.write_some(2028)
        rest, _ = self.pages(4, first["cursor"])
        self.assertEqual(rest, want[4:])
        now = expected_feed(s.data)
        self.assertEqual(now[5:], want)
        self.assertEqual(self.pages(4)[0], now)
        # After a restart: the same order from the same journals; the old
        # cursor ends with the process that made it.
        s.stop()
        s.start()
        s.tokens.clear()
        self.assertEqual(s.get("/api/v1/audit?cursor=" + first["cursor"], "aud").status, 400)
        self.assertEqual(self.pages(5)[0], now)
        self.write_some(2029)
        after = expected_feed(s.data)
        self.assertEqual(after[5:], now)
        self.assertEqual(self.pages(7)[0], after)

    def test_rare_filters_read_in_many_steps(self):
        s = self.s
        cid = self.write_some(2026)
        for region, period in (("KZ-11", 2027), ("KZ-11", 2028), ("KZ-11", 2029),
                               ("KZ-19", 2026), ("KZ-19", 2027), ("KZ-19", 2028)):
            r = s.post("/api/v1/documents", plan_body(region=region, period=period), "adm")
            self.assertEqual(r.status, 201, r)
        want = expected_feed(s.data)
        self.assertEqual(len(want), 11)
        # Each of these matches one change, far back in the journals.
        for query, who in (({"type": "case-review", "action": "create"}, (cid, "create")),
                           ({"region": "KZ-15"}, ("plan/KZ-15/2026", "create")),
                           ({"user": "off11", "action": "submit"}, ("plan/KZ-11/2026", "submit")),
                           ({"action": "start-review"}, (cid, "start-review"))):
            for limit in (1, 50):
                _, events = self.pages(limit, **query)
                self.assertEqual([(e["document"], e["action"]) for e in events], [who], query)
        # until before the first change, since after the last: nothing.
        self.assertEqual(self.pages(2, until="2000-01-01T00:00:00Z")[0], [])
        self.assertEqual(self.pages(2, since="2999-01-01T00:00:00Z")[0], [])

    def test_bad_cursors_answer_400_and_write_nothing(self):
        s = self.s
        self.write_some(2026)
        cursor = raw_cursor(s, limit=2)
        journal = os.path.join(s.data, "index", "documents.jsonl")
        access = os.path.join(s.data, "access.log")

        def state():
            files = []
            for path in (access, journal, os.path.join(s.data, "index", "cases.jsonl")):
                with open(path, "rb") as f:
                    files.append(f.read())
            return (files, git(s.docs_git, "rev-parse", "main"),
                    git(s.cases_git, "rev-parse", "main"))

        with open(journal, "rb") as f:
            lines = f.read()
        # Tampered: its MAC no longer holds.
        raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        raw[3] ^= 1
        forged = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
        before = state()
        r = s.get("/api/v1/audit?cursor=" + forged, "aud")
        self.assertEqual((r.status, r.json["error"]["code"]), (400, "bad_cursor"))
        self.assertEqual(state(), before)
        # The journal changed under it (it never is, but for kenes reindex
        # with the server stopped): its offset now inside a line, then past the end.
        for changed in (b" " + lines, lines[:40]):
            with open(journal, "wb") as f:
                f.write(changed)
            before = state()
            r = s.get("/api/v1/audit?limit=2&cursor=" + cursor, "aud")
            self.assertEqual((r.status, r.json["error"]["code"]), (400, "bad_cursor"), changed[:8])
            self.assertEqual(state(), before)
        with open(journal, "wb") as f:
            f.write(lines)
        r = s.get("/api/v1/audit?limit=2&cursor=" + cursor, "aud")
        self.assertEqual([e["commit"] for e in r.json["events"]], expected_feed(s.data)[2:4])


if __name__ == "__main__":
    unittest.main()
