"""A start on a repository that lost an older pack (probe finding 3, second
half): the journal names commits git no longer has.  The start still serves
(every document's newest version is in main's tree), but once listening a
check on the thread pool finds the missing commits: the log says how many
and names the first, /healthz answers 503 for that repository saying so,
and kenes verify names the object it cannot read instead of only
"input/output error".  A whole repository's check is logged as clean."""
import glob
import os
import subprocess
import unittest

from kenes_harness import (USERS, Server, git, run_cli, wait_until, with_commission)
from test_cases import case_body

USERS_C = with_commission(USERS)


def objects_of(idx):
    """The ids of the objects a pack's index lists."""
    with open(idx, "rb") as f:
        return subprocess.run(["git", "show-index"], stdin=f, capture_output=True, text=True,
                              check=True, timeout=60).stdout


class HistoryMissing(unittest.TestCase):
    def test_a_lost_pack_is_told_in_the_log_healthz_and_verify(self):
        s = Server(users=USERS_C, env={"KENES_NOW": "2026-03-25T09:00:00Z"})
        try:
            s.start()
            r = s.post("/api/v1/documents", case_body("KZ-11"), "off11")
            self.assertEqual(r.status, 201, r)
            cid, etag = r.json["id"], r.header("ETag")
            first = etag.strip('"')
            body = case_body("KZ-11")
            body["fields"]["grounds"] = ["bullying-victim", "truancy"]
            r = s.put("/api/v1/documents/" + cid, {"fields": body["fields"]}, "off11", etag)
            self.assertEqual(r.status, 200, r)
            etag = r.header("ETag")
            self.assertEqual(s.stop(), 0)
            # More versions, each in a pack of its own, so that the lost one
            # lies deeper than the start's walk of what it has not seen goes
            # (as in the probe, where the start then served): kenes gc packs
            # the first two and writes the commit-graph the start walks by.
            code, out, err = run_cli("gc", "--data", s.data)
            self.assertEqual(code, 0, out + err)
            s.start()
            wait_until(lambda: "cases.git: the 2 commits of its history journal are in git"
                       in s.read_log(), "the clean check's log line")
            self.assertEqual(s.request("GET", "/healthz").status, 200)
            for grounds in (["truancy"], ["bullying-victim"], ["truancy", "bullying-victim"]):
                body["fields"]["grounds"] = grounds
                r = s.put("/api/v1/documents/" + cid, {"fields": body["fields"]}, "off11", etag)
                self.assertEqual(r.status, 200, r)
                etag = r.header("ETag")
            self.assertEqual(s.stop(), 0)
            # The pack that holds the first commit goes (as a bad disk or an
            # operator's rm would have it); the newest tree is in another.
            packs = glob.glob(os.path.join(s.cases_git, "objects", "pack", "pack-*.idx"))
            holder = [p for p in packs if first in objects_of(p)]
            self.assertEqual(len(holder), 1, packs)
            head = git(s.cases_git, "rev-parse", "main").strip()
            self.assertNotIn(head, objects_of(holder[0]))
            for ext in (".idx", ".pack", ".rev"):
                path = holder[0][:-4] + ext
                if os.path.exists(path):
                    os.unlink(path)
            log_from = os.path.getsize(s.log_path)
            s.start()
            # Served all the same: the newest version is read.
            self.assertEqual(s.get("/api/v1/documents/" + cid, "off11").status, 200)
            since = lambda: s.read_log().encode()[log_from:].decode()  # noqa: E731
            wait_until(lambda: "not in git" in since(), "the check's log line")
            log = since()
            self.assertIn(first, log)
            self.assertIn("cases.git: 2 of the 5 commits its history journal names", log)
            h = s.request("GET", "/healthz")
            self.assertEqual(h.status, 503, h)
            self.assertIn("not in git", h.json["repos"]["cases"])
            self.assertEqual(h.json["repos"]["documents"], "ok")
            # The version that is gone cannot be read, and says so.
            r = s.get(f"/api/v1/documents/{cid}/versions/{first}", "off11")
            self.assertEqual(r.status, 500, r)
            self.assertEqual(s.stop(), 0)
            code, out, err = run_cli("verify", "--data", s.data)
            self.assertEqual(code, 1, out + err)
            self.assertIn("cases.git: cannot read the history", err)
            self.assertIn(first, err)
            self.assertIn("restore objects/pack from the backup", err)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
