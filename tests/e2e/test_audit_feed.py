"""Auditors: the audit feed with its cursor, and documents as they stood."""
import base64
import time
import unittest

from kenes_harness import Server, plan_body


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


if __name__ == "__main__":
    unittest.main()
