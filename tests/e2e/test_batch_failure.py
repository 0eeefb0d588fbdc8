"""A batch the disk refuses (issue 16, item 1 and the leftovers of item 6).

Writes queued while the writer works form one batch: one pack, one move of
main.  When the disk refuses the batch's pack, EVERY write of the batch is
answered 503 (code "storage"), none of them is on main, the history journal
gets no line, and /healthz answers 503 naming what failed until a batch
succeeds.  The failure is made for real, as test_storage_failure does: a
file size limit on the running server (prlimit, no privileges) smaller than
any pack's index.

Several writes in one batch, without a race: the test holds the pack lock
(kenes-pack.lock, the flock the writer takes between a batch's commits and
its pack) while 8 clients send their writes at once, so the first batch
waits at the lock and the others queue behind it; the lock is let go once
the server has read every request (nothing left unread in its sockets)."""
import os
import re
import threading
import unittest

from gc_files import held
from kenes_harness import EVENT_LIMIT_S, Server, commit_count, plan_body, wait_until
import test_storage_failure  # the module, not its tests: its objects_refused()

# 8 plans, two officials, 4 periods each: every write a create of its own.
WRITES = [("off11", "KZ-11", 2026 + k) for k in range(4)] + \
         [("off15", "KZ-15", 2026 + k) for k in range(4)]


def unread_bytes(port):
    """Bytes waiting in the server's sockets of port (its side of each
    connection), and how many connections are established there."""
    waiting, conns = 0, 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            local, state, queues = cols[1], cols[3], cols[4]
            if int(local.rsplit(":", 1)[1], 16) == port and state == "01":  # established
                conns += 1
                waiting += int(queues.split(":")[1], 16)
    return waiting, conns


class BatchFailure(unittest.TestCase):
    def setUp(self):
        self.s = Server()
        self.s.start()

    def tearDown(self):
        self.s.cleanup()

    def journal_lines(self):
        with open(os.path.join(self.s.data, "index", "documents.jsonl")) as f:
            return f.read().count("\n")

    def health(self):
        r = self.s.request("GET", "/healthz")
        self.assertIsNotNone(r.json, r)
        return r

    def test_every_write_of_a_failed_batch_is_503_and_nothing_moves(self):
        s = self.s
        for user, _, _ in WRITES:
            s.token(user)  # signed in before: the writes alone go at once
        main = s.request("GET", "/healthz")  # the server answers
        self.assertEqual(main.status, 200, main)
        head = open(os.path.join(s.docs_git, "refs", "heads", "main")).read() \
            if os.path.exists(os.path.join(s.docs_git, "refs", "heads", "main")) else None
        commits, lines = commit_count(s.docs_git), self.journal_lines()
        answers = [None] * len(WRITES)
        go = threading.Barrier(len(WRITES) + 1)

        def client(k):
            user, region, period = WRITES[k]
            go.wait()
            answers[k] = s.post("/api/v1/documents", plan_body(region=region, period=period), user)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(len(WRITES))]
        with test_storage_failure.objects_refused(s):
            with held(s.docs_git, "kenes-pack.lock"):
                for t in threads:
                    t.start()
                go.wait()
                # Every request read by the server (its loop submits a write as
                # it reads it), and the first batch waiting for the lock.
                wait_until(lambda: unread_bytes(s.port) == (0, len(WRITES)),
                           "the server to read all 8 writes")
            for t in threads:
                t.join(EVENT_LIMIT_S)
            for k, r in enumerate(answers):
                self.assertIsNotNone(r, k)
                self.assertEqual(r.status, 503, r)
                self.assertEqual(r.json["error"]["code"], "storage", r)
            # Nothing moved: main, the journal, the index.
            self.assertEqual(commit_count(s.docs_git), commits)
            self.assertEqual(self.journal_lines(), lines)
            if head is not None:
                self.assertEqual(open(os.path.join(s.docs_git, "refs", "heads", "main")).read(), head)
            for user, region, period in WRITES:
                r = s.get("/api/v1/documents/plan/%s/%d" % (region, period), user)
                self.assertEqual(r.status, 404, r)
            # Batches, not one write at a time: all 8 in failed batches, one of several.
            sizes = [int(n) for n in re.findall(
                r"documents\.git: a batch of (\d+) writes? failed, none of them is on main",
                s.read_log())]
            self.assertEqual(sum(sizes), len(WRITES), sizes)
            self.assertGreater(max(sizes), 1, sizes)

            # /healthz says so, naming what failed, and not of the other repository.
            r = self.health()
            self.assertEqual(r.status, 503, r)
            self.assertEqual(r.json["status"], "unavailable")
            self.assertIn("the last batch of writes failed", r.json["repos"]["documents"])
            self.assertIn("batch's pack", r.json["repos"]["documents"])
            self.assertNotIn(s.data, r.raw)  # no path of the server's disk
            self.assertEqual(r.json["repos"]["cases"], "ok")

        # Still 503 with the disk back, until a batch succeeds: then 200.
        self.assertEqual(self.health().status, 503)
        r = s.post("/api/v1/documents", plan_body(region="KZ-11", period=2026), "off11")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(commit_count(s.docs_git), commits + 1)
        r = self.health()
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["repos"], {"documents": "ok", "cases": "ok"})
        self.assertEqual(s.stop(), 0)


if __name__ == "__main__":
    unittest.main()
