"""A regional plan through its whole workflow, checked with the real git."""
import subprocess
import unittest

from kenes_harness import ServerTest, commit_count, git, plan_body


class PlanWorkflow(ServerTest):
    def test_full_workflow_and_git_history(self):
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(), "off11")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.header("Location"), "/api/v1/documents/plan/KZ-11/2026")
        doc = r.json
        self.assertEqual(doc["id"], "plan/KZ-11/2026")
        self.assertEqual(doc["stage"], "draft")
        self.assertEqual(r.header("ETag"), '"%s"' % doc["version"])
        for key in ("id", "type", "region", "title", "stage", "fields", "body", "version"):
            self.assertIn(key, doc)
        etag = r.header("ETag")

        # The chain: the official sends it to the akimat, the akimat's
        # approver returns it with a comment, then approves it recording the
        # resolution, and two ministry reviewers agree.
        r = s.act("plan/KZ-11/2026", "submit", "off11", etag)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "regional-approval")
        r = s.act("plan/KZ-11/2026", "return", "appr1", r.header("ETag"),
                  comment="Добавьте меры против буллинга")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "draft")
        r = s.put("/api/v1/documents/plan/KZ-11/2026",
                  {"body": "# План\n\nМеры против буллинга в школах.\n"}, "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "draft")
        r = s.act("plan/KZ-11/2026", "submit", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        r = s.act("plan/KZ-11/2026", "approve", "appr1", r.header("ETag"),
                  fields={"act": {"number": "№ 15", "date": "2026-02-05"}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "ministry-agreement")
        self.assertEqual(r.json["fields"]["act"], {"number": "№ 15", "date": "2026-02-05"})
        r = s.act("plan/KZ-11/2026", "agree", "rev1", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "ministry-agreement")  # 1 of 2 agreements
        r = s.act("plan/KZ-11/2026", "agree", "rev2", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "in-force")
        final_version = r.json["version"]

        # The answers agree with a fresh read.
        r = s.get("/api/v1/documents/plan/KZ-11/2026", "aud")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["version"], final_version)
        self.assertIn("буллинга", r.json["body"])

        # History: newest first, one entry per step.
        r = s.get("/api/v1/documents/plan/KZ-11/2026/history", "aud")
        self.assertEqual(r.status, 200)
        versions = r.json["versions"]
        self.assertEqual([v["action"] for v in versions],
                         ["agree", "agree", "approve", "submit", "edit", "return", "submit",
                          "create"])
        self.assertEqual([versions[0]["approval"], versions[1]["approval"]], ["2/2", "1/2"])
        self.assertEqual(versions[0]["commit"], final_version)
        self.assertEqual(versions[5]["comment"], "Добавьте меры против буллинга")
        self.assertEqual(versions[5]["from"], "regional-approval")
        self.assertEqual(versions[5]["to"], "draft")
        self.assertEqual((versions[2]["from"], versions[2]["to"]),
                         ("regional-approval", "ministry-agreement"))
        self.assertIsNone(versions[7]["from"])
        for v in versions:
            for key in ("commit", "time", "author", "action", "from", "to", "comment"):
                self.assertIn(key, v)

        # A past version and a diff.
        first = versions[-1]["commit"]
        r = s.get(f"/api/v1/documents/plan/KZ-11/2026/versions/{first}", "aud")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "draft")
        self.assertEqual(r.json["version"], first)
        self.assertNotIn("act", r.json["fields"])
        r = s.get(f"/api/v1/documents/plan/KZ-11/2026/diff?from={first}&to={final_version}", "aud")
        self.assertEqual(r.status, 200, r)
        self.assertIn("\n-stage: draft\n+stage: in-force\n", r.json["diff"])
        self.assertIn("\n+Меры против буллинга в школах.\n", r.json["diff"])
        self.assertIn("2026-02-05", r.json["diff"])  # the act, recorded by the approval

        # The real git: one commit per step, the user as author, the trailers.
        repo = s.docs_git
        self.assertEqual(commit_count(repo), 8)
        log = git(repo, "log", "--format=%an|%cn|%s|%(trailers:key=Kenes-Action,valueonly)", "main")
        lines = [l for l in log.splitlines() if l.strip()]
        self.assertEqual(lines[0], "rev2|kenes|Agree regional plan KZ-11 2026|agree")
        self.assertEqual(lines[-1], "off11|kenes|Create regional plan KZ-11 2026|create")
        authors = [l.split("|")[0] for l in lines]
        self.assertEqual(authors, ["rev2", "rev1", "appr1", "off11", "off11", "appr1", "off11",
                                   "off11"])
        head = git(repo, "log", "-1", "--format=%B", "main")
        self.assertIn("Kenes-Document: plan/KZ-11/2026", head)
        self.assertIn("Kenes-Action: agree", head)
        self.assertIn("Kenes-Stage: ministry-agreement -> in-force", head)
        self.assertIn("Kenes-Role: ministry-reviewer", head)
        approve = git(repo, "log", "--format=%B", "-1", "main~2")
        self.assertIn("Kenes-Stage: regional-approval -> ministry-agreement", approve)
        self.assertIn("Kenes-Role: akimat-approver", approve)
        # The approval's own commit wrote the act into the file.
        self.assertNotIn("2026-02-05", git(repo, "show", "main~3:plan/KZ-11/2026.md"))
        self.assertIn("2026-02-05", git(repo, "show", "main~2:plan/KZ-11/2026.md"))
        ret = git(repo, "log", "--format=%B", "-1", "main~5")
        self.assertIn("Добавьте меры против буллинга", ret)
        self.assertIn("Kenes-Stage: regional-approval -> draft", ret)
        fsck = subprocess.run(["git", "-C", repo, "fsck", "--strict"], capture_output=True,
                              text=True)
        self.assertEqual(fsck.returncode, 0, fsck.stderr)
        shown = git(repo, "show", "main:plan/KZ-11/2026.md")
        self.assertTrue(shown.startswith("---\n"), shown[:80])
        self.assertIn("\nid: plan/KZ-11/2026\n", shown)
        self.assertIn("\nstage: in-force\n", shown)
        self.assertIn("Меры против буллинга в школах.", shown)

        # The list and filters.
        r = s.get("/api/v1/documents?type=regional-plan&region=KZ-11", "rev2")
        self.assertEqual([d["id"] for d in r.json["documents"]], ["plan/KZ-11/2026"])
        r = s.get("/api/v1/documents?stage=draft", "rev2")
        self.assertEqual(r.json["documents"], [])

    def test_restart_rebuilds_index_from_git(self):
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-11", period=2027), "off11")
        self.assertEqual(r.status, 201, r)
        r = s.act("plan/KZ-11/2027", "submit", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        before = s.get("/api/v1/documents/plan/KZ-11/2027", "aud").json
        history = s.get("/api/v1/documents/plan/KZ-11/2027/history", "aud").json
        self.assertEqual(s.stop(), 0)
        s.start()
        s.tokens.clear()  # sessions do not survive a restart
        after = s.get("/api/v1/documents/plan/KZ-11/2027", "aud").json
        self.assertEqual(before, after)
        self.assertEqual(history, s.get("/api/v1/documents/plan/KZ-11/2027/history", "aud").json)

    def test_workflows_endpoint(self):
        r = self.srv.get("/api/v1/workflows", "aud")
        self.assertEqual(r.status, 200)
        wf = [w for w in r.json["workflows"] if w["type"] == "regional-plan"][0]
        self.assertEqual(wf["initial"], "draft")
        # The chain's actions; the former ones (before issue 15) are never offered.
        actions = sorted({t["action"] for t in wf["transitions"] if not t.get("former")})
        self.assertEqual(actions, ["agree", "amend", "approve", "return", "submit"])
        approve = [t for t in wf["transitions"] if t["action"] == "approve"
                   and not t.get("former")][0]
        self.assertEqual(approve["records"], ["act"])
        self.assertEqual(approve["roles"], ["akimat-approver"])


if __name__ == "__main__":
    unittest.main()
