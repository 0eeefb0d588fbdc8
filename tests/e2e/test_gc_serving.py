"""Packs while serving: writers go on while an operator runs `git fsck
--strict`, plain `git gc` and `kenes gc` on the live data folder, and the
server consolidates its own packs (storage.max_packs: 4).  Every
acknowledged write is on main afterwards with its version, the folder holds
no loose object, and fsck and `kenes verify` pass after a restart.  (A fsck
that runs while a pack is consolidated away may say it could not open that
pack, as it does beside git's own gc; the fsck with the writers stopped is
clean.)"""
import os
import subprocess
import threading
import unittest

from kenes_harness import Server, commit_count, git, plan_body, run_cli, wait_until

# What git fsck says of a pack removed while it runs.
VANISHED = r"packfile .*\.pack index not opened|unable to open .*pack|No such file"

WRITERS = [("off11", "KZ-11", 2026), ("off11", "KZ-11", 2027), ("off15", "KZ-15", 2026),
           ("off15", "KZ-15", 2027)]


def packs(repo):
    return sorted(f for f in os.listdir(os.path.join(repo, "objects", "pack"))
                  if f.endswith(".idx"))


def loose(repo):
    out = git(repo, "count-objects", "-v")
    return int(dict(l.split(": ") for l in out.splitlines())["count"])


class Writer(threading.Thread):
    """Edits one plan again and again; keeps every version it was answered."""

    def __init__(self, srv, user, region, period):
        super().__init__(daemon=True)
        self.srv, self.user, self.region, self.period = srv, user, region, period
        self.doc = "plan/%s/%d" % (region, period)
        self.versions = []
        self.stop = threading.Event()
        self.error = None

    def run(self):
        try:
            s = self.srv
            r = s.post("/api/v1/documents", plan_body(self.region, self.period), self.user)
            if r.status != 201:
                raise AssertionError(r)
            etag = r.header("ETag")
            self.versions.append(r.json["version"])
            n = 0
            while not self.stop.is_set():
                n += 1
                r = s.put("/api/v1/documents/" + self.doc,
                          {"body": "# План\n\nРедакция %d.\n" % n}, self.user, etag)
                if r.status != 200:
                    raise AssertionError(r)
                etag = r.header("ETag")
                self.versions.append(r.json["version"])
        except Exception as e:  # reported by the test
            self.error = e


class GcWhileServing(unittest.TestCase):
    def setUp(self):
        self.s = Server(extra_config="storage:\n  max_packs: 4\n")
        self.s.start()

    def tearDown(self):
        self.s.cleanup()

    def test_operator_tools_and_kenes_gc_beside_the_writers(self):
        s = self.s
        for user in ("off11", "off15"):
            s.token(user)
        writers = [Writer(s, *w) for w in WRITERS]
        for w in writers:
            w.start()

        def written():
            return sum(len(w.versions) for w in writers)

        def healthy():
            errors = [w.error for w in writers if w.error]
            self.assertEqual(errors, [])
            return True

        try:
            goal = 20
            for _ in range(3):
                goal += 20
                wait_until(lambda: healthy() and written() >= goal, "writes going on")
                p = subprocess.run(["git", "--git-dir", s.docs_git, "fsck", "--strict",
                                    "--no-progress"], capture_output=True, text=True)
                if p.returncode != 0:
                    # A pack consolidated away while fsck read it (as with git's
                    # own gc): said, and nothing else.
                    errors = [l for l in p.stderr.splitlines() if l.startswith("error:")]
                    self.assertTrue(errors, p.stderr)
                    for line in errors:
                        self.assertRegex(line, VANISHED, p.stderr)
                # git gc and a consolidation exclude each other by git's own
                # lock (gc.pid.lock): met, git gc says so and is run again once
                # the consolidation let go of it (however long it took).
                gc_lock = os.path.join(s.docs_git, "gc.pid.lock")
                for _ in range(60):
                    wait_until(lambda: not os.path.exists(gc_lock),
                               "a consolidation lets go of gc.pid.lock")
                    p = subprocess.run(["git", "--git-dir", s.docs_git, "gc", "--quiet"],
                                       capture_output=True, text=True)
                    if p.returncode == 0 or "gc.pid.lock" not in p.stderr:
                        break
                self.assertEqual(p.returncode, 0, p.stderr)
                locks = [gc_lock, os.path.join(s.cases_git, "gc.pid.lock")]
                for _ in range(60):
                    wait_until(lambda: not any(os.path.exists(l) for l in locks),
                               "consolidations let go of gc.pid.lock")
                    code, out, err = run_cli("gc", "--data", s.data)
                    if code == 0 or "git gc runs" not in err:
                        break
                self.assertEqual(code, 0, out + err)
                self.assertIn("documents.git: before", out)
                self.assertIn("cases.git: before", out)
            wait_until(lambda: healthy() and "consolidated" in s.read_log(),
                       "a consolidation by the server")
        finally:
            for w in writers:
                w.stop.set()
            for w in writers:
                w.join(timeout=120)
        healthy()

        # Every acknowledged version is on main, the last one is what GET says.
        # main's history read once (a git merge-base per version, hundreds of
        # processes, took half of this test's time on a loaded machine).
        on_main = set(git(s.docs_git, "rev-list", "main").split())
        for w in writers:
            self.assertGreater(len(w.versions), 1)
            r = s.get("/api/v1/documents/" + w.doc, w.user)
            self.assertEqual(r.json["version"], w.versions[-1])
            self.assertEqual([v for v in w.versions if v not in on_main], [], w.doc)
        self.assertEqual(commit_count(s.docs_git), written())

        # kenes gc once more with the writers stopped: one pack, nothing loose.
        code, out, err = run_cli("gc", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        self.assertEqual(len(packs(s.docs_git)), 1)
        self.assertEqual(loose(s.docs_git), 0)

        self.assertEqual(s.stop(), 0)
        for repo in (s.docs_git, s.cases_git):
            git(repo, "fsck", "--strict", "--no-progress")
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        s.start()
        s.tokens.clear()
        r = s.put("/api/v1/documents/" + writers[0].doc, {"body": "# После\n"}, "off11",
                  '"%s"' % writers[0].versions[-1])
        self.assertEqual(r.status, 200, r)

    def test_gc_on_a_folder_of_loose_objects(self):
        """A folder an older kenes wrote (loose objects): kenes gc packs them."""
        s = self.s
        r = s.post("/api/v1/documents", plan_body(), "off11")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(s.stop(), 0)
        # Unpack into loose objects the way an older kenes left its folder.
        for p in packs(s.docs_git):
            pack = os.path.join(s.docs_git, "objects", "pack", p[:-4] + ".pack")
            moved = pack + ".old"
            os.rename(pack, moved)
            os.unlink(pack[:-5] + ".idx")
            with open(moved, "rb") as f:
                subprocess.run(["git", "--git-dir", s.docs_git, "unpack-objects", "-q"],
                               stdin=f, check=True)
            os.unlink(moved)
        self.assertGreater(loose(s.docs_git), 0)
        commits = commit_count(s.docs_git)
        code, out, err = run_cli("gc", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        self.assertEqual(loose(s.docs_git), 0)
        self.assertEqual(len(packs(s.docs_git)), 1)
        self.assertEqual(commit_count(s.docs_git), commits)
        git(s.docs_git, "fsck", "--strict", "--no-progress")
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)

    def test_gc_refuses_what_is_no_data_folder(self):
        code, out, err = run_cli("gc")
        self.assertEqual(code, 2, err)
        self.assertIn("gc needs --data", err)


if __name__ == "__main__":
    unittest.main()
