"""A checkpoint that cannot be written (probe finding 13c): the one step
after main's move that does not fail a write (README, Durability).  A write
whose batch is committed is answered as made (answered as failed it would be
sent again), the checkpoint names an older head meanwhile (verify accepts
that), a read of a confidential document is refused (no record of the read,
no read), the failure is logged once, not once per batch, and the first
rewrite that succeeds again, even one for a read, names the head it owed."""
import os
import unittest

from kenes_harness import USERS, Server, commit_count, git, plan_body, run_cli, with_commission, stop_and_verify
from test_cases import case_body

USERS_C = with_commission(USERS)


def checkpoint_heads(data):
    with open(os.path.join(data, "access.log.checkpoint")) as f:
        lines = f.read().splitlines()
    return {l.split(" ")[0]: l.split(" ")[1] for l in lines
            if l.startswith(("documents.git ", "cases.git "))}


def main_head(repo):
    return git(repo, "rev-parse", "main").strip()


class CheckpointUnwritable(unittest.TestCase):
    def test_writes_are_answered_and_the_owed_head_is_named_later(self):
        s = Server(users=USERS_C, env={"KENES_NOW": "2026-03-25T09:00:00Z"})
        try:
            s.start()
            r = s.post("/api/v1/documents", case_body("KZ-11"), "off11")
            self.assertEqual(r.status, 201, r)
            cid = r.json["id"]
            docs_git = os.path.join(s.data, "documents.git")
            # The checkpoint's temporary file cannot be made: every rewrite fails.
            block = os.path.join(s.data, f"access.log.checkpoint.tmp.{s.proc.pid}")
            os.mkdir(block)
            before = commit_count(docs_git)
            made = []
            for _ in range(3):
                r = s.post("/api/v1/documents", plan_body(), "off11") if not made else \
                    s.put("/api/v1/documents/" + made[0][0],
                          {"title": f"План {len(made)}"}, "off11", made[-1][1])
                self.assertIn(r.status, (200, 201), r)
                made.append((r.json["id"], r.header("ETag")))
            self.assertEqual(commit_count(docs_git), before + 3)
            self.assertNotEqual(checkpoint_heads(s.data)["documents.git"], main_head(docs_git))
            # A confidential read needs its record in the signed log: refused.
            r = s.get("/api/v1/documents/" + cid, "off11")
            self.assertEqual(r.status, 500, r)
            self.assertEqual(r.json["error"]["code"], "access_log", r)
            log = s.read_log()
            self.assertEqual(log.count("cannot write the checkpoint"), 1, log)
            # The disk is back: the next rewrite, a read's, names the head owed.
            os.rmdir(block)
            r = s.get("/api/v1/documents/" + cid, "off11")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(checkpoint_heads(s.data)["documents.git"], main_head(docs_git))
            self.assertIn("the checkpoint is written again", s.read_log())
            stop_and_verify(self, s)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
