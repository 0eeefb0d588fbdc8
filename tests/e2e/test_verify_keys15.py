"""kenes verify and issue 15's workflow keys, on the test workflows of
tests/data/workflows/e2e-keys15/: a clean history with recorded fields,
back, a move and two reviewers' agreement verifies; each forged commit
(written with the real git behind the server's back) that breaks a rule is
named: a transition changing what it does not record, a cleared field left
in place, back to the wrong stage, a region changed where nothing moves or
moved to a region the document did not name, an edit moving the document,
the same reviewer agreeing twice, a former transition from a stage the
document was not in."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from kenes_harness import Server, git, run_cli
from test_workflow_keys import USERS15, add_agency_users, plan, test_dirs

AGREED = "k15plan/KZ-11/1"    # approved with its act, agreed by two reviewers
HELD = "k15plan/KZ-11/2"      # submitted, held from approval
MOVED = "k15plan/KZ-15/3"     # created in KZ-11, relocated to KZ-15
AGREEING = "k15plan/KZ-11/4"  # approved, agreed once: its round is open
DRAFT = "k15plan/KZ-11/5"     # a draft


def fault_lines(out, commit):
    return [l for l in out.splitlines() if f"commit {commit}:" in l]


class VerifyKeys15(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kenes-verify15-")
        _, config = test_dirs(cls.tmp)
        s = cls.srv = Server(users=USERS15, extra_config=config)
        add_agency_users(s.data)
        s.start()

        def create(n):
            r = s.post("/api/v1/documents", plan(n), "off11")
            assert r.status == 201, r
            return r.json["id"], r.header("ETag")

        def act(doc, action, user, etag, **body):
            r = s.post(f"/api/v1/documents/{doc}/transitions", dict(action=action, **body), user,
                       etag)
            assert r.status == 200, r
            return r.header("ETag")

        act_fields = {"act": {"number": "№ 12", "date": "2026-03-02"}}
        pid, etag = create(1)
        etag = act(pid, "submit", "off11", etag)
        etag = act(pid, "approve", "appr1", etag, fields=act_fields)
        etag = act(pid, "agree", "rev1", etag)
        act(pid, "agree", "rev2", etag)
        pid, etag = create(2)
        etag = act(pid, "hold", "off11", etag)
        etag = act(pid, "resume", "off11", etag)
        etag = act(pid, "submit", "off11", etag)
        act(pid, "hold", "off11", etag)
        pid, etag = create(3)
        etag = act(pid, "relocate", "off11", etag, fields={"relocate": {"to": "KZ-15"}})
        act(pid, "arrive", "off15", etag)
        pid, etag = create(4)
        etag = act(pid, "submit", "off11", etag)
        etag = act(pid, "approve", "appr1", etag, fields=act_fields)
        act(pid, "agree", "rev1", etag)
        create(5)
        assert s.stop() == 0
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def copy(self):
        VerifyKeys15.n += 1
        dst = os.path.join(self.srv.tmp, f"copy{VerifyKeys15.n}")
        shutil.copytree(self.srv.data, dst)
        return dst

    def verify(self, data, code):
        c, out, err = run_cli("verify", "--data", data)
        self.assertEqual(c, code, out + err)
        return out

    def forge(self, data, doc, message, author, edit):
        """Commit edit(text) of doc's file with the git command; the commit."""
        work = tempfile.mkdtemp(prefix="kenes-forge-", dir=self.srv.tmp)
        clone = os.path.join(work, "clone")
        subprocess.run(["git", "clone", "-q", "-b", "main", os.path.join(data, "documents.git"),
                        clone], check=True, capture_output=True, timeout=120)
        path = os.path.join(clone, doc + ".md")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        changed = edit(text)
        self.assertNotEqual(changed, text)
        with open(path, "w", encoding="utf-8") as f:
            f.write(changed)
        env = dict(os.environ, GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL=f"{author}@users.kenes",
                   GIT_COMMITTER_NAME="kenes", GIT_COMMITTER_EMAIL="kenes@localhost")
        subprocess.run(["git", "-C", clone, "commit", "-q", "-a", "-m", message], check=True,
                       env=env, capture_output=True, timeout=120)
        subprocess.run(["git", "-C", clone, "push", "-q", "origin", "HEAD:main"], check=True,
                       capture_output=True, timeout=120)
        return git(clone, "rev-parse", "HEAD").strip()

    @staticmethod
    def message(doc, action, stage, role, extra=""):
        return (f"{action} test plan {doc}\n\nKenes-Document: {doc}\nKenes-Action: {action}\n"
                f"Kenes-Stage: {stage}\nKenes-Role: {role}\n{extra}")

    @staticmethod
    def set_line(key, value, indent=""):
        """An edit setting the front matter's `key: ...` line (at indent) to value
        (the file quotes a key YAML would read otherwise, "n")."""
        return lambda t: re.sub(rf'(?m)^{indent}("?){key}("?): .*$', rf"{indent}\1{key}\2: {value}",
                                t, count=1)

    @staticmethod
    def both(*edits):
        def run(t):
            for e in edits:
                t = e(t)
            return t
        return run

    def assert_fault(self, out, commit, words):
        lines = fault_lines(out, commit)
        self.assertTrue(any(words in l for l in lines), out)

    # ---- a clean history ----

    def test_clean_history(self):
        out = self.verify(self.srv.data, 0)
        self.assertIn(" 0 faults", out)

    # ---- records ----

    def test_transition_changes_a_field_it_does_not_record(self):
        data = self.copy()
        commit = self.forge(data, HELD, self.message(HELD, "resume", "hold -> approval",
                                                     "regional-official"), "off11",
                            self.both(self.set_line("stage", "approval"),
                                      self.set_line("n", "22", "  ")))
        self.assert_fault(self.verify(data, 1), commit,
                          "a transition changes a field it does not record: n")

    def test_transition_changes_the_title(self):
        data = self.copy()
        commit = self.forge(data, HELD, self.message(HELD, "resume", "hold -> approval",
                                                     "regional-official"), "off11",
                            self.both(self.set_line("stage", "approval"),
                                      self.set_line("title", "Другой план")))
        self.assert_fault(self.verify(data, 1), commit,
                          "a transition changes what no transition writes: title")

    def test_lawful_transition_is_faulted_only_unsigned(self):
        # A forged commit is unsigned (that fault is said), but it changes
        # only the stage, as its transition may: no fault of that.
        data = self.copy()
        commit = self.forge(data, HELD, self.message(HELD, "resume", "hold -> approval",
                                                     "regional-official"), "off11",
                            self.set_line("stage", "approval"))
        out = self.verify(data, 1)
        self.assertFalse([l for l in fault_lines(out, commit) if "field" in l or "region" in l],
                         out)

    # ---- back ----

    def test_back_to_the_wrong_stage(self):
        data = self.copy()
        commit = self.forge(data, HELD, self.message(HELD, "resume", "hold -> draft",
                                                     "regional-official"), "off11",
                            self.set_line("stage", "draft"))
        self.assert_fault(self.verify(data, 1), commit, "a transition the workflow does not allow: resume")

    # ---- moves, clears ----

    def test_region_changed_where_nothing_moves(self):
        data = self.copy()
        commit = self.forge(data, DRAFT, self.message(DRAFT, "submit", "draft -> approval",
                                                      "regional-official"), "off11",
                            self.both(self.set_line("stage", "approval"),
                                      self.set_line("region", "KZ-15")))
        self.assert_fault(self.verify(data, 1), commit,
                          "the region changes in a transition that moves nothing: KZ-15")

    def test_edit_moves_the_document(self):
        data = self.copy()
        commit = self.forge(data, DRAFT, self.message(DRAFT, "edit", "draft", "regional-official"),
                            "off11", self.set_line("region", "KZ-71"))
        self.assert_fault(self.verify(data, 1), commit,
                          "an edit moves the document to another region: KZ-71")

    def test_moved_to_a_region_not_named_and_cleared_field_kept(self):
        data = self.copy()
        # A relocation to KZ-15 recorded, then an arrival in KZ-71 keeping it.
        first = self.forge(data, DRAFT, self.message(DRAFT, "relocate", "draft -> moving",
                                                     "regional-official"), "off11",
                           lambda t: re.sub(r"(?m)^fields:\n", "fields:\n  relocate:\n    to: KZ-15\n",
                                            self.set_line("stage", "moving")(t), count=1))
        commit = self.forge(data, DRAFT, self.message(DRAFT, "arrive", "moving -> draft",
                                                      "regional-official"), "off71",
                            self.both(self.set_line("stage", "draft"),
                                      self.set_line("region", "KZ-71")))
        out = self.verify(data, 1)
        self.assertFalse([l for l in fault_lines(out, first) if "field" in l], out)
        self.assert_fault(out, commit, "moved to a region the document did not name: KZ-71")
        self.assert_fault(out, commit, "a field the transition clears is still there: relocate")

    # ---- four eyes on agree ----

    def test_same_reviewer_agrees_twice(self):
        data = self.copy()
        blob = git(os.path.join(data, "documents.git"), "rev-parse", f"main:{AGREEING}.md").strip()
        commit = self.forge(data, AGREEING, self.message(
            AGREEING, "agree", "agreement -> in-force", "ministry-reviewer",
            f"Kenes-Approval: 2/2\nKenes-Content: {blob}\n"), "rev1",
            self.set_line("stage", "in-force"))
        self.assert_fault(self.verify(data, 1), commit,
                          "approved twice in one round by the same person: rev1")

    def test_agree_without_a_count(self):
        data = self.copy()
        commit = self.forge(data, AGREEING, self.message(
            AGREEING, "agree", "agreement -> in-force", "ministry-reviewer"), "rev2",
            self.set_line("stage", "in-force"))
        self.assert_fault(self.verify(data, 1), commit,
                          "an approval without a valid Kenes-Approval count: agree")

    # ---- former ----

    def test_former_transition_from_another_stage(self):
        # The former approve went review -> approved; this plan is in draft.
        data = self.copy()
        commit = self.forge(data, DRAFT, self.message(DRAFT, "approve", "draft -> approved",
                                                      "ministry-reviewer"), "rev1",
                            self.set_line("stage", "approved"))
        self.assert_fault(self.verify(data, 1), commit,
                          "a transition the workflow does not allow: approve")


if __name__ == "__main__":
    unittest.main()
