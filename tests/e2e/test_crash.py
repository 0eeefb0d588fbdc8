"""Crashes leave nothing that needs a person (issue 16, item 6).

- What a crash leaves in a repository (a refs/heads/main.lock, objects and
  packs never finished, other lock files) is planted by the test itself,
  so that it is there every run: start-up removes each, saying so in one log
  line, and then serves and writes.
- kill -9 while 8 clients write, again and again: every start after a kill
  is unaided, every acknowledged write is there at its version, nothing is
  half there, and git fsck --strict and kenes verify find nothing."""
import os
import random
import shutil
import subprocess
import threading
import unittest

from gc_files import ended_pid, git_gc_running, held, plant, write_gc_pid
from kenes_harness import (Server, commit_count, run_cli, with_commission, USERS)
from test_cases import case_body

USERS_C = with_commission(USERS)
KILLS = int(os.environ.get("KENES_CRASH_KILLS", "10"))
CLIENTS = 8


def crash_case(region, k=0):
    """A valid case whose decision says k: which write a version is."""
    return case_body(region, decision=f"Решение {k}")


def etag(r):
    return r.header("ETag").strip('"')


# What a crash of the writer can leave in a repository.
CRASH_LEFTOVERS = {
    "refs/heads/main.lock": "0" * 40 + "\n",
    "packed-refs.lock": "",
    "index.lock": "",
    "objects/tmp_object_git2_a1b2c3": "x",
    "objects/ab/tmp_obj_Zq9x": "x",
    "objects/pack/pack_git2_7f7f7f": "PACK",
    "objects/pack/tmp_pack_123456": "PACK",
    "objects/pack/pack-" + "3" * 40 + ".idx": "IDX",
}


def gc_at_work_keeps_its_files(test, s, gc_at_work):
    """Start with a gc at work in cases.git (gc_at_work: a context in which
    one is): its temporary pack is not a crash's and stays."""
    rel = "objects/pack/tmp_pack_777777"
    path = os.path.join(s.cases_git, rel)
    plant(s.cases_git, {rel: "PACK"})
    with gc_at_work:
        s.start()
        log = s.read_log()
        test.assertTrue(os.path.exists(path))
        test.assertIn("cases.git: a gc runs in it: its objects and packs are left as they are",
                      log)
        test.assertNotIn(f"removed {rel}", log)
        test.assertEqual(s.stop(), 0)
    s.start()  # the gc is over: a leftover now is a crash's
    test.assertFalse(os.path.exists(path))
    test.assertEqual(s.stop(), 0)


def fsck(repo):
    """git fsck --strict's complaints about repo ("" when it has none)."""
    p = subprocess.run(["git", "-C", repo, "fsck", "--strict", "--no-dangling", "--no-progress"],
                       capture_output=True, text=True, timeout=300)
    return "" if p.returncode == 0 and not p.stdout.strip() else p.stdout + p.stderr


class GcAtWork(unittest.TestCase):
    """A server started while a gc works (kenes gc, git gc) leaves the gc's
    files alone: removing a pack it is placing would lose what it packed."""

    def setUp(self):
        self.s = Server(users=USERS_C, env={"KENES_NOW": "2026-03-25T09:00:00Z"})
        self.s.start()
        self.assertEqual(self.s.post("/api/v1/documents", crash_case("KZ-11"), "off11").status,
                         201)
        self.assertEqual(self.s.stop(), 0)

    def tearDown(self):
        self.s.cleanup()

    def test_kenes_gc_holding_its_lock(self):
        gc_at_work_keeps_its_files(self, self.s, held(self.s.cases_git, "kenes-gc.lock"))

    def test_git_gc_named_in_gc_pid(self):
        gc_at_work_keeps_its_files(self, self.s, git_gc_running(self.s.cases_git))

    def test_gc_pid_of_a_process_gone_is_no_gc(self):
        write_gc_pid(self.s.cases_git, ended_pid())
        rel = "objects/pack/tmp_pack_888888"
        plant(self.s.cases_git, {rel: "PACK"})
        self.s.start()
        self.assertFalse(os.path.exists(os.path.join(self.s.cases_git, rel)))
        self.assertNotIn("a gc runs in it", self.s.read_log())
        self.assertEqual(self.s.stop(), 0)


class PlantedLeftovers(unittest.TestCase):
    def test_leftovers_are_cleared_at_start_each_said_once(self):
        s = Server(users=USERS_C, env={"KENES_NOW": "2026-03-25T09:00:00Z"})
        try:
            s.start()
            r = s.post("/api/v1/documents", crash_case("KZ-11"), "off11")
            self.assertEqual(r.status, 201, r)
            s.stop()
            planted = {repo: plant(repo, CRASH_LEFTOVERS) for repo in (s.docs_git, s.cases_git)}
            # A pack that someone keeps (.keep) is not ours to remove; nor is
            # a pack without its index: a gc may be placing it, or its index
            # was lost and only the pack can rebuild it.
            kept_rel = "objects/pack/pack-" + "2" * 40
            kept = os.path.join(s.docs_git, kept_rel)
            plant(s.docs_git, {kept_rel + ext: "" for ext in (".pack", ".keep")})
            lone = "objects/pack/pack-" + "1" * 40 + ".pack"
            plant(s.cases_git, {lone: "PACK"})
            s.start()
            log = s.read_log()
            for repo, rels in planted.items():
                name = os.path.basename(repo)
                for rel in rels:
                    self.assertFalse(os.path.exists(os.path.join(repo, rel)), rel)
                    self.assertEqual(log.count(f"{name}: removed {rel},"), 1, (rel, log))
            self.assertTrue(os.path.exists(kept + ".pack"))
            self.assertTrue(os.path.exists(os.path.join(s.cases_git, lone)))
            self.assertEqual(log.count(f"cases.git: kept {lone}, a pack without its index"), 1,
                             log)
            os.unlink(kept + ".pack")
            os.unlink(kept + ".keep")
            os.unlink(os.path.join(s.cases_git, lone))
            # Writes work at once, in both repositories.
            self.assertEqual(s.request("GET", "/healthz").status, 200)
            cid = r.json["id"]
            w = s.put("/api/v1/documents/" + cid, {"fields": crash_case("KZ-11", 1)["fields"]},
                      "off11", r.header("ETag"))
            self.assertEqual(w.status, 200, w)
            self.assertEqual(s.post("/api/v1/documents", crash_case("KZ-11"), "off11").status, 201)
            self.assertEqual(s.stop(), 0)
            for repo in (s.docs_git, s.cases_git):
                self.assertEqual(fsck(repo), "", repo)
            code, out, err = run_cli("verify", "--data", s.data)
            self.assertEqual(code, 0, out + err)
            # A clean start has nothing to say.
            seen = os.path.getsize(s.log_path)
            s.start()
            self.assertNotIn("removed", s.read_log().encode()[seen:].decode())
            self.assertEqual(s.stop(), 0)
        finally:
            s.cleanup()


class JournalLag(unittest.TestCase):
    """kenes verify on a copy taken right after a crash (issue 16, item 9):
    git ahead of the history journal (lines never written, a last line cut
    short) is a note; a line for a commit git does not have, or one missing
    in the middle, stays a fault."""

    @classmethod
    def setUpClass(cls):
        s = cls.srv = Server(users=USERS_C, env={"KENES_NOW": "2026-03-25T09:00:00Z"})
        s.start()
        for n in range(3):
            r = s.post("/api/v1/documents", crash_case("KZ-11", n), "off11")
            assert r.status == 201, r
        assert s.stop() == 0

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()

    def copy_with_journal(self, name, change):
        copy = os.path.join(self.srv.tmp, name)
        shutil.copytree(self.srv.data, copy)
        path = os.path.join(copy, "index", "cases.jsonl")
        with open(path) as f:
            lines = f.read().splitlines(keepends=True)
        with open(path, "w") as f:
            f.write(change(lines))
        return copy

    def test_lines_missing_at_the_end_are_notes(self):
        copy = self.copy_with_journal("lag", lambda ls: "".join(ls[:-2]) + ls[-2][:25])
        code, out, err = run_cli("verify", "--data", copy)
        self.assertEqual(code, 0, out + err)
        notes = [l for l in out.splitlines() if l.startswith("cases.git: note: the history journal ends before")]
        self.assertEqual(len(notes), 2, out)
        self.assertIn("2 notes", out)
        self.assertRegex(out, r"(?m)^ok: ")
        # The next start recovers them: the journal is whole again.
        s = Server(data=copy, users=[])
        try:
            s.start()
            self.assertEqual(s.stop(), 0)
        finally:
            s.cleanup()
        code, out, err = run_cli("verify", "--data", copy)
        self.assertEqual(code, 0, out + err)
        self.assertNotIn("note: the history journal", out)

    def test_a_line_for_a_commit_git_lacks_stays_a_fault(self):
        fake = '{"commit":"' + "e" * 40 + '","time":1,"author":"off11","role":"regional-official","action":"edit","document":"case/KZ-11/x","to":"registered"}\n'
        copy = self.copy_with_journal("ahead", lambda ls: "".join(ls) + fake)
        code, out, err = run_cli("verify", "--data", copy)
        self.assertEqual(code, 1, out + err)
        self.assertIn("names a commit git does not have", out)

    def test_a_line_missing_in_the_middle_stays_a_fault(self):
        copy = self.copy_with_journal("hole", lambda ls: "".join(ls[:1] + ls[2:]))
        code, out, err = run_cli("verify", "--data", copy)
        self.assertEqual(code, 1, out + err)
        self.assertNotIn("note: the history journal", out)


class KillUnderLoad(unittest.TestCase):
    """KILLS times: 8 clients create and edit cases; once some writes are
    acknowledged, kill -9; start again (with leftovers planted every third
    time); check every acknowledged write."""

    def setUp(self):
        self.srv = Server(users=USERS_C, env={"KENES_NOW": "2026-03-25T09:00:00Z"})
        self.acked = {}  # case id -> [(version, n)], in the order answered
        self.lock = threading.Lock()

    def tearDown(self):
        self.srv.cleanup()

    def client(self, user, region, stop):
        s = self.srv
        token = s.tokens[user]
        try:
            r = s.request("POST", "/api/v1/documents", crash_case(region), token=token)
        except OSError:
            return
        if r.status != 201:
            return
        cid, version, k = r.json["id"], etag(r), 0
        with self.lock:
            self.acked.setdefault(cid, []).append((version, 0))
        while not stop.is_set():
            k += 1
            try:
                r = s.request("PUT", "/api/v1/documents/" + cid,
                              {"fields": crash_case(region, k)["fields"]},
                              token=token, headers={"If-Match": f'"{version}"'})
            except OSError:
                return
            if r.status != 200:
                return
            version = etag(r)
            with self.lock:
                self.acked[cid].append((version, k))

    def acked_count(self):
        with self.lock:
            return sum(len(v) for v in self.acked.values())

    def check_all(self):
        """Every acknowledged version is there with what it said, and the
        document's latest is the last acknowledged one or the one after it
        (made, but the kill came before its answer)."""
        s = self.srv
        for cid, versions in self.acked.items():
            cur = s.get("/api/v1/documents/" + cid, "aud")
            self.assertEqual(cur.status, 200, (cid, cur))
            last_v, last_k = versions[-1]
            decision = cur.json["fields"]["decision"]
            self.assertIn(decision, (f"Решение {last_k}", f"Решение {last_k + 1}"), cid)
            if decision == f"Решение {last_k}":
                self.assertEqual(etag(cur), last_v, cid)
            for version, k in versions:
                r = s.get(f"/api/v1/documents/{cid}/versions/{version}", "aud")
                self.assertEqual(r.status, 200, (cid, version, r))
                self.assertEqual(r.json["fields"]["decision"], f"Решение {k}", (cid, version))
        # Nothing half there: every case listed reads whole.
        listed = s.get("/api/v1/documents?type=case-review", "aud").json["documents"]
        for d in listed:
            self.assertEqual(s.get("/api/v1/documents/" + d["id"], "aud").status, 200, d)
        self.assertGreaterEqual(len(listed), len(self.acked))

    def test_kill_9_under_load(self):
        s = self.srv
        rng = random.Random(16)
        s.start()
        for i in range(KILLS):
            s.tokens.clear()
            s.login("off11")
            s.login("off15")
            s.login("aud")
            stop = threading.Event()
            threads = [threading.Thread(target=self.client,
                                        args=(("off11", "KZ-11") if c % 2 else ("off15", "KZ-15"))
                                        + (stop,))
                       for c in range(CLIENTS)]
            target = self.acked_count() + rng.randint(4, 40)
            for t in threads:
                t.start()
            # Kill once some writes are acknowledged, while the clients keep writing.
            deadline_ok = False
            for _ in range(3000):
                if self.acked_count() >= target or not any(t.is_alive() for t in threads):
                    deadline_ok = True
                    break
                threading.Event().wait(0.01)
            self.assertTrue(deadline_ok, "no writes acknowledged")
            s.proc.kill()
            s.proc.wait()
            stop.set()
            for t in threads:
                t.join(120)
            s.stop()
            if i == 0:
                # A copy taken right after the crash, before any restart:
                # whatever the journal lacks is a note, not a fault.
                copy = os.path.join(s.tmp, "copy")
                shutil.copytree(s.data, copy)
                code, out, err = run_cli("verify", "--data", copy)
                self.assertEqual(code, 0, out + err)
                shutil.rmtree(copy)
            if i % 3 == 2:
                for repo in (s.docs_git, s.cases_git):
                    plant(repo, CRASH_LEFTOVERS)
            s.start()  # unaided: whatever the kill left, this start clears
            self.check_all()
        self.assertEqual(s.stop(), 0)
        for repo in (s.docs_git, s.cases_git):
            self.assertEqual(fsck(repo), "", repo)
            self.assertFalse(os.path.exists(os.path.join(repo, "refs/heads/main.lock")))
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        self.assertGreater(commit_count(s.cases_git), KILLS)


if __name__ == "__main__":
    unittest.main()
