"""Read replicas, issue 17 item 2 finished (README "Read replicas"): a replica
whose data folder holds the primary's case keys (DATA/keys/master.key and
DATA/keys/cases/, copied) follows cases.git too and serves cases under the
same access matrix, each read logged in the replica's own access.log and
never in the mirrored repositories; without the keys a case answers 503
naming why (API and page, ru/kk/en), never 404; a publication on the primary
is served by the replica without a restart; /api/v1/audit/head answers 200
there (its own access log, the heads it serves, no checkpoint)."""
import json
import os
import shutil
import unittest

from kenes_harness import Browser, git, wait_until
from test_cases import CHILD_NAME, case_body
from test_replica import PRIMARY_URL, ReplicaPair, health


def access_lines(data):
    path = os.path.join(data, "access.log")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(x) for x in f if x.strip()]


class ReplicaCases(ReplicaPair):
    def stop_both_cleanly(self):
        """Both servers stop with 0, nothing reported by the sanitizers."""
        for srv in (self.replica, self.primary):
            self.assertEqual(srv.stop(), 0)
            with open(srv.log_path, encoding="utf-8", errors="replace") as f:
                log = f.read()
            self.assertNotIn("AddressSanitizer", log)
            self.assertNotIn("runtime error", log)

    def new_case(self):
        r = self.primary.post("/api/v1/documents", case_body(), "off11")
        self.assertEqual(r.status, 201, r)
        head = git(self.primary.cases_git, "rev-parse", "main").strip()
        wait_until(lambda: git(self.rcases, "rev-parse", "main", check=False).strip() == head,
                   "the primary's mirror to push cases.git to the replica")
        return r.json["id"]

    def copy_keys(self):
        """As README "Read replicas" says: the primary's master key and case
        keys (never keys/signing.key), then a restart."""
        self.assertEqual(self.replica.stop(), 0)
        src = os.path.join(self.primary.data, "keys")
        dst = os.path.join(self.rdir, "keys")
        shutil.copy2(os.path.join(src, "master.key"), os.path.join(dst, "master.key"))
        shutil.copytree(os.path.join(src, "cases"), os.path.join(dst, "cases"),
                        dirs_exist_ok=True)
        self.replica.start()
        self.replica.tokens.clear()

    def test_without_keys_503_then_with_keys_served_and_logged_here(self):
        cid = self.new_case()
        # Without the keys: 503 naming why, for one who may hear of cases.
        wait_until(lambda: self.replica.get("/api/v1/documents/" + cid, "aud").status == 503,
                   "the replica to list the case and answer 503")
        r = self.replica.get("/api/v1/documents/" + cid, "aud")
        self.assertEqual(r.json["error"]["code"], "replica_no_case_keys", r)
        self.assertIn("holds no case keys", r.json["error"]["message"])
        self.assertIn("DATA/keys", r.json["error"]["message"])
        # An id cases.git does not hold is no such document, as ever.
        self.assertEqual(self.replica.get("/api/v1/documents/nothing/KZ-11/x", "aud").status,
                         404)
        for lang, words in (("ru", "нет ключа, которым зашифрован"),
                            ("kk", "осы құжатты ашатын кілт жоқ"),
                            ("en", "does not hold the key")):
            b = Browser(self.replica, lang=lang).signed_in("aud")
            page = b.get("/ui/d/" + cid)
            self.assertEqual(page.status, 503, page)
            self.assertIn(words, page.raw)
            self.assertIn(PRIMARY_URL, page.raw)
        self.assertEqual(access_lines(self.rdir), [])
        status, h = health(self.replica)
        self.assertEqual(status, 200, h)
        self.assertFalse(h["replica"]["cases"]["served"])
        log = self.replica.read_log()
        self.assertIn("cases not served: DATA/keys/cases/ holds no key", log)
        self.assertNotIn(CHILD_NAME, log)

        # With the primary's keys: the case is served as on the primary.
        self.copy_keys()
        on_primary = self.primary.get("/api/v1/documents/" + cid, "aud").json
        primary_head = git(self.primary.cases_git, "rev-parse", "main").strip()
        primary_log = access_lines(self.primary.data)
        wait_until(lambda: self.replica.get("/api/v1/documents/" + cid, "aud").status == 200,
                   "the replica to serve the case")
        r = self.replica.get("/api/v1/documents/" + cid, "aud")
        self.assertEqual(r.json["fields"]["child"]["full_name"], CHILD_NAME)
        self.assertEqual(r.json, on_primary)
        # The same access matrix: another region's officer may not read it.
        self.assertIn(self.replica.get("/api/v1/documents/" + cid, "off15").status, (403, 404))
        # Each read is in the replica's own access log, none in the primary's,
        # and the primary's cases.git is not touched by it.
        reads = [x for x in access_lines(self.rdir) if x["document"] == cid]
        self.assertGreaterEqual(len(reads), 1)
        self.assertEqual(reads[0]["user"], "aud")
        self.assertEqual(reads[0]["action"], "read")
        self.assertEqual(git(self.primary.cases_git, "rev-parse", "main").strip(), primary_head)
        self.assertEqual(git(self.rcases, "rev-parse", "main").strip(), primary_head)
        primary_now = access_lines(self.primary.data)
        self.assertEqual([x for x in primary_now if x not in primary_log
                          and x["user"] == "aud"], [])
        # Nothing of the child in the replica's journal or log.
        with open(os.path.join(self.rdir, "index", "cases.jsonl"), encoding="utf-8") as f:
            self.assertNotIn(CHILD_NAME, f.read())
        self.assertNotIn(CHILD_NAME, self.replica.read_log())
        status, h = health(self.replica)
        self.assertEqual(status, 200, h)
        self.assertTrue(h["replica"]["cases"]["served"])
        wait_until(lambda: health(self.replica)[1]["replica"]["cases"]["head"] == primary_head,
                   "/healthz to name cases.git's head")

        # The replica's audit head: its own log, the heads it serves.
        r = self.replica.get("/api/v1/audit/head", "aud")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["replica"])
        self.assertIsNone(r.json["checkpoint"])
        self.assertEqual(r.json["access_log"]["lines"], len(access_lines(self.rdir)))
        self.assertTrue(r.json["access_log"]["intact"])
        self.assertEqual(r.json["heads"]["cases.git"], primary_head)

        # A transition of the case on the primary is judged and taken.
        etag = self.primary.get("/api/v1/documents/" + cid, "off11").header("ETag")
        r = self.primary.act(cid, "start-review", "off11", etag)
        self.assertEqual(r.status, 200, r)
        stage = r.json["stage"]
        wait_until(lambda: self.replica.get("/api/v1/documents/" + cid,
                                            "aud").json.get("stage") == stage,
                   "the replica to serve the case's new stage")
        self.assertTrue(health(self.replica)[1]["replica"]["cases"]["following"])

        # A case made on the primary after the keys were copied: its key
        # file has not reached the replica, so it answers 503, not 404.
        cid2 = self.new_case()
        wait_until(lambda: self.replica.get("/api/v1/documents/" + cid2, "aud").status == 503,
                   "the new case to answer 503 on the replica")
        r = self.replica.get("/api/v1/documents/" + cid2, "aud")
        self.assertEqual(r.json["error"]["code"], "case_key_unavailable", r)
        self.assertIn("has not reached this replica", self.replica.read_log())
        self.assertEqual(health(self.replica)[1]["replica"]["cases"]["waiting_for_keys"], 1)
        # Its key file copied in while the replica runs: served, no restart.
        shutil.copytree(os.path.join(self.primary.data, "keys", "cases"),
                        os.path.join(self.rdir, "keys", "cases"), dirs_exist_ok=True)
        wait_until(lambda: self.replica.get("/api/v1/documents/" + cid2, "aud").status == 200,
                   "the replica to serve the second case once its key came")
        self.assertEqual(self.replica.get("/api/v1/documents/" + cid2, "aud").json,
                         self.primary.get("/api/v1/documents/" + cid2, "aud").json)
        self.assertIn("its key file has reached this replica", self.replica.read_log())
        self.assertEqual(health(self.replica)[1]["replica"]["cases"]["waiting_for_keys"], 0)
        # A restart serves both from the replica's own journal.
        self.assertEqual(self.replica.stop(), 0)
        self.replica.start()
        self.replica.tokens.clear()
        self.assertEqual(self.replica.get("/api/v1/documents/" + cid, "aud").status, 200)
        self.assertEqual(self.replica.get("/api/v1/documents/" + cid2, "aud").status, 200)
        # A key file missing at start: 503, and served once it is back.
        self.assertEqual(self.replica.stop(), 0)
        keys = os.listdir(os.path.join(self.rdir, "keys", "cases"))
        self.assertEqual(len(keys), 2, keys)
        aside = os.path.join(self.tmp, "aside.key")
        shutil.move(os.path.join(self.rdir, "keys", "cases", keys[0]), aside)
        self.replica.start()
        self.replica.tokens.clear()
        statuses = sorted(self.replica.get("/api/v1/documents/" + c, "aud").status
                          for c in (cid, cid2))
        self.assertEqual(statuses, [200, 503])
        shutil.move(aside, os.path.join(self.rdir, "keys", "cases", keys[0]))
        wait_until(lambda: all(self.replica.get("/api/v1/documents/" + c, "aud").status == 200
                               for c in (cid, cid2)), "both cases served again")
        # Erased on the primary: gone on the replica too, its key file with it.
        etag = self.primary.get("/api/v1/documents/" + cid2, "adm").header("ETag")
        r = self.primary.request("DELETE", "/api/v1/documents/" + cid2,
                                 {"reason": "Срок хранения истёк"},
                                 token=self.primary.token("adm"), headers={"If-Match": etag})
        self.assertEqual(r.status, 200, r)
        wait_until(lambda: self.replica.get("/api/v1/documents/" + cid2, "aud").status == 410,
                   "the erasure to reach the replica")
        key = os.path.join(self.rdir, "keys", "cases", cid2.encode().hex() + ".key")
        self.assertFalse(os.path.exists(key))
        self.assertIn("erased on the primary", self.replica.read_log())
        self.assertEqual(self.replica.get("/api/v1/documents/" + cid, "aud").status, 200)
        self.stop_both_cleanly()

    def test_publication_followed_without_restart_and_audit_head(self):
        r = self.replica.get("/api/v1/audit/head", "aud")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["access_log"]["lines"], 0)
        self.assertIsNone(r.json["heads"]["cases.git"])
        self.assertIn("primary", r.json["note"])
        before = git(self.primary.docs_git, "rev-parse", "main", check=False).strip()
        r = self.primary.request("POST", "/api/v1/reports/generate",
                                 token=self.primary.token("adm"))
        self.assertEqual(r.status, 200, r)
        self.assertNotEqual(git(self.primary.docs_git, "rev-parse", "main").strip(), before,
                            "the publication made no commit")
        text = git(self.primary.docs_git, "show", "main:reports/national.md")

        def served():
            got = self.replica.request("GET", "/reports/national.md")
            return got.status == 200 and got.raw == text

        wait_until(served, "the replica to serve the new publication")
        page = self.replica.request("GET", "/reports/en/national")
        self.assertEqual(page.status, 200, page)
        self.assertIn("publishes the reports: they are served from now on",
                      self.replica.read_log())
        self.stop_both_cleanly()


if __name__ == "__main__":
    unittest.main()
