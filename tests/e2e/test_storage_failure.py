"""When the disk refuses a write: a clear 503 (the repository refused the
batch, test_batch_failure.py), nothing half-done, and the
same request works once the disk is back.  The failure is made for real: a
batch's objects go to one pack, and a file size limit on the running server
(smaller than any pack's index, larger than the files a write touches
before it) makes the kernel refuse that pack (EFBIG; no privileges needed).

A case's key file goes with its commits: a new case's key is removed again
if its commit fails, and an erasure moves the key aside (<hex>.key.erasing)
until its commit is made, so that neither a failed commit nor a crash in
between leaves a case unreadable or a key behind."""
import contextlib
import os
import resource
import shutil
import subprocess
import unittest

from kenes_harness import Server, commit_count, git, plan_body, run_cli, stop_and_verify
from test_cases import USERS_C, case_body


# A pack's index alone is over 1 KiB (its fan-out table); a case's key file
# and a lock file are far less.
PACK_REFUSED_BYTES = 1024


@contextlib.contextmanager
def objects_refused(srv):
    # The limit bounds every file the server writes, its log too: the log
    # starts empty (what it held is kept beside it), so that the lines of the
    # failure fit, however many lines the start-up wrote.
    shutil.copy(srv.log_path, srv.log_path + ".before")
    os.truncate(srv.log_path, 0)
    resource.prlimit(srv.proc.pid, resource.RLIMIT_FSIZE,
                     (PACK_REFUSED_BYTES, resource.RLIM_INFINITY))
    try:
        yield
    finally:
        resource.prlimit(srv.proc.pid, resource.RLIMIT_FSIZE,
                         (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


class StorageFailure(unittest.TestCase):
    def setUp(self):
        self.s = Server(users=USERS_C)
        self.s.start()

    def tearDown(self):
        self.s.cleanup()

    def key_files(self):
        return sorted(os.listdir(os.path.join(self.s.data, "keys", "cases")))

    def key_file(self, cid):
        return cid.encode().hex() + ".key"

    def journal_lines(self, repo):
        with open(os.path.join(self.s.data, "index", repo + ".jsonl")) as f:
            return f.read().count("\n")

    def restart(self):
        self.assertEqual(self.s.stop(), 0)
        self.s.start()
        self.s.tokens.clear()

    def test_a_failed_write_changes_nothing_and_can_be_sent_again(self):
        s = self.s
        r = s.post("/api/v1/documents", plan_body(), "off11")
        etag = r.header("ETag")
        commits, lines = commit_count(s.docs_git), self.journal_lines("documents")
        with objects_refused(s):
            r = s.put("/api/v1/documents/plan/KZ-11/2026", {"body": "# Новая редакция\n"}, "off11", etag)
            self.assertEqual(r.status, 503, r)
            self.assertEqual(r.json["error"]["code"], "storage")
            r = s.act("plan/KZ-11/2026", "submit", "off11", etag)
            self.assertEqual(r.status, 503, r)
            self.assertEqual((commit_count(s.docs_git), self.journal_lines("documents")), (commits, lines))
            doc = s.get("/api/v1/documents/plan/KZ-11/2026", "off11")
            self.assertEqual(doc.header("ETag"), etag)
            self.assertEqual(doc.json["stage"], "draft")
            self.assertNotIn("Новая редакция", doc.json["body"])
        r = s.put("/api/v1/documents/plan/KZ-11/2026", {"body": "# Новая редакция\n"}, "off11", etag)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(commit_count(s.docs_git), commits + 1)
        self.assertIn("failed", s.read_log())
        self.assertEqual(s.stop(), 0)
        subprocess.run(["git", "-C", s.docs_git, "fsck", "--strict"], check=True, capture_output=True)
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)

    def test_a_failed_case_leaves_no_key(self):
        s = self.s
        keys = self.key_files()
        with objects_refused(s):
            r = s.post("/api/v1/documents", case_body(), "off11")
            self.assertEqual(r.status, 503, r)
        self.assertEqual(self.key_files(), keys)
        self.assertEqual(s.get("/api/v1/documents?type=case-review", "off11").json["documents"], [])
        r = s.post("/api/v1/documents", case_body(), "off11")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.key_files(), sorted(keys + [self.key_file(r.json["id"])]))

    def test_a_failed_erasure_keeps_the_case_readable_and_restartable(self):
        s = self.s
        r = s.post("/api/v1/documents", case_body(), "off11")
        cid, etag = r.json["id"], r.header("ETag")
        erase = {"reason": "Срок хранения истёк"}
        with objects_refused(s):
            r = s.request("DELETE", "/api/v1/documents/" + cid, erase, token=s.token("adm"),
                          headers={"If-Match": etag})
            self.assertEqual(r.status, 503, r)
        self.assertIn(self.key_file(cid), self.key_files())
        self.assertEqual([f for f in self.key_files() if f.endswith(".erasing")], [])
        self.assertEqual(s.get("/api/v1/documents/" + cid, "off11").status, 200)
        self.restart()  # the case must still open at start
        self.assertEqual(s.get("/api/v1/documents/" + cid, "off11").status, 200)
        r = s.request("DELETE", "/api/v1/documents/" + cid, erase, token=s.token("adm"),
                      headers={"If-Match": etag})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(s.get("/api/v1/documents/" + cid, "off11").status, 410)
        self.assertNotIn(self.key_file(cid), self.key_files())

    def test_an_erasure_cut_short_by_a_crash_is_settled_at_start(self):
        s = self.s
        cases = os.path.join(s.data, "keys", "cases")
        r = s.post("/api/v1/documents", case_body(), "off11")
        kept, kept_etag = r.json["id"], r.header("ETag")
        r = s.post("/api/v1/documents", case_body(region="KZ-11"), "off11")
        gone, gone_etag = r.json["id"], r.header("ETag")
        with open(os.path.join(cases, self.key_file(gone)), "rb") as f:
            gone_key = f.read()
        r = s.request("DELETE", "/api/v1/documents/" + gone, {"reason": "Срок хранения истёк"},
                      token=s.token("adm"), headers={"If-Match": gone_etag})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(s.stop(), 0)
        # Crashed before its commit: the key was moved aside, no erasure recorded.
        os.rename(os.path.join(cases, self.key_file(kept)),
                  os.path.join(cases, self.key_file(kept) + ".erasing"))
        # Crashed after its commit: the erasure is recorded, the key not yet deleted.
        with open(os.path.join(cases, self.key_file(gone) + ".erasing"), "wb") as f:
            f.write(gone_key)
        s.start()
        s.tokens.clear()
        self.assertEqual(sorted(f for f in self.key_files() if kept.encode().hex() in f or
                                gone.encode().hex() in f), [self.key_file(kept)])
        r = s.get("/api/v1/documents/" + kept, "off11")
        self.assertEqual((r.status, r.header("ETag")), (200, kept_etag))
        self.assertEqual(s.get("/api/v1/documents/" + gone, "off11").status, 410)

    def test_when_the_access_log_cannot_be_written(self):
        """No record, no read; but a write that was made says so, without the case."""
        s = self.s
        r = s.post("/api/v1/documents", case_body(), "off11")
        cid, etag = r.json["id"], r.header("ETag")
        for _ in range(60):  # an access log longer than any object a commit writes
            self.assertEqual(s.get("/api/v1/documents/" + cid, "off11").status, 200)
        log = os.path.join(s.data, "access.log")
        size = os.path.getsize(log)
        commits = commit_count(s.cases_git)
        # A file size limit on the running server: its next access-log line fails (EFBIG).
        resource.prlimit(s.proc.pid, resource.RLIMIT_FSIZE, (size + 10, resource.RLIM_INFINITY))
        try:
            r = s.get("/api/v1/documents/" + cid, "off11")
            self.assertEqual(r.status, 500, r)
            self.assertEqual(r.json["error"]["code"], "access_log")
            self.assertNotIn("Нурланова", r.raw)
            fields = s.get("/api/v1/documents/" + cid, "off11").json  # refused again
            self.assertNotIn("fields", fields)
            r = s.act(cid, "start-review", "off11", etag)
            self.assertEqual(r.status, 200, r)  # made: a 500 would invite sending it again
            self.assertEqual(set(r.json), {"id", "version", "stage", "withheld"})
            self.assertEqual(r.json["stage"], "under-review")
            self.assertEqual(r.header("ETag"), '"%s"' % r.json["version"])
            self.assertEqual(commit_count(s.cases_git), commits + 1)
        finally:
            resource.prlimit(s.proc.pid, resource.RLIMIT_FSIZE,
                             (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        self.assertEqual(os.path.getsize(log), size)  # no part of a refused line
        r = s.get("/api/v1/documents/" + cid, "off11")
        self.assertEqual((r.status, r.json["stage"]), (200, "under-review"))
        stop_and_verify(self, s)


if __name__ == "__main__":
    unittest.main()
