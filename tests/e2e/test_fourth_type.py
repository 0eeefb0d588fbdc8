"""A fourth document type needs only a plugin and a workflow file; and a
plugin that misbehaves cannot make the server lose data."""
import glob
import os
import shutil
import unittest

from kenes_harness import KENES, SOURCE, USERS, Server, commit_count, git

USERS4 = USERS + [("chair11", "commission-chair", "KZ-11")]


def fourth_type_dirs(tmp):
    """The shipped plugins and workflows plus the test-only fourth type."""
    build = os.path.dirname(KENES)
    plugins = os.path.join(tmp, "plugins")
    workflows = os.path.join(tmp, "workflows")
    os.makedirs(plugins)
    os.makedirs(workflows)
    for so in glob.glob(os.path.join(build, "plugins", "*.so")):
        shutil.copy(so, plugins)
    shutil.copy(os.path.join(build, "tests", "plugins", "fourth_type.so"), plugins)
    for wf in glob.glob(os.path.join(SOURCE, "workflows", "*.yaml")):
        shutil.copy(wf, workflows)
    shutil.copy(os.path.join(SOURCE, "tests", "data", "fourth", "meeting-minutes.yaml"), workflows)
    return f"paths:\n  plugins: {plugins}\n  workflows: {workflows}\n"


def minutes(title="Заседание КДН", date="2026-02-10", present=2):
    return {"type": "meeting-minutes", "region": "KZ-11", "title": title,
            "body": "# Протокол\n", "fields": {"date": date, "present": present}}


class FourthType(unittest.TestCase):
    def setUp(self):
        import tempfile
        self.tmp = tempfile.mkdtemp(prefix="kenes-4th-")
        self.srv = Server(users=USERS4, extra_config=fourth_type_dirs(self.tmp))
        self.srv.start()

    def tearDown(self):
        self.srv.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_new_type_works_end_to_end(self):
        s = self.srv
        wf = [w for w in s.get("/api/v1/workflows", "aud").json["workflows"]
              if w["type"] == "meeting-minutes"]
        self.assertEqual(len(wf), 1)
        r = s.post("/api/v1/documents", minutes(), "off11")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["id"], "minutes/KZ-11/2026-02-10")
        # Its guard, provided by its plugin, is enforced.
        g = s.act("minutes/KZ-11/2026-02-10", "sign", "chair11", r.header("ETag"))
        self.assertEqual(g.status, 422, g)
        self.assertIn("quorum", g.json["error"]["message"])
        e = s.put("/api/v1/documents/minutes/KZ-11/2026-02-10", {"fields": {"date": "2026-02-10", "present": 5}},
                  "off11", r.header("ETag"))
        self.assertEqual(e.status, 200, e)
        g = s.act("minutes/KZ-11/2026-02-10", "sign", "chair11", e.header("ETag"))
        self.assertEqual(g.status, 200, g)
        self.assertEqual(g.json["stage"], "signed")
        log = git(s.docs_git, "log", "--format=%s", "main")
        self.assertIn("Sign meeting minutes KZ-11 2026-02-10", log)

    def test_validator_returning_garbage_is_refused_and_logged(self):
        s = self.srv
        before = commit_count(s.docs_git)
        r = s.post("/api/v1/documents", minutes(title="validator-garbage"), "off11")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(commit_count(s.docs_git), before)
        self.assertIn("validator of meeting-minutes refused a document", s.read_log())
        self.assertIsNone(s.proc.poll())

    def test_validator_crash_loses_no_acknowledged_write(self):
        s = self.srv
        r = s.post("/api/v1/documents", minutes(date="2026-02-11"), "off11")
        self.assertEqual(r.status, 201, r)
        acknowledged = r.json["version"]
        before = commit_count(s.docs_git)
        try:
            s.post("/api/v1/documents", minutes(title="validator-crash", date="2026-02-12"), "off11")
        except OSError:
            pass  # the connection dies with the process
        s.proc.wait(timeout=30)
        self.assertNotEqual(s.proc.returncode, 0)
        s.stop()
        # Everything acknowledged is still there; the crashed write left nothing.
        self.assertEqual(commit_count(s.docs_git), before)
        self.assertEqual(git(s.docs_git, "rev-parse", "main").strip(), acknowledged)
        import subprocess
        fsck = subprocess.run(["git", "-C", s.docs_git, "fsck", "--strict"], capture_output=True, text=True)
        self.assertEqual(fsck.returncode, 0, fsck.stderr)
        s.start()
        s.tokens.clear()
        r = s.get("/api/v1/documents/minutes/KZ-11/2026-02-11", "aud")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["version"], acknowledged)


if __name__ == "__main__":
    unittest.main()
