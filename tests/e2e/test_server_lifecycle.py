"""Start-up refusals, concurrency, pipelining and graceful stop."""
import glob
import os
import shutil
import signal
import socket
import subprocess
import threading
import unittest

from kenes_harness import KENES, SOURCE, Server, ServerTest, commit_count, git, plan_body

REGIONS = ["KZ-10", "KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31", "KZ-33", "KZ-35",
           "KZ-39", "KZ-43", "KZ-47", "KZ-55", "KZ-59", "KZ-61", "KZ-62", "KZ-63", "KZ-71",
           "KZ-75", "KZ-79"]


def parallel(fn, args_list):
    results = [None] * len(args_list)

    def run(i, args):
        results[i] = fn(*args)

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


class StartupRefusals(unittest.TestCase):
    def start_with(self, workflows=None, plugins=None):
        s = Server(users=[])
        cfg = "paths:\n"
        if workflows:
            cfg += f"  workflows: {workflows}\n"
        if plugins:
            cfg += f"  plugins: {plugins}\n"
        with open(os.path.join(s.data, "kenes.yaml"), "a") as f:
            f.write(cfg)
        try:
            code = s.start(expect_fail=True)
            return code, s.read_log()
        finally:
            s.cleanup()

    def broken_workflow(self, old, new):
        d = os.path.join(self.tmp, "wf")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(SOURCE, "workflows/regional-plan.yaml")) as f:
            text = f.read()
        self.assertIn(old, text)
        path = os.path.join(d, "regional-plan.yaml")
        with open(path, "w") as f:
            f.write(text.replace(old, new, 1))
        return d, path

    def setUp(self):
        import tempfile
        self.tmp = tempfile.mkdtemp(prefix="kenes-start-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_unknown_guard_stops_serve_with_file_and_line(self):
        d, path = self.broken_workflow("guards: [comment_required]", "guards: [no_such_guard]")
        code, log = self.start_with(workflows=d)
        self.assertEqual(code, 1)
        with open(path) as f:
            line = [i + 1 for i, l in enumerate(f) if "no_such_guard" in l][0]
        self.assertIn(f"{path}:{line}:", log)
        self.assertIn("no_such_guard", log)

    def test_unknown_role_stops_serve(self):
        d, path = self.broken_workflow("roles: [ministry-reviewer]", "roles: [minister]")
        code, log = self.start_with(workflows=d)
        self.assertEqual(code, 1)
        self.assertIn(path + ":", log)
        self.assertIn("minister", log)

    def test_plugin_with_wrong_abi_is_refused(self):
        build = os.path.dirname(KENES)
        d = os.path.join(self.tmp, "plugins")
        os.makedirs(d)
        for so in glob.glob(os.path.join(build, "plugins", "*.so")):
            shutil.copy(so, d)
        wrong = glob.glob(os.path.join(build, "tests", "plugins", "*abi*.so"))
        self.assertTrue(wrong, "the wrong-ABI fixture plugin was not built")
        shutil.copy(wrong[0], d)
        code, log = self.start_with(plugins=d)
        self.assertEqual(code, 1)
        self.assertIn(os.path.basename(wrong[0]), log)
        self.assertIn("ABI", log)


class Concurrency(ServerTest):
    def test_parallel_creates_lose_nothing(self):
        s = self.srv
        before = commit_count(s.docs_git)
        for name in ("adm",):
            s.token(name)
        results = parallel(lambda reg: s.post("/api/v1/documents", plan_body(region=reg, period=2029), "adm"),
                           [(r,) for r in REGIONS])
        self.assertEqual([r.status for r in results], [201] * len(REGIONS), results)
        self.assertEqual(commit_count(s.docs_git), before + len(REGIONS))
        tree = git(s.docs_git, "ls-tree", "-r", "--name-only", "main")
        for reg in REGIONS:
            self.assertIn(f"plan/{reg}/2029.md", tree)
        fsck = subprocess.run(["git", "-C", s.docs_git, "fsck", "--strict"], capture_output=True, text=True)
        self.assertEqual(fsck.returncode, 0, fsck.stderr)

    def test_same_document_writes_are_ordered(self):
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-11", period=2030), "off11")
        self.assertEqual(r.status, 201, r)
        etag = r.header("ETag")
        before = commit_count(s.docs_git)
        results = parallel(lambda i: s.put("/api/v1/documents/plan/KZ-11/2030",
                                           {"title": f"Версия {i}"}, "off11", etag),
                           [(i,) for i in range(8)])
        statuses = sorted(r.status for r in results)
        self.assertEqual(statuses.count(200), 1, results)
        self.assertEqual(statuses.count(412), 7, results)
        self.assertEqual(commit_count(s.docs_git), before + 1)
        winner = [r for r in results if r.status == 200][0]
        self.assertEqual(s.get("/api/v1/documents/plan/KZ-11/2030", "off11").json["title"],
                         winner.json["title"])

    def test_duplicate_creates_one_wins(self):
        s = self.srv
        results = parallel(lambda: s.post("/api/v1/documents", plan_body(region="KZ-15", period=2030), "off15"),
                           [()] * 6)
        statuses = sorted(r.status for r in results)
        self.assertEqual(statuses, [201] + [409] * 5, results)

    def test_pipelined_requests_answer_in_order(self):
        with socket.create_connection(("127.0.0.1", self.srv.port), timeout=30) as c:
            req = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
            nf = b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
            c.sendall(req + nf + req + b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            out = b""
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    break
                out += chunk
        import re
        statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", out)
        self.assertEqual(statuses, [b"200", b"404", b"200", b"200"])


class GracefulStop(unittest.TestCase):
    def test_sigterm_finishes_writes_in_flight(self):
        s = Server()
        try:
            s.start()
            s.token("adm")
            before = commit_count(s.docs_git)
            results = [None] * len(REGIONS)

            def create(i):
                try:
                    results[i] = s.post("/api/v1/documents", plan_body(region=REGIONS[i], period=2026), "adm")
                except OSError:
                    pass  # not accepted before the listener closed: fine, nothing promised

            threads = [threading.Thread(target=create, args=(i,)) for i in range(len(REGIONS))]
            for t in threads:
                t.start()
            # Let the requests reach the server, then ask it to stop while they are in flight.
            import time
            time.sleep(0.05)
            s.proc.send_signal(signal.SIGTERM)
            for t in threads:
                t.join(60)
            code = s.proc.wait(timeout=60)
            self.assertEqual(code, 0)
            answered = [r for r in results if r is not None]
            ok = [r for r in answered if r.status == 201]
            # Every request that was answered 201 is in git; none was answered and then lost.
            self.assertEqual(commit_count(s.docs_git), before + len(ok))
            log = s.read_log()
            self.assertIn("finishing requests in flight", log)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
