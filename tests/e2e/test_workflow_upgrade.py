"""A workflows folder from before issue 12: refused where it lacks what the
core now reads from it (labels), and where it starts but publishes nothing
(no public: true), the server says so in its log."""
import glob
import os
import re
import shutil
import tempfile
import unittest

from kenes_harness import SOURCE, Server

WARNING = "no workflow of a type that is not confidential has a public stage"


def workflows_folder(tmp, edit):
    """The shipped workflows, each file's text passed through edit."""
    folder = os.path.join(tmp, "workflows")
    os.makedirs(folder)
    for path in glob.glob(os.path.join(SOURCE, "workflows", "*.yaml")):
        with open(path, encoding="utf-8") as f:
            text = edit(f.read())
        with open(os.path.join(folder, os.path.basename(path)), "w", encoding="utf-8") as f:
            f.write(text)
    return f"paths:\n  workflows: {folder}\n"


class WorkflowUpgrade(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kenes-upgrade-")
        self.srv = None

    def tearDown(self):
        if self.srv:
            self.srv.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_shipped_workflows_start_without_the_warning(self):
        self.srv = Server(extra_config=workflows_folder(self.tmp, lambda t: t)).start()
        self.assertNotIn(WARNING, self.srv.read_log())

    def test_no_public_stage_starts_with_a_warning(self):
        self.srv = Server(extra_config=workflows_folder(
            self.tmp, lambda t: t.replace("public: true", "public: false"))).start()
        self.assertIn(WARNING, self.srv.read_log())
        self.assertEqual(self.srv.get("/api/v1/workflows", "aud").status, 200)

    def test_no_labels_is_refused_at_start(self):
        # Everything from "labels:" to the next top-level key goes.
        strip = lambda t: re.sub(r"(?ms)^labels:\n(?:[ #].*?\n|\n)*", "", t)
        self.srv = Server(extra_config=workflows_folder(self.tmp, strip))
        code = self.srv.start(expect_fail=True)
        self.assertEqual(code, 1)
        self.assertIn("missing required top-level key 'labels'", self.srv.read_log())


if __name__ == "__main__":
    unittest.main()
