"""Read replicas (issue 17 item 2; README "Read replicas"): a replica is made
as the README says (kenes init, the primary's users.yaml, allowed_signers
and keys/signing.pub copied in, the primary's mirrors pointed at its
repositories, file:// here) and served with kenes serve --replica.  It
follows main as the primary pushes it; every write answers 503 naming the
primary and writes nothing; a commit pushed in by hand without kenes's
signature is never served and stops the following (/healthz 503, a log
line); so does a main rewritten behind it; a restart starts from its own
journal and serves the same."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from kenes_harness import (KENES, PASSWORD, Browser, Server, commit_count, git, plan_body,
                           run_cli, wait_until)

PRIMARY_URL = "https://kenes.example.kz"


def replica_server(data):
    """kenes serve --replica on a data folder made as the README says."""
    srv = Server(data=data, users=[], env={"KENES_TEST_REPLICA_STEP": "1"})
    srv.serve_args = ["--replica", "--primary", PRIMARY_URL]
    return srv


def health(srv):
    r = srv.request("GET", "/healthz")
    return r.status, json.loads(r.raw)


class ReplicaPair(unittest.TestCase):
    """A primary and its replica, made as README "Read replicas" says (no
    tests of its own: test_replica_cases.py starts from it too)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kenes-replica-")
        self.rdir = os.path.join(self.tmp, "replica")
        # As README "Read replicas" says: kenes init makes the replica's
        # folder (first: the primary's mirrors point into it), then the
        # primary's users.yaml, allowed_signers and keys/signing.pub go in.
        code, out, err = run_cli("init", "--data", self.rdir)
        self.assertEqual(code, 0, err)
        cfg = ("mirrors:\n"
               f"  documents:\n    - url: file://{self.rdir}/documents.git\n"
               f"  cases:\n    - url: file://{self.rdir}/cases.git\n")
        self.primary = Server(extra_config=cfg)
        for leaf in ("users.yaml", "allowed_signers", "keys/signing.pub"):
            shutil.copy2(os.path.join(self.primary.data, leaf), os.path.join(self.rdir, leaf))
        self.primary.start()
        self.replica = replica_server(self.rdir)
        self.replica.start()
        self.rgit = os.path.join(self.rdir, "documents.git")
        self.rcases = os.path.join(self.rdir, "cases.git")

    def tearDown(self):
        self.replica.cleanup()
        self.primary.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)


class Replicas(ReplicaPair):

    def new_plan(self, title="План профилактики"):
        r = self.primary.post("/api/v1/documents", plan_body(title=title), "off11")
        self.assertEqual(r.status, 201, r)
        return r.json["id"], r.header("ETag")

    def served_title(self, doc_id):
        r = self.replica.get("/api/v1/documents/" + doc_id, "off11")
        return r.json["title"] if r.status == 200 else None

    def wait_served(self, doc_id, title):
        wait_until(lambda: self.served_title(doc_id) == title,
                   f"the replica to serve {doc_id} titled {title}")

    def test_follows_refuses_writes_and_restarts_from_its_journal(self):
        doc_id, etag = self.new_plan()
        self.wait_served(doc_id, "План профилактики")
        r = self.primary.put("/api/v1/documents/" + doc_id, {"title": "План, правка 1"}, "off11",
                             etag)
        self.assertEqual(r.status, 200, r)
        self.wait_served(doc_id, "План, правка 1")
        history = self.replica.get(f"/api/v1/documents/{doc_id}/history", "off11")
        self.assertEqual(history.status, 200, history)
        # The same history as on the primary, version for version.
        self.assertEqual(history.json,
                         self.primary.get(f"/api/v1/documents/{doc_id}/history", "off11").json)
        self.assertEqual(len(history.json["versions"]), 2, history)
        path = "/api/v1/documents/" + doc_id
        self.assertEqual(self.replica.get(path, "off11").json, self.primary.get(path, "off11").json)
        self.assertEqual(self.replica.get(path, "off11").header("ETag"),
                         self.primary.get(path, "off11").header("ETag"))
        listed = self.replica.get("/api/v1/documents?type=regional-plan", "aud")
        self.assertIn(doc_id, [d["id"] for d in listed.json["documents"]])
        head = git(self.primary.docs_git, "rev-parse", "main").strip()
        wait_until(lambda: health(self.replica)[1]["replica"]["head"] == head,
                   "/healthz to name the primary's head")
        status, h = health(self.replica)
        self.assertEqual(status, 200, h)
        self.assertTrue(h["replica"]["following"])
        self.assertEqual(h["replica"]["primary"], PRIMARY_URL)
        self.assertIn("newest_commit", h["replica"])
        self.assertGreaterEqual(h["replica"]["since_moved_s"], 0)

        # Every write: 503 naming the primary, nothing written.
        before = commit_count(self.rgit)
        r = self.replica.post("/api/v1/documents", plan_body(title="На реплике"), "off11")
        self.assertEqual(r.status, 503, r)
        self.assertEqual(r.json["error"]["code"], "replica")
        self.assertIn(PRIMARY_URL, r.json["error"]["message"])
        r = self.replica.put("/api/v1/documents/" + doc_id, {"title": "Нет"}, "off11",
                             self.replica.get("/api/v1/documents/" + doc_id,
                                              "off11").header("ETag"))
        self.assertEqual(r.status, 503, r)
        r = self.replica.post(f"/api/v1/documents/{doc_id}/transitions", {"action": "submit"},
                              "off11")
        self.assertEqual(r.status, 503, r)
        r = self.replica.request("DELETE", "/api/v1/documents/" + doc_id,
                                 token=self.replica.token("adm"))
        self.assertEqual(r.status, 503, r)
        # A person signs in on the replica; a form that changes something is
        # refused in their language, naming the primary.
        b = Browser(self.replica, lang="ru").signed_in("off11")
        # The primary's pages carry no such notice.
        p = Browser(self.primary, lang="ru").signed_in("off11")
        self.assertNotIn('data-kenes="replica"', p.get("/ui/new/regional-plan").raw)
        # Every page of the replica says so before a form is filled in.
        page = b.get("/ui/new/regional-plan")
        self.assertEqual(page.status, 200, page)
        self.assertIn('data-kenes="replica"', page.raw)
        self.assertIn("Это копия только для чтения", page.raw)
        self.assertIn(PRIMARY_URL, page.raw)
        page = b.post(f"/ui/d/{doc_id}/edit", {"csrf": b.csrf(f"/ui/d/{doc_id}"),
                                                "title": "Нет"})
        self.assertEqual(page.status, 503, page)
        self.assertIn("копия только для чтения", page.raw)
        self.assertIn("Только для чтения", page.raw)  # the page's heading, not «Ошибка»
        self.assertIn(PRIMARY_URL, page.raw)
        kk = Browser(self.replica, lang="kk").signed_in("off11")
        page = kk.post("/ui/new/regional-plan", {"csrf": kk.csrf("/ui/inbox")})
        self.assertEqual(page.status, 503, page)
        self.assertIn("тек оқуға арналған көшірме", page.raw)
        # A password is the primary's too (users.yaml is copied from there).
        with open(os.path.join(self.rdir, "users.yaml"), "rb") as f:
            users = f.read()
        page = b.post("/ui/password", {"csrf": b.csrf("/ui/password"),
                                       "current_password": PASSWORD,
                                       "new_password": "another-long-password-1",
                                       "new_password_again": "another-long-password-1"})
        self.assertEqual(page.status, 503, page)
        with open(os.path.join(self.rdir, "users.yaml"), "rb") as f:
            self.assertEqual(f.read(), users)
        # Signing out is the replica's own session: it works.
        r = b.post("/ui/logout", {"csrf": b.csrf("/ui/password")})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(commit_count(self.rgit), before)
        self.assertEqual(self.served_title(doc_id), "План, правка 1")

        # A restart starts from the replica's own journal and serves the same.
        journal = os.path.join(self.rdir, "index", "documents.jsonl")
        with open(journal) as f:
            lines = [json.loads(x) for x in f if x.strip()]
        self.assertEqual([x["commit"] for x in lines if "document" in x][-1], head)
        self.assertEqual(self.replica.stop(), 0)
        self.replica.start()
        self.replica.tokens.clear()
        self.assertEqual(self.served_title(doc_id), "План, правка 1")
        self.assertEqual(health(self.replica)[1]["replica"]["head"], head)
        # ... and follows on from there.
        etag = self.primary.get("/api/v1/documents/" + doc_id, "off11").header("ETag")
        r = self.primary.put("/api/v1/documents/" + doc_id, {"title": "План, правка 2"}, "off11",
                             etag)
        self.assertEqual(r.status, 200, r)
        self.wait_served(doc_id, "План, правка 2")
        # Far behind (three commits pushed while it was stopped), it catches
        # up in steps (KENES_TEST_REPLICA_STEP=1 here: one commit each).
        self.assertEqual(self.replica.stop(), 0)
        for i in (3, 4, 5):
            etag = self.primary.get("/api/v1/documents/" + doc_id, "off11").header("ETag")
            r = self.primary.put("/api/v1/documents/" + doc_id, {"title": f"План, правка {i}"},
                                 "off11", etag)
            self.assertEqual(r.status, 200, r)
        head = git(self.primary.docs_git, "rev-parse", "main").strip()
        wait_until(lambda: git(self.rgit, "rev-parse", "main").strip() == head,
                   "the primary's mirror to reach the stopped replica")
        with open(self.replica.log_path, encoding="utf-8") as f:
            steps = f.read().count("1 version(s) taken")
        self.replica.start()
        self.replica.tokens.clear()
        self.wait_served(doc_id, "План, правка 5")
        self.assertEqual(self.replica.read_log().count("1 version(s) taken") - steps, 3)
        self.assertNotIn("following stopped", self.replica.read_log())

    def test_unsigned_commit_is_not_served_and_stops_following(self):
        doc_id, etag = self.new_plan()
        self.wait_served(doc_id, "План профилактики")
        # While the replica is stopped: a good commit from the primary, then
        # one as kenes words them, but not signed, pushed in by hand on top.
        self.assertEqual(self.replica.stop(), 0)
        r = self.primary.put("/api/v1/documents/" + doc_id, {"title": "План, правка 1"}, "off11",
                             etag)
        self.assertEqual(r.status, 200, r)
        good = git(self.primary.docs_git, "rev-parse", "main").strip()
        wait_until(lambda: git(self.rgit, "rev-parse", "main").strip() == good,
                   "the primary's mirror to reach the stopped replica")
        message = git(self.rgit, "log", "-1", "--format=%B", "main")
        tree = git(self.rgit, "rev-parse", "main^{tree}").strip()
        env = dict(os.environ, GIT_AUTHOR_NAME="x", GIT_AUTHOR_EMAIL="x@x",
                   GIT_COMMITTER_NAME="x", GIT_COMMITTER_EMAIL="x@x")
        p = subprocess.run(["git", "-C", self.rgit, "commit-tree", tree, "-p", good],
                           input=message, capture_output=True, text=True, env=env, check=True)
        bad = p.stdout.strip()
        git(self.rgit, "update-ref", "refs/heads/main", bad, good)
        self.replica.start()
        self.replica.tokens.clear()
        wait_until(lambda: health(self.replica)[0] == 503, "/healthz to answer 503")
        h = health(self.replica)[1]
        self.assertFalse(h["replica"]["following"])
        self.assertIn(bad, h["replica"]["stopped"])
        # The good commit before it is taken and served; nothing of the bad one.
        self.assertEqual(h["replica"]["head"], good)
        self.assertEqual(self.served_title(doc_id), "План, правка 1")
        log = self.replica.read_log()
        self.assertIn(f"commit {bad} is not one kenes made or accepted", log)
        self.assertIn("following stopped", log)
        with open(os.path.join(self.rdir, "index", "documents.jsonl")) as f:
            journal = f.read()
        self.assertIn(good, journal)
        self.assertNotIn(bad, journal)
        # And it stays stopped: nothing later is looked at.
        self.assertEqual(health(self.replica)[1]["replica"]["head"], good)

    def test_rewritten_main_stops_following(self):
        doc_id, etag = self.new_plan()
        r = self.primary.put("/api/v1/documents/" + doc_id, {"title": "План, правка 1"}, "off11",
                             etag)
        self.assertEqual(r.status, 200, r)
        self.wait_served(doc_id, "План, правка 1")
        head = git(self.rgit, "rev-parse", "main").strip()
        # Force-pushed by hand: main set back one commit.
        git(self.rgit, "update-ref", "refs/heads/main", head + "~1")
        wait_until(lambda: health(self.replica)[0] == 503, "/healthz to answer 503")
        h = health(self.replica)[1]
        self.assertIn("rewritten", h["replica"]["stopped"])
        self.assertIn("following stopped", self.replica.read_log())
        self.assertEqual(self.served_title(doc_id), "План, правка 1")
        # Restarted on it, it refuses to start, as a primary would.
        self.assertEqual(self.replica.stop(), 0)
        self.assertEqual(self.replica.start(expect_fail=True), 1)
        self.assertIn(f"main no longer contains commit {head}", self.replica.read_log())
        # Made anew (its index folder removed), it judges the new history and serves it.
        shutil.rmtree(os.path.join(self.rdir, "index"))
        self.replica.start()
        self.replica.tokens.clear()
        self.wait_served(doc_id, "План профилактики")
        self.assertEqual(health(self.replica)[0], 200)

    def test_replica_needs_its_primary_and_repositories(self):
        empty = os.path.join(self.tmp, "empty")
        p = subprocess.run([KENES, "serve", "--replica", "--data", empty, "--listen",
                            "127.0.0.1:0"], capture_output=True, text=True, timeout=120)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--primary", p.stderr)
        p = subprocess.run([KENES, "serve", "--replica", "--primary", PRIMARY_URL, "--data",
                            empty, "--listen", "127.0.0.1:0"],
                           capture_output=True, text=True, timeout=120)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no documents.git", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(empty, "documents.git")))
        p = subprocess.run([KENES, "serve", "--replica", "--primary", "ftp://user:pw@x",
                            "--data", empty], capture_output=True, text=True, timeout=120)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--primary takes", p.stderr)


if __name__ == "__main__":
    unittest.main()
