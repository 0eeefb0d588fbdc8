"""A case key file that goes away while the server runs (probe finding 12,
issue 16 item 9's read paths): the next write of that case is refused 503
case_key_unavailable with nothing written, and the next read of it from git
(a version, a diff, an attachment) answers the same, where before the server
went on sealing versions with a key no file held and answered them 200.
From then on every read and write of the case answers 503, API and web pages
alike (in the reader's language), one log line names it, someone who may
not read it is refused as for any other case of its region (rights judged
from the index entry before any read), and the key the server still held is
written to <hex>.key.held: renamed back, a restart brings the case back."""
import os
import unittest

from kenes_harness import (USERS, Browser, Server, commit_count, plan_body, run_cli,
                           wait_until, with_commission, stop_and_verify)
from test_crash_case_key import CODE, WORDS, ServedWithAnUnavailableCase, key_file
from test_cases import CHILD_NAME, case_body

USERS_C = with_commission(USERS)
from test_attachments import pdf  # noqa: E402

PDF = pdf()


def make_case(s, region="KZ-11", user="off11", attach=False):
    """A case with two versions (and an attachment); (id, etag, [commits])."""
    r = s.post("/api/v1/documents", case_body(region), user)
    assert r.status == 201, r
    cid, etag = r.json["id"], r.header("ETag")
    body = case_body(region)
    body["fields"]["grounds"] = ["bullying-victim", "truancy"]
    r = s.put("/api/v1/documents/" + cid, {"fields": body["fields"]}, user, etag)
    assert r.status == 200, r
    etag = r.header("ETag")
    if attach:
        c = s.conn()
        try:
            c.request("POST", f"/api/v1/documents/{cid}/attachments?name=scan.pdf", body=PDF,
                      headers={"Authorization": "Bearer " + s.token(user),
                               "Content-Type": "application/pdf", "If-Match": etag})
            resp = c.getresponse()
            resp.read()
            assert resp.status in (200, 201), resp.status
            etag = resp.getheader("ETag")
        finally:
            c.close()
    h = s.get(f"/api/v1/documents/{cid}/history", user)
    assert h.status == 200, h
    commits = [v["commit"] for v in h.json["versions"]]  # newest first
    return cid, etag, commits


class KeyRemovedWhileServing(ServedWithAnUnavailableCase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.srv = Server(users=USERS_C, env={"KENES_NOW": "2026-03-25T09:00:00Z"})
        s.start()
        cls.kept = make_case(s)
        r = s.post("/api/v1/documents", plan_body(), "off11")
        assert r.status == 201, r
        cls.plan = r.json["id"]

    def remove_key(self, cid):
        path = key_file(self.srv.data, cid)
        os.unlink(path)
        return path

    def log_lines(self, cid):
        return [l for l in self.srv.read_log().splitlines()
                if cid in l and CODE in l and " error " in l]

    def assertAnswersUnavailableEverywhere(self, cid, commits):
        s = self.srv
        for path in ("", "/history", f"/versions/{commits[-1]}",
                     f"/diff?from={commits[-1]}&to={commits[0]}"):
            self.assertUnavailable(s.get(f"/api/v1/documents/{cid}{path}", "off11"))
        # Someone who may not read it learns what they learn of any case of
        # that region, judged before anything is read.
        for user in ("off15", "rev1"):
            kept = s.get("/api/v1/documents/" + self.kept[0], user)
            lost = s.get("/api/v1/documents/" + cid, user)
            self.assertIn(kept.status, (403, 404), kept)
            self.assertEqual((lost.status, lost.json["error"]["code"]),
                             (kept.status, kept.json["error"]["code"]), user)
        # The rest is served.
        self.assertEqual(s.get("/api/v1/documents/" + self.kept[0], "off11").status, 200)
        self.assertEqual(s.get("/api/v1/documents/" + self.plan, "off11").status, 200)
        # Said once in the log, with the id and nothing typed about the child.
        lines = self.log_lines(cid)
        self.assertEqual(len(lines), 1, lines)
        self.assertNotIn(CHILD_NAME, s.read_log())

    def test_a_write_is_refused_and_nothing_is_written(self):
        s = self.srv
        cid, etag, commits = make_case(s)
        path = self.remove_key(cid)
        before = commit_count(s.cases_git)
        body = case_body("KZ-11")
        self.assertUnavailable(s.put("/api/v1/documents/" + cid, {"fields": body["fields"]},
                                     "off11", etag))
        self.assertEqual(commit_count(s.cases_git), before)
        self.assertUnavailable(s.act(cid, "start-review", "off11", etag))
        self.assertEqual(commit_count(s.cases_git), before)
        self.assertFalse(os.path.exists(path))
        # The key the server held, saved where the vault does not look.
        wait_until(lambda: os.path.exists(path + ".held"), "the held key file")
        self.assertEqual(os.stat(path + ".held").st_mode & 0o777, 0o600)
        self.assertAnswersUnavailableEverywhere(cid, commits)
        # Other cases are written as ever.
        r = s.put("/api/v1/documents/" + self.kept[0],
                  {"fields": case_body("KZ-11")["fields"]}, "off11", self.kept[1])
        self.assertEqual(r.status, 200, r)
        type(self).kept = (self.kept[0], r.header("ETag"), self.kept[2])

    def test_a_version_read_notices(self):
        cid, _, commits = make_case(self.srv)
        self.remove_key(cid)
        self.assertUnavailable(self.srv.get(f"/api/v1/documents/{cid}/versions/{commits[-1]}",
                                            "off11"))
        self.assertAnswersUnavailableEverywhere(cid, commits)

    def test_a_diff_read_notices(self):
        cid, _, commits = make_case(self.srv)
        self.remove_key(cid)
        self.assertUnavailable(self.srv.get(f"/api/v1/documents/{cid}/diff", "off11"))
        self.assertAnswersUnavailableEverywhere(cid, commits)

    def attached_then_removed(self):
        """A case with a file whose key file is then removed: (id, commits, aid)."""
        cid, _, commits = make_case(self.srv, attach=True)
        aid = self.srv.get("/api/v1/documents/" + cid, "off11").json["attachments"][0]["id"]
        self.remove_key(cid)
        return cid, commits, aid

    def test_an_attachment_read_notices(self):
        s = self.srv
        cid, commits, aid = self.attached_then_removed()
        self.assertUnavailable(s.get(f"/api/v1/documents/{cid}/attachments/{aid}", "off11"))
        self.assertUnavailable(s.get(f"/api/v1/documents/{cid}/attachments/{aid}", "off11"))
        self.assertAnswersUnavailableEverywhere(cid, commits)

    def test_the_web_pages_say_so_in_the_readers_language(self):
        s = self.srv
        cid, commits, aid = self.attached_then_removed()
        pages = [f"/ui/d/{cid}/history?version={commits[-1]}",  # the first read notices
                 f"/ui/d/{cid}", f"/ui/d/{cid}/history",
                 f"/ui/d/{cid}/history?from={commits[-1]}&to={commits[0]}",
                 f"/ui/d/{cid}/file?aid={aid}", f"/ui/d/{cid}/edit"]
        for lang, words in WORDS.items():
            b = Browser(s, lang=lang).signed_in("off11")
            for page in pages:
                r = b.get(page)
                self.assertEqual(r.status, 503, (lang, page, r))
                self.assertIn(words, r.raw, (lang, page))
                self.assertNotIn(CHILD_NAME, r.raw)
            self.assertEqual(b.get("/ui/d/" + self.kept[0]).status, 200)
        self.assertEqual(len(self.log_lines(cid)), 1)


class HeldKeyRestored(unittest.TestCase):
    def test_the_held_key_renamed_back_brings_the_case_back(self):
        s = Server(users=USERS_C, env={"KENES_NOW": "2026-03-25T09:00:00Z"})
        try:
            s.start()
            cid, etag, _ = make_case(s)
            path = key_file(s.data, cid)
            os.unlink(path)
            r = s.act(cid, "start-review", "off11", etag)
            self.assertEqual(r.status, 503, r)
            wait_until(lambda: os.path.exists(path + ".held"), "the held key file")
            self.assertEqual(s.stop(), 0)
            # As the log said: without the file the case stays unavailable...
            code, out, _ = run_cli("verify", "--data", s.data)
            self.assertEqual(code, 1, out)
            self.assertIn(cid, out)
            s.start()
            self.assertEqual(s.get("/api/v1/documents/" + cid, "off11").status, 503)
            self.assertEqual(s.stop(), 0)
            # ...and renamed back it is there as it was.
            os.rename(path + ".held", path)
            s.start()
            r = s.get("/api/v1/documents/" + cid, "off11")
            self.assertEqual(r.status, 200, r)
            w = s.act(cid, "start-review", "off11", r.header("ETag"))
            self.assertEqual(w.status, 200, w)
            stop_and_verify(self, s)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
