"""Case files encrypted at rest, erasure by key destruction, and the access
log of every read of a case."""
import json
import os
import subprocess
import unittest

from kenes_harness import Server, ServerTest, commit_count, git, run_cli, stop_and_verify
from test_cases import USERS_C, case_body, case_under_review, CHILD_NAME, BIRTH, ADDRESS, SCHOOL


def all_objects(repo):
    """Every object of a repository, as bytes, the way a thief with a copy sees them."""
    p = subprocess.run(["git", "-C", repo, "cat-file", "--batch-all-objects", "--batch"],
                       capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout


class Secrecy(ServerTest):
    users = USERS_C

    def case(self):
        return case_under_review(self, self.srv, decision="Тайное решение комиссии")

    def test_blobs_of_cases_git_hold_no_identity(self):
        cid, _ = self.case()
        blob = all_objects(self.srv.cases_git)
        for secret in (CHILD_NAME, BIRTH, ADDRESS, SCHOOL, "Тайное решение комиссии", "K11-0042"):
            self.assertNotIn(secret.encode(), blob, secret)
        # ... while the metadata stays readable for history and verification.
        log = git(self.srv.cases_git, "log", "--format=%(trailers:key=Kenes-Action,valueonly,separator=)", "main")
        self.assertIn("start-review", log)
        # And the server still reads it back.
        r = self.srv.get("/api/v1/documents/" + cid, "off11")
        self.assertEqual(r.json["fields"]["child"]["full_name"], CHILD_NAME)

    def test_past_versions_and_diffs_open(self):
        s = self.srv
        cid, etag = self.case()
        h = s.get(f"/api/v1/documents/{cid}/history", "aud").json["versions"]
        first = h[-1]["commit"]
        r = s.get(f"/api/v1/documents/{cid}/versions/{first}", "aud")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "registered")
        d = s.get(f"/api/v1/documents/{cid}/diff", "aud")
        self.assertEqual(d.status, 200, d)
        self.assertIn("-stage: registered", d.json["diff"])
        self.assertIn("+stage: under-review", d.json["diff"])

    def test_erasure_by_key_destruction(self):
        s = self.srv
        cid, etag = self.case()
        versions_before = len(s.get(f"/api/v1/documents/{cid}/history", "aud").json["versions"])
        before = commit_count(s.cases_git)
        for user, body, headers, status in (
                ("off11", {"reason": "x"}, {"If-Match": etag}, 403),
                ("chair11", {"reason": "x"}, {"If-Match": etag}, 403),
                ("adm", {}, {"If-Match": etag}, 422),
                ("adm", {"reason": "   "}, {"If-Match": etag}, 422),
                ("adm", {"reason": "Срок хранения истёк"}, {}, 428),
                ("adm", {"reason": "Срок хранения истёк"}, {"If-Match": '"' + "0" * 40 + '"'}, 412)):
            r = s.request("DELETE", "/api/v1/documents/" + cid, body, token=s.token(user), headers=headers)
            self.assertEqual(r.status, status, (user, body, r))
        self.assertEqual(commit_count(s.cases_git), before)
        r = s.request("DELETE", "/api/v1/documents/" + cid, {"reason": "Срок хранения истёк"},
                      token=s.token("adm"), headers={"If-Match": etag})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "erased")
        self.assertEqual(commit_count(s.cases_git), before + 1)
        msg = git(s.cases_git, "log", "-1", "--format=%B", "main")
        self.assertIn("Kenes-Action: erase", msg)
        # The reason is sealed with the key the erasure destroys (Kenes-Note).
        self.assertNotIn("Срок хранения истёк", msg)
        self.assertIn("Kenes-Note: ", msg)
        # Every version is gone; the history remains.
        self.assertEqual(s.get("/api/v1/documents/" + cid, "aud").status, 410)
        h = s.get(f"/api/v1/documents/{cid}/history", "aud")
        self.assertEqual(h.status, 200, h)
        self.assertEqual(len(h.json["versions"]), versions_before + 1)
        for v in h.json["versions"][1:]:
            r = s.get(f"/api/v1/documents/{cid}/versions/{v['commit']}", "aud")
            self.assertEqual(r.status, 410, r)
        self.assertEqual(s.get(f"/api/v1/documents/{cid}/diff", "aud").status, 410)
        self.assertEqual(s.act(cid, "start-review", "off11", h.header("ETag") or "x").status, 410)
        # After a restart too.
        self.assertEqual(s.stop(), 0)
        s.start()
        s.tokens.clear()
        self.assertEqual(s.get("/api/v1/documents/" + cid, "aud").status, 410)
        self.assertEqual(len(s.get(f"/api/v1/documents/{cid}/history", "aud").json["versions"]),
                         versions_before + 1)

    def test_plans_cannot_be_erased(self):
        from kenes_harness import plan_body
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-11", period=2029), "off11")
        self.assertEqual(r.status, 201, r)
        d = s.request("DELETE", "/api/v1/documents/plan/KZ-11/2029", {"reason": "x"},
                      token=s.token("adm"), headers={"If-Match": r.header("ETag")})
        self.assertEqual(d.status, 403, d)

    def test_every_read_is_logged_before_the_answer(self):
        s = self.srv
        cid, _ = self.case()
        log_path = os.path.join(s.data, "access.log")
        def lines():
            with open(log_path) as f:
                return [json.loads(l) for l in f if l.strip()]
        n = len(lines())
        s.get("/api/v1/documents/" + cid, "off11")
        s.get(f"/api/v1/documents/{cid}/history", "chair11")
        s.get("/api/v1/documents/" + cid, "rev1")  # refused: not a read
        got = lines()[n:]
        self.assertEqual([(e["user"], e["action"], e["document"]) for e in got],
                         [("off11", "read", cid), ("chair11", "history", cid)])
        self.assertEqual(got[0]["role"], "regional-official")
        r = s.get(f"/api/v1/audit/access?document={cid}&user=off11", "aud")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(any(e["action"] == "read" for e in r.json["events"]))
        self.assertTrue(all(e["user"] == "off11" and e["document"] == cid for e in r.json["events"]))
        for user in ("off11", "rev1", "chair11"):
            self.assertEqual(s.get("/api/v1/audit/access", user).status, 403, user)
        self.assertEqual(s.get("/api/v1/audit/access?since=yesterday", "aud").status, 400)
        # Plans are not logged: they are not about a child.
        self.assertEqual(len(lines()), n + 2 + (len(r.json["events"]) * 0))


class VerifySealed(unittest.TestCase):
    def test_verify_clean_with_cases_and_finds_a_broken_access_log(self):
        s = Server(users=USERS_C)
        try:
            s.start()
            r = s.post("/api/v1/documents", case_body(), "off11")
            self.assertEqual(r.status, 201, r)
            cid = r.json["id"]
            s.act(cid, "start-review", "off11", r.header("ETag"))
            s.get("/api/v1/documents/" + cid, "aud")
            s.get("/api/v1/documents/" + cid, "off11")
            stop_and_verify(self, s)
            path = os.path.join(s.data, "access.log")
            with open(path) as f:
                text = f.read().splitlines()
            del text[0]  # someone removes the first read from the log
            with open(path, "w") as f:
                f.write("\n".join(text) + "\n")
            code, out, err = run_cli("verify", "--data", s.data)
            self.assertEqual(code, 1, out + err)
            self.assertIn("access.log", out)
        finally:
            s.cleanup()


class DemoSecrecy(unittest.TestCase):
    def test_demo_children_are_not_in_any_blob(self):
        s = Server(users=[], demo=True)
        try:
            s.start()
            with open(os.path.join(os.environ.get("KENES_SOURCE_DIR", "."), "content/demo/documents.yaml")) as f:
                demo = f.read()
            import re
            names = re.findall(r'"full_name": "(Вымышлен[^"]+)"', demo)
            births = re.findall(r'"birth_date": "([0-9-]+)"', demo)
            self.assertGreaterEqual(len(names), 6)
            blob = all_objects(s.cases_git)
            for secret in names + births:
                self.assertNotIn(secret.encode(), blob, secret)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
