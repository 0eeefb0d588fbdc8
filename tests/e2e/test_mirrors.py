"""Push mirrors (issue 17 item 1; README "Replication: mirrors"): after each
batch the server pushes main to every remote kenes.yaml names for the
repository, on a thread of the remote's own.  A local bare repository is
the mirror here (file://), read with the real git.  Unreachable, it lags
(commits and seconds on /healthz, one log line) while writes go on, and
catches up when it comes back; a remote that refuses main is retried; one
that diverged is reported and never overwritten; a kenes.yaml naming a bad
remote stops the server with file:line before anything is served."""
import base64
import http.server
import json
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import unittest

from kenes_harness import (Server, commit_count, free_port, git, plan_body, run_cli,
                           stop_and_verify, wait_until)


def bare(path):
    subprocess.run(["git", "init", "--bare", "-q", "-b", "main", path], check=True)
    return path


def main_of(repo):
    return git(repo, "rev-parse", "--verify", "-q", "refs/heads/main", check=False).strip()


def mirror_config(docs=(), cases=()):
    out = "mirrors:\n"
    for name, urls in (("documents", docs), ("cases", cases)):
        if urls:
            out += f"  {name}:\n" + "".join(f"    - url: {u}\n" for u in urls)
    return out


def health(srv):
    r = srv.request("GET", "/healthz")
    return r.status, json.loads(r.raw)


def mirror_of(srv, repo="documents", i=0):
    return health(srv)[1]["mirrors"][repo][i]


class Mirrors(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kenes-mirror-")
        self.docs_m = bare(os.path.join(self.tmp, "documents.git"))
        self.cases_m = bare(os.path.join(self.tmp, "cases.git"))
        self.srv = None

    def tearDown(self):
        if self.srv:
            self.srv.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, **kw):
        cfg = mirror_config(docs=["file://" + self.docs_m], cases=["file://" + self.cases_m])
        self.srv = Server(extra_config=cfg, **kw)
        self.srv.start()
        return self.srv

    def write_plans(self, n):
        """n commits: a plan, then edits of it."""
        for _ in range(n):
            if not getattr(self, "plan", None):
                r = self.srv.post("/api/v1/documents", plan_body(), "off11")
                self.assertEqual(r.status, 201, r)
            else:
                r = self.srv.put("/api/v1/documents/" + self.plan[0],
                                 {"title": f"План {commit_count(self.srv.docs_git)}"}, "off11",
                                 self.plan[1])
                self.assertEqual(r.status, 200, r)
            self.plan = (r.json["id"], r.header("ETag"))

    def wait_mirrored_at(self, i, mirror, repo):
        wait_until(lambda: main_of(mirror) == main_of(repo) and
                   mirror_of(self.srv, i=i)["behind_commits"] == 0,
                   f"{mirror} to hold main of {repo}")

    def wait_mirrored(self, mirror, repo):
        wait_until(lambda: main_of(mirror) == main_of(repo) and
                   mirror_of(self.srv)["behind_commits"] == 0,
                   f"{mirror} to hold main of {repo}")

    def test_writes_reach_the_mirror_and_fsck_is_clean(self):
        s = self.start()
        self.write_plans(3)
        self.wait_mirrored(self.docs_m, s.docs_git)
        self.assertEqual(commit_count(self.docs_m), commit_count(s.docs_git))
        fsck = subprocess.run(["git", "-C", self.docs_m, "fsck", "--strict"],
                              capture_output=True, text=True)
        self.assertEqual(fsck.returncode, 0, fsck.stdout + fsck.stderr)
        status, h = health(s)
        self.assertEqual(status, 200, h)
        m = h["mirrors"]["documents"][0]
        self.assertEqual((m["url"], m["state"], m["lag_seconds"], m["failures"]),
                         ("file://" + self.docs_m, "ok", 0, 0), m)
        self.assertIn("cases", h["mirrors"])
        # The mirror's commits are the server's, signed as they are on disk.
        self.assertEqual(git(self.docs_m, "cat-file", "commit", "main"),
                         git(s.docs_git, "cat-file", "commit", "main"))
        stop_and_verify(self, s)

    def test_unreachable_mirror_lags_then_catches_up(self):
        s = self.start()
        self.write_plans(1)
        self.wait_mirrored(self.docs_m, s.docs_git)
        # The mirror's disk is gone (unmounted): every push fails.
        away = self.docs_m + ".away"
        os.rename(self.docs_m, away)
        self.write_plans(3)  # answered all the same
        wait_until(lambda: mirror_of(s)["state"] == "failing" and
                   mirror_of(s)["behind_commits"] == 3, "the mirror to lag by 3 commits")
        self.write_plans(2)
        wait_until(lambda: mirror_of(s)["behind_commits"] == 5, "the lag to grow to 5")
        status, h = health(s)
        self.assertEqual(status, 200, h)  # a mirror's lag is no reason for 503
        self.assertIn("cannot reach the mirror", h["mirrors"]["documents"][0]["error"])
        self.assertGreaterEqual(h["mirrors"]["documents"][0]["lag_seconds"], 0)
        log = s.read_log()
        self.assertEqual(log.count("documents.git -> file://" + self.docs_m + ": cannot push"), 1,
                         log)
        # Back: the next retry catches it up (backoff is at most 5 minutes;
        # early in the failure it is seconds).
        os.rename(away, self.docs_m)
        self.wait_mirrored(self.docs_m, s.docs_git)
        self.assertEqual(mirror_of(s)["state"], "ok")
        wait_until(lambda: "caught up after" in s.read_log(), "the catch-up line")
        self.assertEqual(s.read_log().count("caught up after"), 1)
        stop_and_verify(self, s)

    def test_diverged_mirror_is_reported_and_never_overwritten(self):
        s = self.start()
        self.write_plans(1)
        self.wait_mirrored(self.docs_m, s.docs_git)
        # Someone commits into the mirror's main by hand.
        work = os.path.join(self.tmp, "work")
        subprocess.run(["git", "clone", "-q", self.docs_m, work], check=True)
        with open(os.path.join(work, "stray.txt"), "w") as f:
            f.write("not kenes's\n")
        git(work, "add", "stray.txt")
        git(work, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "-m", "stray")
        git(work, "push", "-q", "origin", "main")
        theirs = main_of(self.docs_m)
        self.write_plans(2)
        wait_until(lambda: mirror_of(s)["state"] == "diverged", "the mirror to be diverged")
        self.write_plans(1)
        status, h = health(s)
        self.assertEqual(status, 200, h)
        m = h["mirrors"]["documents"][0]
        self.assertIn("not an ancestor of ours", m["error"])
        self.assertEqual(main_of(self.docs_m), theirs)  # never overwritten
        log = s.read_log()
        self.assertEqual(log.count(": diverged:"), 1, log)
        # The other repository's mirror goes on.
        self.wait_mirrored(self.cases_m, s.cases_git) if commit_count(s.cases_git) else None
        stop_and_verify(self, s)
        self.assertEqual(main_of(self.docs_m), theirs)
        # Mended by hand (main back on a commit of ours): the next start pushes again.
        git(self.docs_m, "update-ref", "refs/heads/main", theirs + "~1", theirs)
        s.start()
        self.wait_mirrored(self.docs_m, s.docs_git)
        wait_until(lambda: s.read_log().count("documents.git -> file://" + self.docs_m +
                                              ": mirrored (main ") == 2, "the mirrored line")
        stop_and_verify(self, s)

    def test_refused_push_is_retried(self):
        s = self.start()
        self.write_plans(1)
        self.wait_mirrored(self.docs_m, s.docs_git)
        # The mirror refuses to move main (its ref is locked: on a git host a
        # pre-receive hook or a protected branch says no the same way).
        lock = os.path.join(self.docs_m, "refs", "heads", "main.lock")
        open(lock, "w").close()
        before = main_of(self.docs_m)
        self.write_plans(2)
        wait_until(lambda: mirror_of(s)["state"] == "failing", "the push to be refused")
        m = mirror_of(s)
        self.assertIn("refused", m["error"] + " " + s.read_log())
        self.assertEqual(main_of(self.docs_m), before)
        self.assertEqual(commit_count(s.docs_git), 3)  # the writes were made
        os.remove(lock)
        self.wait_mirrored(self.docs_m, s.docs_git)
        stop_and_verify(self, s)

    def test_a_remote_that_never_answers_holds_only_its_own_thread(self):
        # It accepts the connection and says nothing (TLS waits for its hello).
        mute = socket.socket()
        mute.bind(("127.0.0.1", 0))
        mute.listen(8)
        try:
            url = f"https://127.0.0.1:{mute.getsockname()[1]}/d.git"
            self.srv = s = Server(extra_config=mirror_config(docs=[url, "file://" + self.docs_m]))
            s.start()
            self.write_plans(2)  # answered
            self.wait_mirrored_at(1, self.docs_m, s.docs_git)  # the other remote goes on
            wait_until(lambda: mirror_of(s).get("pushing_seconds", 0) >= 1,
                       "the hanging push to show on /healthz")
            self.assertEqual(mirror_of(s)["state"], "unknown")
            self.assertEqual(health(s)[0], 200)
            # The stop does not wait for it beyond a few seconds.
            self.assertEqual(s.stop(), 0)
            with open(s.log_path) as f:
                self.assertIn("documents.git: 1 push still hangs at exit", f.read())
        finally:
            mute.close()

    def test_commits_made_while_stopped_are_pushed_at_start(self):
        s = self.start()
        self.write_plans(2)
        self.wait_mirrored(self.docs_m, s.docs_git)
        s.stop()
        os.rename(self.docs_m, self.docs_m + ".away")
        s.start()
        self.write_plans(1)
        wait_until(lambda: mirror_of(s)["state"] == "failing", "the push to fail")
        s.stop()
        os.rename(self.docs_m + ".away", self.docs_m)
        s.start()
        self.wait_mirrored(self.docs_m, s.docs_git)
        stop_and_verify(self, s)


SSHD = "/usr/sbin/sshd"  # Debian's openssh-server
# Under ASan: libgit2 1.5.1's leak on each ssh connection suppressed (the
# file says which), with whole stacks so that the suppression can match.
LSAN_SSH = {
    "ASAN_OPTIONS": ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"),
                                           "fast_unwind_on_malloc=0"])),
    "LSAN_OPTIONS": ":".join(filter(None, [
        os.environ.get("LSAN_OPTIONS"),
        "suppressions=" + os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                       "lsan-libgit2-ssh.supp")])),
}


class SshServer:
    """Debian's sshd in the foreground on 127.0.0.1, as the user running the
    test (root in CI: PermitRootLogin prohibit-password), with a host key
    and a client key made here: the way a bare repository on another
    machine is reached.  stop() and start() again keep the port."""

    def __init__(self, folder):
        self.folder = folder
        self.user = pwd.getpwuid(os.geteuid()).pw_name
        for name in ("host_key", "client_key", "stranger_key"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f",
                            os.path.join(folder, name)], check=True)
        shutil.copy(os.path.join(folder, "client_key.pub"),
                    os.path.join(folder, "authorized_keys"))
        self.port = free_port()
        self.config = os.path.join(folder, "sshd_config")
        with open(self.config, "w") as f:
            f.write(f"ListenAddress 127.0.0.1:{self.port}\n"
                    f"HostKey {folder}/host_key\n"
                    f"AuthorizedKeysFile {folder}/authorized_keys\n"
                    f"PidFile {folder}/sshd.pid\n"
                    "PubkeyAuthentication yes\n"
                    "PasswordAuthentication no\n"
                    "KbdInteractiveAuthentication no\n"
                    "PermitRootLogin prohibit-password\n"
                    # The test's folders are /tmp's, not a home's 0700.
                    "StrictModes no\n"
                    "UsePAM no\n")
        if os.geteuid() == 0:
            # As root sshd separates privileges into this folder, which
            # Debian's service unit makes at boot; none is running here.
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self.proc = None
        self.start()

    def start(self):
        self.log = open(os.path.join(self.folder, "sshd.log"), "ab")
        self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", self.config], stderr=self.log)
        wait_until(self.listening, "sshd to listen")

    def listening(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"sshd exited {self.proc.returncode}: "
                                 + open(os.path.join(self.folder, "sshd.log")).read())
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=5).close()
            return True
        except OSError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        self.proc = None
        self.log.close()

    def url(self, path):
        return f"ssh://{self.user}@127.0.0.1:{self.port}{path}"

    def home(self, key="host_key.pub"):
        """A HOME whose .ssh/known_hosts names this server with key (its own
        host key by default): libgit2 1.5.1 checks the remote's host key
        there and refuses a host it does not find."""
        home = os.path.join(self.folder, "home-" + key)
        os.makedirs(os.path.join(home, ".ssh"), mode=0o700, exist_ok=True)
        with open(os.path.join(self.folder, key)) as f:
            kind, blob = f.read().split()[:2]
        with open(os.path.join(home, ".ssh", "known_hosts"), "w") as f:
            f.write(f"[127.0.0.1]:{self.port} {kind} {blob}\n")
        return home


class OneRemote(unittest.TestCase):
    """A server whose documents.git has the one mirror remote (its kenes.yaml
    lines under `- url:`) names; Mirrors' writes and waits."""

    def serve(self, remote, env=None):
        self.srv = Server(extra_config="mirrors:\n  documents:\n    - url: " + remote, env=env)
        self.addCleanup(self.srv.cleanup)
        self.srv.start()
        return self.srv

    def assert_same_main(self, mirror, repo):
        self.assertEqual(git(mirror, "cat-file", "commit", "main"),
                         git(repo, "cat-file", "commit", "main"))

    write_plans = Mirrors.write_plans
    wait_mirrored = Mirrors.wait_mirrored


class MirrorOverSsh(OneRemote):
    """An ssh:// mirror with the key file kenes.yaml names (libgit2 over
    libssh2): pushed to after writes; its repository refusing pushes (a
    pre-receive hook, as a git host's protected branch) or its sshd down,
    it lags while writes go on; back, it catches up.  A key the server does
    not know is a failure of its own, named."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kenes-ssh-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.sshd = SshServer(self.tmp)
        self.addCleanup(self.sshd.stop)
        self.docs_m = bare(os.path.join(self.tmp, "documents.git"))

    def start(self, key="client_key", known="host_key.pub", interval="0"):
        """interval: 0 unless a test says otherwise (an ssh mirror's default,
        30 s, would only make these tests wait)."""
        every = f"      interval: {interval}\n" if interval is not None else ""
        return self.serve(f"{self.sshd.url(self.docs_m)}\n      key: {self.tmp}/{key}\n"
                          + every, env={"HOME": self.sshd.home(known), **LSAN_SSH})

    def test_pushes_wait_for_the_interval(self):
        # Without interval: an ssh mirror waits 30 s between pushes (libgit2
        # 1.5.1 leaks a few hundred bytes a connection); with an hour, a
        # commit after the start's push waits, counted, and is not sent.
        s = self.start(interval=None)
        self.assertEqual(mirror_of(s)["interval_seconds"], 30)
        self.assertEqual(s.stop(), 0)
        self.docs_m = bare(os.path.join(self.tmp, "second.git"))  # a server of its own
        s = self.start(interval="3600")
        wait_until(lambda: mirror_of(s)["state"] == "ok", "the start's push")
        sent = main_of(self.docs_m)
        self.write_plans(2)
        wait_until(lambda: mirror_of(s)["behind_commits"] == 2, "2 commits counted")
        m = mirror_of(s)
        self.assertEqual((m["state"], m["interval_seconds"]), ("behind", 3600), m)
        self.assertGreater(m["next_try_seconds"], 3000, m)
        self.assertEqual(main_of(self.docs_m), sent)
        self.assertEqual(health(s)[0], 200)
        stop_and_verify(self, s)

    def test_push_lag_and_catch_up_over_ssh(self):
        s = self.start()
        self.write_plans(2)
        self.wait_mirrored(self.docs_m, s.docs_git)
        m = mirror_of(s)
        self.assertEqual((m["url"], m["state"]), (self.sshd.url(self.docs_m), "ok"), m)
        self.assert_same_main(self.docs_m, s.docs_git)
        fsck = subprocess.run(["git", "-C", self.docs_m, "fsck", "--strict"],
                              capture_output=True, text=True)
        self.assertEqual(fsck.returncode, 0, fsck.stdout + fsck.stderr)
        # The repository refuses every push now: the writes go on, it lags.
        hook = os.path.join(self.docs_m, "hooks", "pre-receive")
        with open(hook, "w") as f:
            f.write("#!/bin/sh\necho 'main is protected' >&2\nexit 1\n")
        os.chmod(hook, 0o755)
        before = main_of(self.docs_m)
        self.write_plans(2)
        wait_until(lambda: mirror_of(s)["state"] == "failing" and
                   mirror_of(s)["behind_commits"] == 2, "the mirror to lag by 2 commits")
        self.assertEqual(health(s)[0], 200)
        self.assertIn("refused", mirror_of(s)["error"])
        self.assertEqual(main_of(self.docs_m), before)
        os.remove(hook)
        self.wait_mirrored(self.docs_m, s.docs_git)
        # Its sshd down: unreachable, it lags; up again, it catches up.
        self.sshd.stop()
        self.write_plans(1)
        wait_until(lambda: mirror_of(s)["state"] == "failing" and
                   mirror_of(s)["behind_commits"] == 1, "the mirror to lag by 1 commit")
        self.assertIn("cannot reach the mirror", mirror_of(s)["error"])
        self.sshd.start()
        self.wait_mirrored(self.docs_m, s.docs_git)
        self.assertEqual(mirror_of(s)["state"], "ok")
        self.assertEqual(s.read_log().count("caught up after"), 2, s.read_log())
        stop_and_verify(self, s)

    def test_an_unknown_host_key_is_refused(self):
        # known_hosts names another key for the host: as if someone stood
        # between kenes and its mirror.  Nothing is sent.
        s = self.start(known="stranger_key.pub")
        self.write_plans(1)
        wait_until(lambda: mirror_of(s)["state"] == "failing", "the push to fail")
        self.assertIn("cannot reach the mirror: invalid or unknown remote ssh hostkey",
                      mirror_of(s)["error"])
        self.assertEqual(main_of(self.docs_m), "")
        stop_and_verify(self, s)

    def test_a_key_the_server_does_not_know(self):
        s = self.start(key="stranger_key")
        self.write_plans(1)  # answered all the same
        wait_until(lambda: mirror_of(s)["state"] == "failing", "the push to fail")
        self.assertIn("cannot reach the mirror", mirror_of(s)["error"])
        self.assertEqual(main_of(self.docs_m), "")
        self.assertEqual(health(s)[0], 200)
        stop_and_verify(self, s)


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


class GitHttpsServer:
    """git's smart HTTP (`git http-backend`, the CGI program git ships) over
    TLS in a thread, with a certificate for localhost from a CA made here
    that no system trusts; a push needs the token as the password (Basic),
    as a git host asks for it.  refuse=True answers every push 403."""

    def __init__(self, folder, token):
        self.folder, self.token, self.refuse = folder, token, False
        self.ca = os.path.join(folder, "ca.pem")
        key, csr, cert = (os.path.join(folder, n) for n in ("srv.key", "srv.csr", "srv.pem"))
        ext = os.path.join(folder, "srv.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", os.path.join(folder, "ca.key"), "-out", self.ca,
                "-subj", "/CN=Kenes test CA", "-days", "3")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key, "-out", csr, "-subj", "/CN=localhost")
        openssl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey",
                os.path.join(folder, "ca.key"), "-CAcreateserial", "-out", cert, "-days", "3",
                "-extfile", ext)
        want = "Basic " + base64.b64encode(f"kenes:{token}".encode()).decode()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def body(self):
                if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
                    return self.rfile.read(int(self.headers.get("Content-Length") or 0))
                out = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0], 16)
                    chunk = self.rfile.read(size + 2)[:size]
                    if not size:
                        return out
                    out += chunk

            def serve(self):
                body = self.body() if self.command == "POST" else b""
                if self.headers.get("Authorization") != want:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="git"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if outer.refuse and "receive-pack" in self.path:
                    self.send_response(403)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                path, _, query = self.path.partition("?")
                env = dict(os.environ, GIT_PROJECT_ROOT=folder, GIT_HTTP_EXPORT_ALL="1",
                           PATH_INFO=path, QUERY_STRING=query, REQUEST_METHOD=self.command,
                           CONTENT_TYPE=self.headers.get("Content-Type", ""),
                           CONTENT_LENGTH=str(len(body)), REMOTE_USER="kenes",
                           REMOTE_ADDR="127.0.0.1")
                out = subprocess.run(["git", "http-backend"], input=body, env=env,
                                     capture_output=True, check=True).stdout
                head, _, rest = out.partition(b"\r\n\r\n")
                headers = [h.split(":", 1) for h in head.decode().split("\r\n") if ":" in h]
                status = next((int(v.split()[0]) for k, v in headers if k == "Status"), 200)
                self.send_response(status)
                for k, v in headers:
                    if k != "Status":
                        self.send_header(k, v.strip())
                self.send_header("Content-Length", str(len(rest)))
                self.end_headers()
                self.wfile.write(rest)

            do_GET = do_POST = serve

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert, key)
        self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, name):
        return f"https://localhost:{self.port}/{name}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class MirrorOverHttps(OneRemote):
    """An https:// mirror on a git host whose certificate a private CA
    issued: trusted through the mirror's ca_file, with the token from its
    token_file; pushed to, lagging while the host refuses pushes (403),
    caught up.  Without ca_file the certificate is refused, nothing sent."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kenes-https-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.host = GitHttpsServer(self.tmp, "t0ken-" + os.urandom(6).hex())
        self.addCleanup(self.host.stop)
        self.docs_m = bare(os.path.join(self.tmp, "documents.git"))
        self.token = os.path.join(self.tmp, "token")
        with open(self.token, "w") as f:
            f.write(self.host.token + "\n")

    def start(self, ca="host"):
        remote = f"{self.host.url('documents.git')}\n      token_file: {self.token}\n"
        if ca:
            remote += f"      ca_file: {self.host.ca if ca == 'host' else ca}\n"
        return self.serve(remote)

    def test_push_lag_and_catch_up_over_https(self):
        s = self.start()
        self.write_plans(2)
        self.wait_mirrored(self.docs_m, s.docs_git)
        self.assert_same_main(self.docs_m, s.docs_git)
        self.host.refuse = True
        before = main_of(self.docs_m)
        self.write_plans(2)
        wait_until(lambda: mirror_of(s)["state"] == "failing" and
                   mirror_of(s)["behind_commits"] == 2, "the mirror to lag by 2 commits")
        self.assertIn("403", mirror_of(s)["error"])
        self.assertEqual(health(s)[0], 200)
        self.assertEqual(main_of(self.docs_m), before)
        self.host.refuse = False
        self.wait_mirrored(self.docs_m, s.docs_git)
        self.assertEqual(s.read_log().count("caught up after"), 1)
        self.assertNotIn(self.host.token, s.read_log())
        stop_and_verify(self, s)

    def test_a_certificate_no_ca_vouches_for(self):
        other = os.path.join(self.tmp, "other-ca.pem")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", os.path.join(self.tmp, "other-ca.key"), "-out", other,
                "-subj", "/CN=Another CA", "-days", "3")
        for ca, words in ((None, "the SSL certificate is invalid"),
                          (other, "the certificate of localhost is not vouched for by the "
                                  "ca_file: The certificate is not correctly signed by the "
                                  "trusted CA")):
            s = self.start(ca=ca)
            self.write_plans(1)
            wait_until(lambda: mirror_of(s)["state"] == "failing", "the push to fail")
            self.assertIn("cannot reach the mirror: " + words, mirror_of(s)["error"])
            self.assertEqual(main_of(self.docs_m), "")
            stop_and_verify(self, s)
            self.plan = None


class MirrorConfigErrors(unittest.TestCase):
    """Each refused at start with file:line and nothing served or written."""

    def refused(self, cfg, want):
        s = Server()
        try:
            with open(os.path.join(s.data, "kenes.yaml"), "a") as f:
                f.write(cfg.replace("@DATA@", s.data))
            before = commit_count(s.docs_git)
            code = s.start(expect_fail=True)
            self.assertEqual(code, 1)
            log = s.read_log()
            self.assertRegex(log, r"kenes\.yaml:\d+: ")
            self.assertIn(want, log)
            self.assertEqual(commit_count(s.docs_git), before)
            self.assertFalse(os.path.exists(os.path.join(s.data, "access.log")))
        finally:
            s.cleanup()

    def test_unknown_scheme(self):
        self.refused(mirror_config(docs=["ftp://host/d.git"]),
                     "must begin with file://, ssh:// or https://")

    def test_credentials_in_url(self):
        self.refused(mirror_config(docs=["https://user:pw@host/x.git"]),
                     "must not carry credentials")
        self.refused(mirror_config(cases=["https://tok3n@host/x.git"]),
                     "must not carry credentials")

    def test_mirror_into_itself(self):
        self.refused(mirror_config(cases=["file://@DATA@/documents.git"]), "pushed to itself")
        self.refused(mirror_config(docs=["file://@DATA@/../data/documents.git/"]),
                     "pushed to itself")

    def test_ssh_needs_a_readable_key(self):
        self.refused("mirrors:\n  documents:\n    - url: ssh://git@host/d.git\n"
                     "      key: /nonexistent/id_ed25519\n", "cannot be read")
        self.refused(mirror_config(docs=["ssh://git@host/d.git"]), "needs key:")

    def test_ca_file_for_https_only_and_readable(self):
        self.refused("mirrors:\n  documents:\n    - url: file:///tmp/x.git\n"
                     "      ca_file: /etc/ssl/certs/ca-certificates.crt\n",
                     "ca_file: are for an https:// mirror")
        self.refused("mirrors:\n  documents:\n    - url: https://git.example.kz/d.git\n"
                     "      ca_file: /nonexistent/ca.pem\n", "ca_file /nonexistent/ca.pem cannot "
                                                           "be read")

    def test_unknown_repository_and_key(self):
        self.refused("mirrors:\n  journal:\n    - url: file:///tmp/x.git\n",
                     "unknown repository 'journal'")
        self.refused("mirrors:\n  documents:\n    - url: file:///tmp/x.git\n      force: true\n",
                     "unknown key 'force'")


if __name__ == "__main__":
    unittest.main()
