"""A fault in one case does not take the service down (issue 16, item 9):
a case key file deleted (or damaged) while the server is stopped; serve
starts, serves everything else, answers that case 503 case_key_unavailable
(API, and the web page in the reader's language), refuses every write to it
with nothing written, lists leave it out, one log line per case at start,
and kenes verify names it as a fault until the file is restored."""
import os
import shutil
import unittest

from kenes_harness import (USERS, Browser, Server, commit_count, plan_body, run_cli,
                           with_commission, stop_and_verify)
from test_cases import CHILD_NAME, case_body

USERS_C = with_commission(USERS)
CODE = "case_key_unavailable"
WORDS = {  # content/ui/strings/errors.yaml: unavailable
    "ru": "ключ, которым он зашифрован, не найден или повреждён",
    "kk": "ол шифрланған кілт табылмады немесе бүлінген",
    "en": "the key it is encrypted with is missing or damaged",
}


def key_file(data, doc_id):
    return os.path.join(data, "keys", "cases", doc_id.encode().hex() + ".key")


class ServedWithAnUnavailableCase:
    """A test class whose setUpClass starts cls.srv: stopped at the end, and
    the check of a 503 case_key_unavailable answer."""

    @classmethod
    def tearDownClass(cls):
        code = cls.srv.stop()
        cls.srv.cleanup()
        assert code in (0, None), code

    def assertUnavailable(self, r):
        self.assertEqual(r.status, 503, r)
        self.assertEqual(r.json["error"]["code"], CODE, r)
        # Nothing of the case in the answer, and no value of it.
        self.assertNotIn(CHILD_NAME, r.raw)


class CaseKeyMissing(ServedWithAnUnavailableCase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.srv = Server(users=USERS_C, env={"KENES_NOW": "2026-03-25T09:00:00Z"})
        s.start()
        made = {}
        for name, user, region in (("lost", "off11", "KZ-11"), ("kept", "off11", "KZ-11"),
                                   ("damaged", "off15", "KZ-15")):
            r = s.post("/api/v1/documents", case_body(region), user)
            assert r.status == 201, r
            made[name] = (r.json["id"], r.header("ETag"))
        r = s.post("/api/v1/documents", plan_body(), "off11")
        assert r.status == 201, r
        cls.plan = r.json["id"]
        cls.ids = {k: v[0] for k, v in made.items()}
        cls.etags = {k: v[1] for k, v in made.items()}
        assert s.stop() == 0
        cls.saved = os.path.join(s.tmp, "lost.key")
        shutil.copy(key_file(s.data, cls.ids["lost"]), cls.saved)
        os.unlink(key_file(s.data, cls.ids["lost"]))
        with open(key_file(s.data, cls.ids["damaged"]), "r+b") as f:
            f.truncate(10)
        cls.log_from = os.path.getsize(s.log_path)
        s.start()

    def test_start_logs_one_line_per_case(self):
        log = self.srv.read_log().encode()[self.log_from:].decode()
        for name in ("lost", "damaged"):
            lines = [l for l in log.splitlines() if self.ids[name] in l and CODE in l]
            self.assertEqual(len(lines), 1, log)
        self.assertNotIn(self.ids["kept"], log)
        self.assertNotIn(CHILD_NAME, log)

    def test_the_case_answers_503_and_the_rest_is_served(self):
        s = self.srv
        self.assertUnavailable(s.get("/api/v1/documents/" + self.ids["lost"], "off11"))
        self.assertUnavailable(s.get("/api/v1/documents/" + self.ids["lost"], "aud"))
        self.assertUnavailable(s.get("/api/v1/documents/" + self.ids["damaged"], "off15"))
        self.assertUnavailable(s.get(f"/api/v1/documents/{self.ids['lost']}/history", "off11"))
        self.assertEqual(s.get("/api/v1/documents/" + self.ids["kept"], "off11").status, 200)
        self.assertEqual(s.get("/api/v1/documents/" + self.plan, "off11").status, 200)
        self.assertEqual(s.request("GET", "/healthz").status, 200)
        # New cases are made as ever.
        r = s.post("/api/v1/documents", case_body("KZ-11"), "off11")
        self.assertEqual(r.status, 201, r)

    def test_a_role_that_reads_no_case_learns_nothing(self):
        r = self.srv.get("/api/v1/documents/" + self.ids["lost"], "rev1")
        self.assertEqual(r.status, 404, r)

    def test_writes_are_refused_and_nothing_is_written(self):
        s = self.srv
        cid, etag = self.ids["lost"], self.etags["lost"]
        before = commit_count(s.cases_git)
        body = case_body("KZ-11")
        self.assertUnavailable(s.put("/api/v1/documents/" + cid, {"fields": body["fields"]},
                                     "off11", etag))
        self.assertUnavailable(s.act(cid, "start-review", "off11", etag))
        self.assertUnavailable(s.request("DELETE", "/api/v1/documents/" + cid,
                                         {"reason": "срок хранения истёк"},
                                         token=s.token("adm"), headers={"If-Match": etag}))
        self.assertEqual(commit_count(s.cases_git), before)
        self.assertFalse(os.path.exists(key_file(s.data, cid)))

    def test_lists_leave_it_out(self):
        listed = {d["id"] for d in self.srv.get("/api/v1/documents?type=case-review",
                                                "aud").json["documents"]}
        self.assertIn(self.ids["kept"], listed)
        self.assertNotIn(self.ids["lost"], listed)
        self.assertNotIn(self.ids["damaged"], listed)
        inbox = self.srv.get("/api/v1/inbox", "off11")
        self.assertEqual(inbox.status, 200, inbox)
        self.assertNotIn(self.ids["lost"], inbox.raw)

    def test_the_web_page_says_so_in_the_readers_language(self):
        for lang, words in WORDS.items():
            b = Browser(self.srv, lang=lang).signed_in("off11")
            r = b.get("/ui/d/" + self.ids["lost"])
            self.assertEqual(r.status, 503, r)
            self.assertIn(words, r.raw, lang)
            self.assertNotIn(CHILD_NAME, r.raw)
            # The rest of the site answers.
            self.assertEqual(b.get("/ui/d/" + self.ids["kept"]).status, 200)

    def test_verify_names_each_as_a_fault(self):
        code, out, err = run_cli("verify", "--data", self.srv.data)
        self.assertEqual(code, 1, out + err)
        faults = [l for l in out.splitlines() if l.startswith("cases.git: case/")]
        self.assertEqual(sorted(l.split(": ")[1] for l in faults),
                         sorted([self.ids["lost"], self.ids["damaged"]]), out)
        self.assertIn("FAULTY", out)
        self.assertIn("2 faults", out)


class CaseKeyRestored(unittest.TestCase):
    def setUp(self):
        """A stopped server with two cases; self.cid the first."""
        s = self.srv = Server(users=USERS_C, env={"KENES_NOW": "2026-03-25T09:00:00Z"})
        s.start()
        for n in (1, 2):
            r = s.post("/api/v1/documents", case_body("KZ-11"), "off11")
            self.assertEqual(r.status, 201, r)
            if n == 1:
                self.cid = r.json["id"]
        s.stop()

    def tearDown(self):
        self.srv.cleanup()

    def test_a_restored_key_file_brings_the_case_back(self):
        s, cid = self.srv, self.cid
        path = key_file(s.data, cid)
        saved = path + ".saved"
        os.rename(path, saved)
        s.start()
        self.assertEqual(s.get("/api/v1/documents/" + cid, "off11").status, 503)
        s.stop()
        os.rename(saved, path)
        s.start()
        r = s.get("/api/v1/documents/" + cid, "off11")
        self.assertEqual(r.status, 200, r)
        w = s.act(cid, "start-review", "off11", r.header("ETag"))
        self.assertEqual(w.status, 200, w)
        stop_and_verify(self, s)

    def test_a_wrong_master_key_still_stops_the_start(self):
        s = self.srv
        with open(os.path.join(s.data, "keys", "master.key"), "wb") as f:
            f.write(os.urandom(32))
        self.assertEqual(s.start(expect_fail=True), 1)
        self.assertIn("no case key opens with this master key", s.read_log())


if __name__ == "__main__":
    unittest.main()
