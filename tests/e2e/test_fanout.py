"""Issue 16, item 3: trees that stay small.  A new data folder keeps a case's
files (its .md, its sealed .note, its .files/) under the first two
characters of its uuid, ids unchanged everywhere; plans keep their paths.
Reads of history, versions, diffs and files work, kenes verify is clean, and
kenes verify names a case file written flat into a fanned-out repository."""
import os
import subprocess
import tempfile
import unittest

from kenes_harness import Server, commit_count, doc_path, git, plan_body, run_cli
from test_attachments import pdf
from test_cases import USERS_C, case_body

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def upload(s, doc_id, data, user, etag, name="scan.pdf"):
    h = {"Content-Type": "application/pdf", "If-Match": etag,
         "Authorization": "Bearer " + s.token(user)}
    return s.request("POST", f"/api/v1/documents/{doc_id}/attachments?name={name}",
                     raw=data, headers=h, content_type=None)


def tree(repo):
    return git(repo, "ls-tree", "-r", "--name-only", "main").split()


class FreshFolder(unittest.TestCase):
    def setUp(self):
        self.s = Server(users=USERS_C)
        self.s.start()

    def tearDown(self):
        self.s.cleanup()

    def test_cases_fan_out_and_read_back(self):
        s = self.s
        r = s.post("/api/v1/documents", case_body(), "off11")
        self.assertEqual(r.status, 201, r)
        cid = r.json["id"]
        self.assertRegex(cid, "^case/KZ-11/" + UUID + "$")  # the id as before
        first = r.json["version"]
        r = s.act(cid, "start-review", "off11", r.header("ETag"), comment="Заметка")
        self.assertEqual(r.status, 200, r)
        r = upload(s, cid, pdf(b"fanned"), "off11", r.header("ETag"))
        self.assertEqual(r.status, 201, r)
        aid = r.json["attachment"]["id"]
        r = s.post("/api/v1/documents", plan_body(), "off11")
        self.assertEqual(r.status, 201, r)

        uuid = cid.rsplit("/", 1)[1]
        stem = f"case/KZ-11/{uuid[:2]}/{uuid}"
        self.assertEqual(doc_path(cid), stem + ".md")
        files = tree(s.cases_git)
        self.assertEqual(sorted(files), sorted([stem + ".md", stem + ".note",
                                                f"{stem}.files/{aid}"]))
        # The region folder holds the fan-out folder only; ids that end in
        # no uuid keep their paths.
        self.assertEqual(git(s.cases_git, "ls-tree", "--name-only", "main", "case/KZ-11/").split(),
                         [f"case/KZ-11/{uuid[:2]}"])
        self.assertIn("plan/KZ-11/2026.md", tree(s.docs_git))
        # Trailers, messages and the journal name the id, never the path.
        log = git(s.cases_git, "log", "--format=%B", "main")
        self.assertIn(f"Kenes-Document: {cid}", log)
        self.assertNotIn(f"{uuid[:2]}/{uuid}", log)
        with open(os.path.join(s.data, "index", "cases.jsonl")) as f:
            journal = f.read()
        self.assertIn(f'"document":"{cid}"', journal)
        self.assertNotIn(f"{uuid[:2]}/{uuid}", journal)

        # Every read: the document, its history, a past version, a diff, the file.
        self.assertEqual(s.get(f"/api/v1/documents/{cid}", "off11").status, 200)
        h = s.get(f"/api/v1/documents/{cid}/history", "off11")
        self.assertEqual(h.status, 200, h)
        review = [v for v in h.json["versions"] if v["action"] == "start-review"]
        self.assertEqual(review[0]["comment"], "Заметка")  # the sealed note, opened
        r = s.get(f"/api/v1/documents/{cid}/versions/{first}", "off11")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "registered")
        last = h.json["versions"][0]["commit"]
        r = s.get(f"/api/v1/documents/{cid}/diff?from={first}&to={last}", "off11")
        self.assertEqual(r.status, 200, r)
        r = s.request("GET", f"/api/v1/documents/{cid}/attachments/{aid}",
                      token=s.token("off11"))
        self.assertEqual(r.status, 200, r)
        self.assertIn("fanned", r.raw)

        # A restart reads them back (the index from the journal, files from git).
        s.stop()
        s.start()
        s.tokens.clear()
        r = s.get(f"/api/v1/documents/{cid}", "off11")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "under-review")
        s.stop()
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)

    def test_verify_names_a_flat_file_in_a_fanned_repository(self):
        """A commit made with the git command that writes a case flat beside
        fanned-out ones: start-up refuses the mixed repository, verify names
        the commit."""
        s = self.s
        r = s.post("/api/v1/documents", case_body(), "off11")
        self.assertEqual(r.status, 201, r)
        cid = r.json["id"]
        s.stop()
        before = commit_count(s.cases_git)
        work = tempfile.mkdtemp(prefix="kenes-flat-", dir=s.tmp)
        clone = os.path.join(work, "clone")
        subprocess.run(["git", "clone", "-q", "-b", "main", s.cases_git, clone], check=True,
                       capture_output=True, timeout=120)
        other = "case/KZ-11/0a1b2c3d-0000-4000-8000-000000000000"
        with open(os.path.join(clone, doc_path(cid)), "rb") as f:
            sealed = f.read()
        with open(os.path.join(clone, other + ".md"), "wb") as f:
            f.write(sealed)
        env = dict(os.environ, GIT_AUTHOR_NAME="x", GIT_AUTHOR_EMAIL="x@x",
                   GIT_COMMITTER_NAME="x", GIT_COMMITTER_EMAIL="x@x")
        subprocess.run(["git", "-C", clone, "add", "."], check=True, env=env)
        subprocess.run(["git", "-C", clone, "commit", "-q", "-m",
                        f"Edit case {other}\n\nKenes-Document: {other}\nKenes-Action: create\n"
                        "Kenes-Stage: registered\nKenes-Role: regional-official\n"],
                       check=True, env=env)
        subprocess.run(["git", "-C", clone, "push", "-q", "origin", "main"], check=True, env=env)
        self.assertEqual(commit_count(s.cases_git), before + 1)
        code = s.start(expect_fail=True)
        self.assertEqual(code, 1)
        self.assertIn("two layouts", s.read_log())
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 1, out + err)
        self.assertIn("a document written flat after its repository fanned out", out + err)


if __name__ == "__main__":
    unittest.main()
