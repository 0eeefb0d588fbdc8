"""serve --demo on an empty folder: every demo login works and every
workflow has documents in every stage."""
import re
import unittest

from kenes_harness import Server, git, wait_until


class Demo(unittest.TestCase):
    def test_demo_logins_and_every_stage(self):
        # As demo.sh runs it: reports published after approvals (the demo approves).
        s = Server(users=[], demo=True, reports=True)
        try:
            s.start()
            printed = "".join(s.stdout_lines)
            logins = re.findall(r"^\s+(\S+)\s+(\S+)\s+(?:KZ-\d\d)?\s*password: (\S+)$", printed, re.M)
            self.assertGreaterEqual(len(logins), 6, printed)
            roles = set()
            for name, role, password in logins:
                s.login(name, password)
                roles.add(role)
            self.assertLessEqual({"regional-official", "akimat-approver", "commission-chair",
                                  "commission-secretary", "ministry-reviewer", "auditor", "admin"},
                                 roles)
            admin = [n for n, r, _ in logins if r == "admin"][0]
            docs = s.get("/api/v1/documents", admin).json["documents"]
            for wf in s.get("/api/v1/workflows", admin).json["workflows"]:
                stages = {d["stage"] for d in docs if d["type"] == wf["type"]}
                self.assertEqual(stages, {st["name"] for st in wf["stages"]}, wf["type"])
            # The demo's approvals publish the reports once the server is up.
            wait_until(lambda: "Publish reports" in git(s.docs_git, "log", "--format=%s", "main"),
                       "the demo's reports were not published")
            self.assertEqual(s.request("GET", "/reports/national").status, 200)
            # A second start on the same folder keeps the documents and does not replay them.
            count = len(docs)
            self.assertEqual(s.stop(), 0)
            s.start()
            s.tokens.clear()
            s.login(admin, [p for n, _, p in logins if n == admin][0])
            self.assertEqual(len(s.get("/api/v1/documents", admin).json["documents"]), count)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
