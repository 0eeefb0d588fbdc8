"""Older versions packed and, once a chunk of them is full, kept in the index's
scratch file rather than in memory (issue 16, item 10; core/storage/hpack.h,
hpack_spill.h): a plan returned and resubmitted again and again, with long
comments, still answers its whole history, each past version, a diff between
two of them and ?at= exactly, on the API and on the history page, before and
after a restart; the log says how many were packed and how many bytes of them
the scratch file holds."""
import os
import re
import unittest

from kenes_harness import Browser, Server, commit_count, plan_body, stop_and_verify

PLAN = "plan/KZ-11/2026"
ROUNDS = 6


def packed_in(srv):
    """The (versions, packed) of each 'index: N versions, M of them packed'
    line srv logged (stopped or not)."""
    return [(a, b) for a, b, _ in index_lines(srv)]


def index_lines(srv):
    """The (versions, packed, bytes in the scratch file) of each such line."""
    with open(srv.log_path, "rb") as f:
        log = f.read().decode("utf-8", "replace")
    return [(int(a), int(b), int(c)) for a, b, c in
            re.findall(r"index: (\d+) versions, (\d+) of them packed in \d+ bytes "
                       r"\(their comments included\), (\d+) of those bytes in the scratch file",
                       log)]


def comment(k):
    """Round k's return comment: long, so that a few rounds fill a chunk
    (4 KiB) and the scratch file gets some."""
    return (f"Раунд {k}: уточните меры. " + "Укажите сроки, ответственных и источники. " * 30).strip()


T1 = "2026-03-02T05:00:00Z"  # the first rounds' commits, all at this moment (KENES_NOW)
T2 = "2026-03-03T05:00:00Z"  # the rest


class PackedHistory(unittest.TestCase):
    def setUp(self):
        self.s = Server(env={"KENES_NOW": T1})
        self.s.start()

    def tearDown(self):
        self.s.cleanup()

    def round(self, k, r, steps):
        """submit, return with a comment, edit: the answer to the edit."""
        s = self.s
        r = s.act(PLAN, "submit", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        steps.append(("submit", None))
        r = s.act(PLAN, "return", "appr1", r.header("ETag"), comment=comment(k))
        self.assertEqual(r.status, 200, r)
        steps.append(("return", comment(k)))
        r = s.put(f"/api/v1/documents/{PLAN}", {"body": f"# План\n\nРедакция {k}.\n"}, "off11",
                  r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        steps.append(("edit", None))
        return r

    def scratch_file(self):
        """The server's scratch file, by its descriptor (it has no name).
        Other descriptors come and go meanwhile (a pool thread's pack file):
        one closed between the listing and its readlink is not it."""
        s = self.s
        fd_dir = f"/proc/{s.proc.pid}/fd"
        scratch = []
        for n in os.listdir(fd_dir):
            try:
                target = os.readlink(os.path.join(fd_dir, n))
            except FileNotFoundError:
                continue
            if target.startswith(os.path.join(s.data, "index") + "/#"):
                scratch.append(n)
        self.assertEqual(len(scratch), 1, os.listdir(fd_dir))
        return os.path.join(fd_dir, scratch[0])

    def in_force_after_rounds(self, rounds):
        """The plan created, returned `rounds` times with long comments (its
        first chunk of history full: in the scratch file) and brought into
        force: the last answer."""
        s = self.s
        r = s.post("/api/v1/documents", plan_body(), "off11")
        self.assertEqual(r.status, 201, r)
        steps = [("create", None)]
        for k in range(1, rounds + 1):
            r = self.round(k, r, steps)
        r = s.act(PLAN, "submit", "off11", r.header("ETag"))
        r = s.act(PLAN, "approve", "appr1", r.header("ETag"),
                  fields={"act": {"number": "№ 7", "date": "2026-02-05"}})
        r = s.act(PLAN, "agree", "rev1", r.header("ETag"))
        r = s.act(PLAN, "agree", "rev2", r.header("ETag"))
        self.assertEqual(r.json["stage"], "in-force", r)
        return r

    def check_history(self, steps):
        s = self.s
        r = s.get(f"/api/v1/documents/{PLAN}/history", "aud")
        self.assertEqual(r.status, 200, r)
        versions = list(reversed(r.json["versions"]))  # oldest first
        self.assertEqual([(v["action"], v.get("comment")) for v in versions], steps)
        self.assertEqual([v.get("approval") for v in versions[-2:]], ["1/2", "2/2"])
        self.assertIsNone(versions[0]["from"])
        # Each past version reads as it was, packed or not.
        for k in (0, 2, 3, 9, len(versions) - 1):
            v = versions[k]
            r = s.get(f"/api/v1/documents/{PLAN}/versions/{v['commit']}", "aud")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["version"], v["commit"])
            self.assertEqual(r.json["stage"], v["to"])
        r = s.get(f"/api/v1/documents/{PLAN}/versions/{'f' * 40}", "aud")
        self.assertEqual(r.status, 404, r)
        # A diff between two old versions: the first edit's text against the third's.
        edits = [v["commit"] for v in versions if v["action"] == "edit"]
        r = s.get(f"/api/v1/documents/{PLAN}/diff?from={edits[0]}&to={edits[2]}", "aud")
        self.assertEqual(r.status, 200, r)
        self.assertIn("Редакция 3.", r.raw)
        # As it stood between the two days: the first day's last version, packed since.
        r = s.get(f"/api/v1/documents/{PLAN}?at=2026-03-02T12:00:00Z", "aud")
        self.assertEqual(r.status, 200, r)
        first_day = [v for v in versions if v["time"].startswith("2026-03-02")]
        self.assertEqual(len(first_day), 1 + 3 * (ROUNDS // 2))
        self.assertEqual(r.json["version"], first_day[-1]["commit"])
        self.assertIn(f"Редакция {ROUNDS // 2}.", r.json["body"])
        r = s.get(f"/api/v1/documents/{PLAN}?at=2026-03-01T12:00:00Z", "aud")
        self.assertEqual(r.status, 404, r)
        # The history page lists every round's comment.
        b = Browser(s, lang="ru")
        b.sign_in("aud")
        page = b.get(f"/ui/d/{PLAN}/history")
        self.assertEqual(page.status, 200)
        for k in range(1, ROUNDS + 1):
            self.assertIn(f"Раунд {k}: уточните меры. Укажите сроки", page.raw)
        return versions

    def test_whole_history_across_restarts(self):
        s = self.s
        r = s.post("/api/v1/documents", plan_body(), "off11")
        self.assertEqual(r.status, 201, r)
        steps = [("create", None)]
        for k in range(1, ROUNDS // 2 + 1):
            r = self.round(k, r, steps)
        # A clean stop says what the writes packed: all but the last return
        # (it brought the plan into its stage) and the edit after it; the
        # first chunk full, it is in the scratch file.
        self.assertEqual(s.stop(), 0)
        self.assertEqual(packed_in(s)[-1], (len(steps), len(steps) - 2))
        self.assertGreater(index_lines(s)[-1][2], 2000)
        s.restart_at(T2)
        # The start packs what it loaded as the writes had.
        self.assertEqual(packed_in(s)[-1], (len(steps), len(steps) - 2))
        self.assertEqual(index_lines(s)[-1][2], index_lines(s)[-2][2])
        r = s.get(f"/api/v1/documents/{PLAN}", "off11")
        for k in range(ROUNDS // 2 + 1, ROUNDS + 1):
            r = self.round(k, r, steps)
        r = s.act(PLAN, "submit", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        r = s.act(PLAN, "approve", "appr1", r.header("ETag"),
                  fields={"act": {"number": "№ 7", "date": "2026-02-05"}})
        self.assertEqual(r.status, 200, r)
        r = s.act(PLAN, "agree", "rev1", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        r = s.act(PLAN, "agree", "rev2", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "in-force")
        steps += [("submit", None), ("approve", None), ("agree", None), ("agree", None)]
        before = self.check_history(steps)
        stop_and_verify(self, s)
        self.assertGreater(index_lines(s)[-1][2], 4000)
        s.start()
        s.tokens.clear()
        self.assertEqual(self.check_history(steps), before)
        # Nothing of the scratch file left in the data folder: it has no name.
        left = [n for n in os.listdir(os.path.join(s.data, "index")) if "history" in n]
        self.assertEqual(left, [])

    def test_scratch_file_that_fails_to_read(self):
        """A scratch file cut short under the server (a disk that fails):
        the history answers 'storage' and the log says why, never a
        shorter history; the rest is served, writes go on, and the next
        start writes the file anew from the journal, whole."""
        s = self.s
        r = s.post("/api/v1/documents", plan_body(), "off11")
        self.assertEqual(r.status, 201, r)
        steps = [("create", None)]
        for k in range(1, 5):
            r = self.round(k, r, steps)
        r = s.get(f"/api/v1/documents/{PLAN}/history", "aud")
        self.assertEqual(r.status, 200, r)
        whole = r.json["versions"]
        os.truncate(self.scratch_file(), 0)
        r = s.get(f"/api/v1/documents/{PLAN}/history", "aud")
        self.assertEqual(r.status, 500, r)
        self.assertEqual(r.json["error"]["code"], "storage", r)
        with open(s.log_path, "rb") as f:
            self.assertIn(f"index: {PLAN}: its older versions cannot be read back "
                          "(Input/output error)", f.read().decode("utf-8", "replace"))
        # A packed version is not said to be none of the plan's: storage, not 404.
        oldest = whole[-1]["commit"]
        for path in (f"versions/{oldest}", f"diff?from={oldest}&to={whole[0]['commit']}"):
            r = s.get(f"/api/v1/documents/{PLAN}/{path}", "aud")
            self.assertEqual(r.status, 500, r)
            self.assertEqual(r.json["error"]["code"], "storage", r)
        r = s.get(f"/api/v1/documents/{PLAN}", "off11")
        self.assertEqual(r.status, 200, r)
        r = self.round(5, r, steps)
        self.assertEqual(s.stop(), 0)
        s.start()
        s.tokens.clear()
        r = s.get(f"/api/v1/documents/{PLAN}/history", "aud")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["versions"][3:], whole)
        self.assertEqual(len(r.json["versions"]), len(steps))

    def test_public_page_of_unreadable_history(self):
        """The public page of a plan in force lists its versions: with the
        scratch file cut short it answers 'storage', never a page (kept for
        the next visitors) whose history is empty."""
        s = self.s
        self.in_force_after_rounds(3)
        self.assertGreater(os.stat(self.scratch_file()).st_size, 0)
        os.truncate(self.scratch_file(), 0)
        for _ in range(2):  # and not kept for the next visitor either
            page = Browser(s, lang="ru").get(f"/public/{PLAN}")
            self.assertEqual(page.status, 500, page.raw[:300])
            self.assertIn("Не удалось записать или прочитать данные", page.raw)

    def test_amended_plan_of_unreadable_history(self):
        """A plan amended while in force, its history in the scratch file
        cut short: whatever needs the packed versions (the version in force
        beside the draft, the list as it stood, the export's "in force
        since", the reports) answers 'storage' or publishes nothing, never
        a shorter answer; the logs name the plan."""
        s = self.s
        self.in_force_after_rounds(3)
        # Amended the next day: the list as it stood the first day needs a
        # packed version.
        self.assertEqual(s.restart_at(T2), 0)
        r = s.get(f"/api/v1/documents/{PLAN}", "off11")
        r = s.act(PLAN, "amend", "off11", r.header("ETag"), comment="Уточняем меры")
        self.assertEqual((r.status, r.json["stage"]), (200, "draft"), r)
        r = s.put(f"/api/v1/documents/{PLAN}", {"body": "# План\n\nИзменения № 1.\n"}, "off11",
                  r.header("ETag"))
        # Read whole: the version in force beside the draft (the edit's
        # answer: a GET's is kept for the next readers, made whole), the plan
        # in the list as it stood, a row in the export.
        self.assertEqual((r.status, r.json["in_force"]["stage"]), (200, "in-force"), r)
        at = f"/api/v1/documents?type=regional-plan&at={T1}"
        r = s.get(at, "aud")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([d["id"] for d in r.json["documents"]], [PLAN], r)
        export = "/api/v1/exports/plans.csv?region=KZ-11&lang=ru"
        r = s.get(export, "aud")
        self.assertEqual(r.status, 200, r)
        self.assertIn("2026-03-02", r.raw)  # in force since
        self.assertGreater(os.stat(self.scratch_file()).st_size, 0)
        os.truncate(self.scratch_file(), 0)
        for path in (f"/api/v1/documents/{PLAN}", at, export):
            r = s.get(path, "aud")
            self.assertEqual(r.status, 500, (path, r))
            self.assertEqual(r.json["error"]["code"], "storage", (path, r))
        # No report published from it: no commit, none to read.
        before = commit_count(s.docs_git)
        r = s.request("POST", "/api/v1/reports/generate", token=s.token("adm"))
        self.assertEqual(r.status, 500, r)
        self.assertEqual(commit_count(s.docs_git), before, "a report was published")
        self.assertEqual(s.request("GET", "/reports/national.md").status, 404)
        with open(s.log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        for line in (f"index: {PLAN}: its older versions cannot be read back (Input/output error)",
                     f"export: {PLAN}: its history cannot be read now (input/output error): "
                     "no export is made",
                     f"report: {PLAN}: its history cannot be read now (input/output error): "
                     "no report is published"):
            self.assertIn(line, log)
        # The next start writes the scratch file anew, whole: all answer again.
        self.assertEqual(s.stop(), 0)
        s.start()
        s.tokens.clear()
        r = s.get(f"/api/v1/documents/{PLAN}", "aud")
        self.assertEqual((r.status, r.json["in_force"]["stage"]), (200, "in-force"), r)
        r = s.get(export, "aud")
        self.assertEqual(r.status, 200, r)
        r = s.request("POST", "/api/v1/reports/generate", token=s.token("adm"))
        self.assertEqual(r.status, 200, r)


if __name__ == "__main__":
    unittest.main()
