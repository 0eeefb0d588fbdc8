"""A document's dossier: every version, history, diffs and the signing key in
one zip that unzip and Python's zipfile accept, equal to what git shows."""
import http.client
import io
import json
import os
import subprocess
import tempfile
import unittest
import zipfile

from kenes_harness import ServerTest, git, plan_body
from test_cases import USERS_C, case_body


class Dossier(ServerTest):
    users = USERS_C

    def download(self, doc_id, user):
        s = self.srv
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
        c.request("GET", f"/api/v1/documents/{doc_id}/dossier.zip",
                  headers={"Authorization": "Bearer " + s.token(user)})
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, dict(r.getheaders()), body

    def check_zip(self, data):
        with tempfile.NamedTemporaryFile(suffix=".zip", delete=False) as f:
            f.write(data)
            path = f.name
        try:
            for cmd in (["unzip", "-t", path], ["python3", "-m", "zipfile", "-t", path]):
                p = subprocess.run(cmd, capture_output=True, text=True)
                self.assertEqual(p.returncode, 0, (cmd, p.stdout, p.stderr))
        finally:
            os.unlink(path)
        return zipfile.ZipFile(io.BytesIO(data))

    def test_plan_dossier_equals_git(self):
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-35"), "adm")
        r = s.act("plan/KZ-35/2026", "submit", "adm", r.header("ETag"))
        # The admin acts for the akimat of KZ-35 (the harness has no approver there).
        r = s.act("plan/KZ-35/2026", "return", "adm", r.header("ETag"), comment="Доработать")
        self.assertEqual(r.status, 200, r)
        status, headers, data = self.download("plan/KZ-35/2026", "off15")  # any reader
        self.assertEqual(status, 200, data[:200])
        self.assertEqual(headers["Content-Type"], "application/zip")
        z = self.check_zip(data)
        names = z.namelist()
        history = json.loads(z.read("history.json"))
        commits = [v["commit"] for v in reversed(history["versions"])]
        self.assertEqual(len(commits), 3)
        for i, c in enumerate(commits, 1):
            name = f"versions/{i:03d}-{c}.md"
            self.assertIn(name, names)
            shown = subprocess.run(["git", "-C", s.docs_git, "show", f"{c}:plan/KZ-35/2026.md"],
                                   capture_output=True).stdout
            self.assertEqual(z.read(name), shown, name)
        self.assertIn("diffs/001-002.diff", names)
        self.assertIn("diffs/002-003.diff", names)
        self.assertIn(b"+stage: regional-approval", z.read("diffs/001-002.diff"))
        pub = s.get("/api/v1/signing-key", "aud").json["public_key"]
        self.assertEqual(z.read("signing-key.pub").decode().strip(), pub.strip())
        self.assertIn("allowed_signers", names)
        self.assertIn("README.md", names)

    def test_case_dossier_is_for_auditors_and_logged(self):
        s = self.srv
        r = s.post("/api/v1/documents", case_body(), "off11")
        cid = r.json["id"]
        r = s.act(cid, "start-review", "off11", r.header("ETag"))
        for user in ("off11", "chair11", "rev1", "adm"):
            self.assertEqual(self.download(cid, user)[0], 403, user)
        status, headers, data = self.download(cid, "aud")
        self.assertEqual(status, 200, data[:200])
        z = self.check_zip(data)
        versions = sorted(n for n in z.namelist() if n.startswith("versions/"))
        self.assertEqual(len(versions), 2)
        # Opened, not sealed: the same text the API gives for that version.
        first = versions[0].split("-", 1)[1][:-3]
        api = s.get(f"/api/v1/documents/{cid}/versions/{first}", "aud").json
        self.assertIn(api["fields"]["child"]["full_name"].encode(), z.read(versions[0]))
        self.assertTrue(z.read(versions[0]).startswith(b"---\n"))
        with open(os.path.join(s.data, "access.log")) as f:
            events = [json.loads(l) for l in f if l.strip()]
        self.assertIn(("aud", "dossier", cid), [(e["user"], e["action"], e["document"]) for e in events])


if __name__ == "__main__":
    unittest.main()
