"""The index's start-up snapshot (issue 16, item 4): a clean stop writes
DATA/index/<repo>.snap; the next start restores every entry whose document
did not move and reads only the others (and resident types' JSON), and
answers exactly as a start that read everything.  A snapshot damaged, of
another master key, or one the index moved past is not trusted: documents
are read, nothing is lost.  cases.snap holds nothing typed about a child in
the clear.  A case whose key file went missing is still said at start."""
import json
import os
import signal
import unittest

from kenes_harness import (USERS, Server, commit_count, hold_meeting, plan_body, run_cli,
                           wait_until, with_commission)
from test_cases import ADDRESS, CHILD_NAME, SCHOOL, case_body

USERS_C = with_commission(USERS)
NOW = {"KENES_NOW": "2026-03-25T09:00:00Z"}


def snap(data, repo):
    return os.path.join(data, "index", repo + ".snap")


def key_file(data, doc_id):
    return os.path.join(data, "keys", "cases", doc_id.encode().hex() + ".key")


def restored(log, repo):
    """The last start's count of entries restored for repo."""
    lines = [l for l in log.splitlines() if f"index: {repo}.git: " in l and
             "entries from the index snapshot" in l]
    return int(lines[-1].split(f"{repo}.git: ")[1].split()[0]) if lines else None


def with_document(log, repo):
    """The last start's count of resident documents whose JSON came with
    their entry from the snapshot."""
    lines = [l for l in log.splitlines() if f"index: {repo}.git: " in l and
             "entries from the index snapshot" in l]
    return int(lines[-1].split(", ")[-1].split()[0]) if lines else None


def read_at_start(log, repo):
    """The last start's count of documents read from git."""
    lines = [l for l in log.splitlines() if f"index: {repo}.git: " in l and
             "read at start" in l]
    return int(lines[-1].split(f"{repo}.git: ")[1].split()[0]) if lines else None


def read_for_entry(log, repo):
    """The last start's count of documents read for their entry."""
    lines = [l for l in log.splitlines() if f"index: {repo}.git: " in l and
             "read at start" in l]
    return int(lines[-1].split(", ")[-1].split()[0]) if lines else None


class IndexSnapshot(unittest.TestCase):
    def setUp(self):
        self.srv = Server(users=USERS_C, env=NOW)
        self.srv.start()
        s = self.srv
        self.cases = []
        for region, user in (("KZ-11", "off11"), ("KZ-11", "off11"), ("KZ-15", "off15")):
            r = s.post("/api/v1/documents", case_body(region), user)
            self.assertEqual(r.status, 201, r)
            self.cases.append(r.json["id"])
        r = s.post("/api/v1/documents", plan_body(), "off11")
        self.assertEqual(r.status, 201, r)
        self.plan = r.json["id"]

    def tearDown(self):
        self.srv.cleanup()

    def answers(self):
        """What lists, inboxes and single GETs say: the same after any start."""
        s = self.srv
        out = {}
        for user in ("off11", "off15", "aud", "rev1"):
            r = s.get("/api/v1/documents", user)
            self.assertEqual(r.status, 200, r)
            out["list", user] = sorted(json.dumps(e, sort_keys=True) for e in r.json["documents"])
            r = s.get("/api/v1/inbox", user)
            self.assertEqual(r.status, 200, r)
            out["inbox", user] = json.dumps(r.json, sort_keys=True)
        r = s.get("/api/v1/documents?type=case-review&q=k11-0042", "off11")
        out["search"] = sorted(e["id"] for e in r.json["documents"])
        for doc_id in self.cases + [self.plan]:
            r = s.get("/api/v1/documents/" + doc_id, "aud")
            self.assertEqual(r.status, 200, r)
            out["get", doc_id] = r.raw
        return out

    def log_since(self, at):
        return self.srv.read_log().encode()[at:].decode()

    def restart(self, sig=signal.SIGTERM):
        s = self.srv
        code = s.stop(sig)
        at = os.path.getsize(s.log_path)
        s.start()
        s.tokens.clear()
        return code, at

    def test_a_clean_stop_writes_it_and_the_next_start_reads_nothing_for_entries(self):
        before = self.answers()
        code, at = self.restart()
        self.assertEqual(code, 0)
        for repo in ("documents", "cases"):
            self.assertTrue(os.path.exists(snap(self.srv.data, repo)), repo)
        log = self.log_since(at)
        self.assertEqual(restored(log, "cases"), 3, log)
        self.assertEqual(read_for_entry(log, "cases"), 0, log)
        self.assertEqual(read_for_entry(log, "documents"), 0, log)
        self.assertEqual(self.answers(), before)
        # Writes go on from the restored entries.
        r = self.srv.get("/api/v1/documents/" + self.cases[0], "off11")
        w = self.srv.put("/api/v1/documents/" + self.cases[0],
                         {"fields": case_body("KZ-11", grounds=["neglect", "truancy"])["fields"]},
                         "off11", etag=r.header("ETag"))
        self.assertEqual(w.status, 200, w)

    def test_resident_documents_come_with_their_entry(self):
        """A plan, a roster (documents.git) and a meeting (cases.git, sealed
        with its own key inside the sealed snapshot) are not read from git
        at a start after a clean stop, and answer exactly as before."""
        s = self.srv
        meeting = hold_meeting(s, "KZ-11", {self.cases[0]: "approve-plan"})
        ids = [self.plan, meeting] + [d["id"] for d in s.get(
            "/api/v1/documents?type=commission-roster", "aud").json["documents"]]
        before = {i: s.get("/api/v1/documents/" + i, "aud").raw for i in ids}
        before_all = self.answers()
        code, at = self.restart()
        self.assertEqual(code, 0)
        log = self.log_since(at)
        self.assertEqual(read_at_start(log, "documents"), 0, log)
        self.assertEqual(read_at_start(log, "cases"), 0, log)
        self.assertEqual(with_document(log, "documents"), 2, log)  # the plan, the roster
        self.assertEqual(with_document(log, "cases"), 1, log)      # the meeting
        self.assertEqual({i: s.get("/api/v1/documents/" + i, "aud").raw for i in ids}, before)
        self.assertEqual(self.answers(), before_all)
        # A case the meeting decided on is judged from the restored meeting.
        r = s.get("/api/v1/documents/" + self.cases[0], "off11")
        self.assertEqual(r.status, 200, r)
        # After a crash the snapshot of the clean stop still serves: nothing moved.
        code, at = self.restart(signal.SIGKILL)
        log = self.log_since(at)
        self.assertEqual(read_at_start(log, "cases"), 0, log)
        self.assertEqual({i: s.get("/api/v1/documents/" + i, "aud").raw for i in ids}, before)
        # Kept as their text (README, "What is kept in memory"): a clean stop
        # writes the texts as they were restored, and they serve the next
        # start the same; a new meeting is judged against the restored
        # roster, and its text is kept like the others.
        code, at = self.restart()
        self.assertEqual(code, 0)
        log = self.log_since(at)
        self.assertEqual(with_document(log, "documents"), 2, log)
        self.assertEqual(with_document(log, "cases"), 1, log)
        self.assertEqual({i: s.get("/api/v1/documents/" + i, "aud").raw for i in ids}, before)
        second = hold_meeting(s, "KZ-11", {self.cases[1]: "approve-plan"})
        shown = s.get("/api/v1/documents/" + second, "aud").raw
        code, at = self.restart()
        self.assertEqual(code, 0)
        log = self.log_since(at)
        self.assertEqual(read_at_start(log, "cases"), 0, log)
        self.assertEqual(with_document(log, "cases"), 2, log)
        self.assertEqual(s.get("/api/v1/documents/" + second, "aud").raw, shown)

    def test_nothing_typed_about_a_child_in_the_clear(self):
        code, _ = self.restart()
        self.assertEqual(code, 0)
        with open(snap(self.srv.data, "cases"), "rb") as f:
            raw = f.read()
        for secret in (CHILD_NAME, ADDRESS, SCHOOL, "K11-0042", self.cases[0]):
            self.assertNotIn(secret.encode(), raw, secret)
        self.assertEqual(os.stat(snap(self.srv.data, "cases")).st_mode & 0o077, 0)

    def test_documents_moved_since_are_read(self):
        s = self.srv
        code, _ = self.restart()
        self.assertEqual(code, 0)
        # Two writes after the snapshot, then a crash: no new snapshot.
        r = s.get("/api/v1/documents/" + self.cases[1], "off11")
        w = s.put("/api/v1/documents/" + self.cases[1],
                  {"fields": case_body("KZ-11", grounds=["neglect", "truancy"])["fields"]},
                  "off11", etag=r.header("ETag"))
        self.assertEqual(w.status, 200, w)
        r = s.post("/api/v1/documents", case_body("KZ-11"), "off11")
        self.assertEqual(r.status, 201, r)
        new_case = r.json["id"]
        before = self.answers()
        code, at = self.restart(signal.SIGKILL)
        log = self.log_since(at)
        self.assertEqual(restored(log, "cases"), 2, log)
        self.assertEqual(read_for_entry(log, "cases"), 2, log)
        after = self.answers()
        self.assertEqual(after, before)
        self.assertIn('"truancy"', after["get", self.cases[1]])
        self.assertIn(new_case, after["search"])

    def test_a_damaged_or_foreign_snapshot_is_not_trusted(self):
        before = self.answers()
        code, _ = self.restart()
        self.assertEqual(code, 0)
        path = snap(self.srv.data, "cases")
        self.srv.stop(signal.SIGKILL)
        with open(path, "r+b") as f:
            f.seek(os.path.getsize(path) // 2)
            b = f.read(1)
            f.seek(-1, 1)
            f.write(bytes([b[0] ^ 0x40]))
        at = os.path.getsize(self.srv.log_path)
        self.srv.start()
        self.srv.tokens.clear()
        log = self.log_since(at)
        self.assertIn("cases.git: the index snapshot", log)
        self.assertIn("damaged or sealed with another master key", log)
        self.assertEqual(read_for_entry(log, "cases"), 3, log)
        self.assertEqual(self.answers(), before)
        # Written again at once, on the pool, from what was read.
        wait_until(lambda: "cases.git: index snapshot written" in self.log_since(at),
                   "the snapshot written again")
        code, at = self.restart()
        self.assertEqual(code, 0)
        self.assertEqual(read_for_entry(self.log_since(at), "cases"), 0)

    def test_a_case_whose_key_went_missing_is_still_said(self):
        code, _ = self.restart()
        self.assertEqual(code, 0)
        self.srv.stop()
        os.unlink(key_file(self.srv.data, self.cases[0]))
        with open(key_file(self.srv.data, self.cases[2]), "r+b") as f:
            f.truncate(10)
        at = os.path.getsize(self.srv.log_path)
        self.srv.start()
        self.srv.tokens.clear()
        log = self.log_since(at)
        for doc_id in (self.cases[0], self.cases[2]):
            lines = [l for l in log.splitlines() if doc_id in l and "case_key_unavailable" in l]
            self.assertEqual(len(lines), 1, log)
        r = self.srv.get("/api/v1/documents/" + self.cases[0], "off11")
        self.assertEqual(r.status, 503, r)
        r = self.srv.get("/api/v1/documents/" + self.cases[1], "off11")
        self.assertEqual(r.status, 200, r)

    def test_written_every_n_commits(self):
        s = self.srv
        s.stop()
        with open(os.path.join(s.data, "kenes.yaml"), "a") as f:
            f.write("index:\n  snapshot_every: 2\n")
        at = os.path.getsize(s.log_path)
        s.start()
        s.tokens.clear()
        for _ in range(2):
            r = s.post("/api/v1/documents", case_body("KZ-11"), "off11")
            self.assertEqual(r.status, 201, r)
        wait_until(lambda: "cases.git: index snapshot written (5 entries, " in self.log_since(at),
                   "a snapshot after two commits")

    def test_reindex_removes_it(self):
        code, _ = self.restart()
        self.assertEqual(code, 0)
        self.srv.stop()
        code, out, err = run_cli("reindex", "--data", self.srv.data)
        self.assertEqual(code, 0, err)
        for repo in ("documents", "cases"):
            self.assertFalse(os.path.exists(snap(self.srv.data, repo)), repo)


class SnapshotEveryRefused(unittest.TestCase):
    def test_zero_or_words_are_refused_and_nothing_is_written(self):
        s = Server(users=USERS)
        try:
            cfg = os.path.join(s.data, "kenes.yaml")
            with open(cfg) as f:
                good = f.read()
            for bad in ("0", "often", "-5"):
                with open(cfg, "w") as f:
                    f.write(good + f"index:\n  snapshot_every: {bad}\n")
                before = commit_count(s.docs_git), commit_count(s.cases_git)
                code = s.start(expect_fail=True)
                self.assertNotEqual(code, 0)
                self.assertIn("snapshot_every must be a positive whole number", s.read_log())
                self.assertEqual((commit_count(s.docs_git), commit_count(s.cases_git)), before)
                self.assertFalse(os.path.exists(snap(s.data, "documents")))
                s.stop()
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
