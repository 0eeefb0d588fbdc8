"""Issue 16, item 3: a data folder written before the fan-out layout
(fixtures/flat16.tar.gz, made by the binary of ef3b9bd with
fixtures/make_flat16.py: case files flat in their region's folder) serves as
it is and keeps writing flat; kenes migrate, with the server stopped, moves
every case file (.md, sealed .note, .files/) in ONE signed commit per
repository that needs it; history reads across the move; kenes verify
judges the move; a second migrate moves nothing; refusals write nothing."""
import io
import json
import os
import re
import subprocess
import tarfile
import tempfile
import unittest
import zipfile

from kenes_harness import Server, commit_count, doc_path, git, run_cli
from test_attachments import pdf
from test_cases import USERS_C, case_body
from test_signed_commits import verify_commit

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "flat16.tar.gz")
NOW = "2026-03-03T09:00:00Z"  # the day after the fixture was written
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def files(repo, rev="main"):
    return git(repo, "ls-tree", "-r", "--name-only", rev).split()


def flat_case_files(repo, rev="main"):
    """Case files in a region folder itself (the layout before issue 16)."""
    return [p for p in files(repo, rev) if re.match(r"^case/KZ-\d\d/" + UUID.pattern, p)]


def upload(s, doc_id, data, user, etag):
    h = {"Content-Type": "application/pdf", "If-Match": etag,
         "Authorization": "Bearer " + s.token(user)}
    return s.request("POST", f"/api/v1/documents/{doc_id}/attachments?name=scan.pdf",
                     raw=data, headers=h, content_type=None)


class Migrate(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kenes-flat16-")
        with tarfile.open(FIXTURE) as tar:
            tar.extractall(self.tmp)
        self.data = os.path.join(self.tmp, "data")
        os.chmod(self.data, 0o700)
        self.s = Server(data=self.data, users=USERS_C, env={"KENES_NOW": NOW})

    def tearDown(self):
        self.s.cleanup()
        subprocess.run(["rm", "-rf", self.tmp], check=False)

    def cases(self, user="aud"):
        r = self.s.get("/api/v1/documents?type=case-review", user)
        self.assertEqual(r.status, 200, r)
        return sorted(d["id"] for d in r.json["documents"])

    def migrate(self, *more):
        return run_cli("migrate", "--data", self.data, *more)

    def test_old_folder_serves_migrates_and_verifies(self):
        s = self.s
        cases_git = s.cases_git
        flat_before = flat_case_files(cases_git)
        self.assertEqual(len(flat_before), 5)  # 3 .md, 1 .note, 1 .files/<aid>

        # 1. It serves as it is: reads, and writes that stay flat.
        s.start()
        self.assertIn("stored flat", s.read_log())
        ids = self.cases()
        self.assertEqual(len(ids), 3)
        noted = [i for i in ids if any(p.startswith(i + ".note") for p in flat_before)][0]
        filed = [i for i in ids if any(p.startswith(i + ".files/") for p in flat_before)][0]
        h = s.get(f"/api/v1/documents/{noted}/history", "off11")
        self.assertEqual([v["comment"] for v in h.json["versions"] if v["action"] ==
                          "start-review"], ["Заметка о деле"])
        r = s.post("/api/v1/documents", case_body(), "off11")
        self.assertEqual(r.status, 201, r)
        new = r.json["id"]
        self.assertIn(new + ".md", files(cases_git))  # one layout per repository
        r = s.get(f"/api/v1/documents/{filed}", "off11")
        aid = r.json["attachments"][0]["id"]
        versions = s.get(f"/api/v1/documents/{filed}/history", "off11").json["versions"]
        first = versions[-1]["commit"]  # oldest last
        attached = [v["commit"] for v in versions if v["action"] == "attach"][0]
        self.assertEqual(s.stop(), 0)
        self.assertEqual(run_cli("verify", "--data", self.data)[0], 0)

        # 2. Refusals write nothing: an admin that does not exist.
        counts = (commit_count(s.docs_git), commit_count(cases_git))
        code, out, err = self.migrate("--by", "nobody")
        self.assertEqual(code, 2, out + err)
        self.assertIn("no enabled admin", err)
        code, out, err = self.migrate("--data")
        self.assertEqual(code, 2, out + err)
        self.assertEqual((commit_count(s.docs_git), commit_count(cases_git)), counts)
        self.assertEqual(len(flat_case_files(cases_git)), 6)

        # 3. The move: one commit in cases.git, none in documents.git (plans
        # keep their paths).
        code, out, err = self.migrate("--by", "adm")
        self.assertEqual(code, 0, out + err)
        self.assertIn("documents.git: in the fan-out layout already", out)
        self.assertRegex(out, r"cases.git: moved 6 files in commit [0-9a-f]{40}")
        self.assertEqual(commit_count(s.docs_git), counts[0])
        self.assertEqual(commit_count(cases_git), counts[1] + 1)
        self.assertEqual(flat_case_files(cases_git), [])
        after = files(cases_git)
        for i in ids + [new]:
            self.assertIn(doc_path(i), after)
        self.assertIn(doc_path(noted, ".note"), after)
        self.assertIn(doc_path(filed, f".files/{aid}"), after)
        # Renames only, every file byte for byte; signed; trailers like the others.
        moves = git(cases_git, "diff", "--name-status", "-M100%", "main~1", "main").splitlines()
        self.assertEqual(len(moves), 6, moves)
        self.assertTrue(all(m.startswith("R100\t") for m in moves), moves)
        msg = git(cases_git, "log", "-1", "--format=%an|%B", "main")
        self.assertTrue(msg.startswith("adm|Move documents' files into fan-out folders"), msg)
        for line in ("Kenes-Action: migrate", "Kenes-Role: admin", "Kenes-Moved: 6"):
            self.assertIn(line, msg)
        self.assertNotIn("KZ-11/", msg)  # counts only, no paths or ids
        signed = verify_commit(cases_git, os.path.join(self.data, "allowed_signers"), "main")
        self.assertEqual(signed.returncode, 0, signed.stderr)
        with open(os.path.join(self.data, "index", "cases.jsonl")) as f:
            last = json.loads(f.read().splitlines()[-1])
        self.assertEqual(last, {"commit": git(cases_git, "rev-parse", "main").strip(),
                                "admin": "migrate"})
        code, out, err = run_cli("verify", "--data", self.data)
        self.assertEqual(code, 0, out + err)

        # 4. Again: nothing to move, nothing written.
        code, out, err = self.migrate()
        self.assertEqual(code, 0, out + err)
        self.assertIn("cases.git: in the fan-out layout already", out)
        self.assertEqual(commit_count(cases_git), counts[1] + 1)

        # 5. Served again: history follows the move by id.
        s.start()
        s.tokens.clear()
        self.assertEqual(s.read_log().count("stored flat"), 1)  # the first start's only
        self.assertEqual(self.cases(), sorted(ids + [new]))
        h = s.get(f"/api/v1/documents/{noted}/history", "off11")
        self.assertEqual([v["comment"] for v in h.json["versions"] if v["action"] ==
                          "start-review"], ["Заметка о деле"])
        r = s.get(f"/api/v1/documents/{filed}/versions/{first}", "off11")
        self.assertEqual(r.status, 200, r)
        r = s.request("GET", f"/api/v1/documents/{filed}/attachments/{aid}?version={attached}",
                      token=s.token("off11"))
        self.assertEqual(r.status, 200, r)
        self.assertIn("case scan", r.raw)
        # A write after the move: fanned out; its diff against a flat version.
        r = s.get(f"/api/v1/documents/{filed}", "off11")
        fields = r.json["fields"]
        fields["decision"] = "Назначить сопровождающего и психолога"
        r = s.put(f"/api/v1/documents/{filed}", {"fields": fields}, "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        last = r.json["version"]
        r = s.get(f"/api/v1/documents/{filed}/diff?from={first}&to={last}", "off11")
        self.assertEqual(r.status, 200, r)
        self.assertIn("психолога", r.raw)
        r = upload(s, filed, pdf(b"second"), "off11", r.header("ETag") or
                   s.get(f"/api/v1/documents/{filed}", "off11").header("ETag"))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(flat_case_files(cases_git), [])
        # The dossier's README names where git keeps the file, before and after.
        c = s.conn()
        c.request("GET", f"/api/v1/documents/{filed}/dossier.zip",
                  headers={"Authorization": "Bearer " + s.token("aud")})
        resp = c.getresponse()
        self.assertEqual(resp.status, 200)
        with zipfile.ZipFile(io.BytesIO(resp.read())) as z:
            readme = z.read("README.md").decode()
            listed = json.loads(z.read("files.json"))
        c.close()
        self.assertIn(f"git show {first}:{doc_path(filed)} ", readme)
        self.assertIn(f"is at `{filed}.md`", readme)
        self.assertEqual(listed["versions"][-1]["files"][0]["path"],
                         doc_path(filed, f".files/{aid}"))
        self.assertEqual(s.stop(), 0)
        code, out, err = run_cli("verify", "--data", self.data)
        self.assertEqual(code, 0, out + err)

    def test_verify_judges_a_forged_move(self):
        """A commit that says migrate but changes a file as it moves it is a fault."""
        cases_git = self.s.cases_git
        work = tempfile.mkdtemp(prefix="kenes-forge-", dir=self.tmp)
        clone = os.path.join(work, "clone")
        subprocess.run(["git", "clone", "-q", "-b", "main", cases_git, clone], check=True,
                       capture_output=True, timeout=120)
        env = dict(os.environ, GIT_AUTHOR_NAME="adm", GIT_AUTHOR_EMAIL="adm@users.kenes",
                   GIT_COMMITTER_NAME="kenes", GIT_COMMITTER_EMAIL="kenes@localhost")
        for p in flat_case_files(cases_git):
            to = doc_path(p.split(".")[0], "." + p.split(".", 1)[1])
            os.makedirs(os.path.dirname(os.path.join(clone, to)), exist_ok=True)
            subprocess.run(["git", "-C", clone, "mv", p, to], check=True, env=env)
        victim = [p for p in files(clone, "HEAD") if p.endswith(".md") and "case/" in p][0]
        with open(os.path.join(clone, doc_path(victim[:-3])), "ab") as f:
            f.write(b"tampered")
        subprocess.run(["git", "-C", clone, "add", "-A"], check=True, env=env)
        subprocess.run(["git", "-C", clone, "commit", "-q", "-m",
                        "Move documents' files into fan-out folders\n\nKenes-Action: migrate\n"
                        "Kenes-Role: admin\n"], check=True, env=env)
        subprocess.run(["git", "-C", clone, "push", "-q", "origin", "main"], check=True, env=env)
        code, out, err = run_cli("verify", "--data", self.data)
        self.assertEqual(code, 1, out + err)
        self.assertIn("kenes migrate adds a file that is not a flat one moved unchanged", out)
        # serve refuses the unsigned commit it never saw, and writes nothing.
        counts = commit_count(cases_git)
        self.assertEqual(self.s.start(expect_fail=True), 1)
        self.assertEqual(commit_count(cases_git), counts)


if __name__ == "__main__":
    unittest.main()
