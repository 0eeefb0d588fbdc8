"""What kenes's own packing leaves when a crash cuts it short (issue 16,
items 2 and 6): the folder a batch's pack is written in (kenes-tmp-batch/),
the one a consolidation's is (kenes-tmp-pack/), and git gc's lock
(gc.pid.lock) that a consolidation takes, saying "kenes consolidation" in
it.  Planted by the test, so they are there every run: start-up removes
each, in one log line, and then writes, consolidates and lets git gc run.
A consolidation may run beside the server (`kenes gc`): while one holds
kenes-gc.lock, its folder and its gc.pid.lock are left alone, and so is a
gc.pid.lock of git's own."""
import os
import subprocess
import unittest

from gc_files import held, plant
from kenes_harness import Server, plan_body, run_cli

MARK = "kenes consolidation\n"


def plant_packing(repo, with_lock=True):
    """What a batch and a consolidation cut short leave, and (with_lock) the
    gc.pid.lock the consolidation took."""
    files = {rel: "PACK" for rel in ("kenes-tmp-batch/pack_git2_1a2b3c",
                                     "kenes-tmp-batch/pack-" + "3" * 40 + ".pack",
                                     "kenes-tmp-pack/pack-" + "4" * 40 + ".pack",
                                     "kenes-tmp-pack/pack-" + "4" * 40 + ".idx")}
    if with_lock:
        files["gc.pid.lock"] = MARK
    plant(repo, files)


class PackLeftovers(unittest.TestCase):
    def setUp(self):
        self.s = Server()
        self.s.start()
        r = self.s.post("/api/v1/documents", plan_body(), "off11")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.s.stop(), 0)

    def tearDown(self):
        self.s.cleanup()

    def test_cleared_at_start_each_said_once(self):
        s = self.s
        repos = (s.docs_git, s.cases_git)
        for repo in repos:
            plant_packing(repo)
        s.start()
        log = s.read_log()
        for repo in repos:
            name = os.path.basename(repo)
            for rel, what in (("kenes-tmp-batch/", "the pack of an unfinished batch"),
                              ("kenes-tmp-pack/", "the pack of an unfinished consolidation"),
                              ("gc.pid.lock", "git gc's lock taken by an unfinished consolidation")):
                self.assertFalse(os.path.exists(os.path.join(repo, rel.rstrip("/"))), (repo, rel))
                self.assertEqual(log.count(f"{name}: removed {rel}, {what} left by a crash"), 1,
                                 (rel, log))
        # Writes, a consolidation and git gc all work again.
        self.assertEqual(s.request("GET", "/healthz").status, 200)
        r = s.post("/api/v1/documents", plan_body(period=2027), "off11")
        self.assertEqual(r.status, 201, r)
        code, out, err = run_cli("gc", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        self.assertEqual(s.stop(), 0)
        p = subprocess.run(["git", "-C", s.docs_git, "gc", "--quiet"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        # A clean start has nothing to say.
        seen = os.path.getsize(s.log_path)
        s.start()
        self.assertNotIn("removed", s.read_log().encode()[seen:].decode())
        self.assertEqual(s.stop(), 0)

    def test_a_running_consolidation_and_git_gc_are_left_alone(self):
        s = self.s
        docs, cases = s.docs_git, s.cases_git
        plant_packing(docs)
        plant_packing(cases, with_lock=False)
        plant(cases, {"gc.pid.lock": "4242 build-host\n"})  # git gc's own: not ours to judge
        # A consolidation runs in documents.git (`kenes gc` holds kenes-gc.lock).
        with held(docs, "kenes-gc.lock"):
            s.start()
            log = s.read_log()
            # Its folder and its lock stay; the batch's folder is the server's own.
            self.assertTrue(os.path.exists(os.path.join(docs, "kenes-tmp-pack", "pack-" + "4" * 40 + ".idx")))
            with open(os.path.join(docs, "gc.pid.lock")) as f:
                self.assertEqual(f.read(), MARK)
            self.assertNotIn("documents.git: removed kenes-tmp-pack/", log)
            self.assertNotIn("documents.git: removed gc.pid.lock", log)
            self.assertFalse(os.path.exists(os.path.join(docs, "kenes-tmp-batch")))
            self.assertEqual(log.count("documents.git: removed kenes-tmp-batch/"), 1, log)
            # In cases.git nothing consolidates: our folders go, git's lock stays.
            self.assertFalse(os.path.exists(os.path.join(cases, "kenes-tmp-pack")))
            with open(os.path.join(cases, "gc.pid.lock")) as f:
                self.assertEqual(f.read(), "4242 build-host\n")
            self.assertNotIn("cases.git: removed gc.pid.lock", log)
            # The server writes meanwhile.
            r = s.post("/api/v1/documents", plan_body(period=2027), "off11")
            self.assertEqual(r.status, 201, r)
            self.assertEqual(s.stop(), 0)
        os.unlink(os.path.join(cases, "gc.pid.lock"))
        # The consolidation is gone (its process ended): the next start clears.
        s.start()
        self.assertFalse(os.path.exists(os.path.join(docs, "kenes-tmp-pack")))
        self.assertFalse(os.path.exists(os.path.join(docs, "gc.pid.lock")))
        self.assertEqual(s.stop(), 0)


if __name__ == "__main__":
    unittest.main()
