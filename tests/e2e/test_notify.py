"""Notifications (issue 17, item 4): a webhook event per commit, signed with
HMAC-SHA256, and e-mail to users with an address when a document enters
their inbox or becomes overdue, delivered to a local SMTP server (aiosmtpd)
and local HTTP receivers started here.  Nothing typed into a case reaches a
mail or a webhook body; a receiver that never answers holds up neither the
writes nor the other receiver; a restart delivers what was pending."""
import email
import email.policy
import hashlib
import hmac
import http.server
import json
import os
import signal
import threading
import time
import unittest
import uuid

from aiosmtpd.controller import Controller

from kenes_harness import (PASSWORD, USERS, Server, free_port, git, plan_body, roster_body,
                           run_cli, wait_until, with_commission)
from test_cases import ADDRESS, BIRTH, CHILD_NAME, SCHOOL, case_body, case_under_review

NOW = "2026-03-02T06:00:00Z"
LATER = "2026-04-20T06:00:00Z"  # past under-review's 30 days
MARKER = "Маркер-" + uuid.uuid4().hex  # typed into the case; must never leave it
SECRETS = {"a": "secret-of-receiver-a", "b": "secret-of-receiver-b"}


class Receiver:
    """An HTTP receiver in a thread: stores every POST; stuck=True accepts
    and never answers (until stopped)."""

    def __init__(self, port=0, stuck=False):
        self.posts = []
        self.attempts = []  # X-Kenes-Delivery of every POST, answered or not
        self.release = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                outer.attempts.append(self.headers.get("X-Kenes-Delivery"))
                if stuck:
                    outer.release.wait(600)
                    return
                outer.posts.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class Mailbox:
    """aiosmtpd's Controller with a handler that keeps each message."""

    def __init__(self):
        self.messages = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                outer.messages.append((list(envelope.rcpt_tos), envelope.content))
                return "250 OK"

        self.port = free_port()
        self.ctl = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.ctl.start()

    def to(self, addr):
        return [email.message_from_bytes(raw, policy=email.policy.default)
                for rcpt, raw in self.messages if addr in rcpt]

    def stop(self):
        self.ctl.stop()


def config(hooks, smtp_port=None):
    text = "webhooks:\n" if hooks else ""
    for name, port in hooks:
        text += f"  - url: http://127.0.0.1:{port}/hook\n    secret_file: hook-{name}.secret\n"
    if smtp_port:
        text += ("smtp:\n"
                 f"  url: smtp://127.0.0.1:{smtp_port}\n"
                 "  from: kenes@example.kz\n"
                 "  starttls: off\n"
                 "  base_url: https://kenes.example.kz/\n")
    return text


def write_secrets(data):
    for name, secret in SECRETS.items():
        path = os.path.join(data, f"hook-{name}.secret")
        with open(path, "w") as f:
            f.write(secret + "\n")
        os.chmod(path, 0o600)


def stop_code(srv):
    """Stop srv; its exit code and, if it is not 0, its log's end (ASan's report)."""
    code = srv.stop()
    if code == 0:
        return 0, ""
    with open(srv.log_path, "rb") as f:
        return code, f.read().decode("utf-8", "replace")[-3000:]


def pending(outbox):
    """The deliveries and notices an outbox holds (not overdue.mark and
    told-<repository>, which say how far the server has looked)."""
    return [n for n in os.listdir(outbox) if n.endswith(".json")]


def read_told(path):
    """The commit a told-<repository> file names, or None."""
    try:
        with open(path) as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def check_signature(test, headers, body, secret):
    want = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    test.assertEqual(headers.get("X-Kenes-Signature"), want)


class Notifications(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mail = Mailbox()
        cls.good = Receiver()
        cls.stuck = Receiver(stuck=True)
        cls.srv = Server(users=with_commission(USERS),
                         extra_config=config([("a", cls.good.port), ("b", cls.stuck.port)],
                                             cls.mail.port),
                         env={"KENES_NOW": NOW})
        write_secrets(cls.srv.data)
        for name, addr, lang in (("sec11", "sec11@example.kz", "kk"),
                                 ("appr1", "appr1@example.kz", None),
                                 ("off11", "off11@example.kz", "en")):
            args = ["user", "email", "--data", cls.srv.data, "--name", name, "--email", addr]
            code, out, err = run_cli(*(args + (["--lang", lang] if lang else [])))
            assert code == 0, err
        cls.srv.start()

    @classmethod
    def tearDownClass(cls):
        # A clean stop with a receiver still stuck: exit 0 (and, under ASan, no leak).
        code, log = stop_code(cls.srv)
        cls.srv.cleanup()
        cls.good.stop()
        cls.stuck.stop()
        cls.mail.stop()
        if code != 0:
            raise AssertionError(f"server exited with {code}: {log[-3000:]}")

    def new_case(self):
        return case_under_review(self, self.srv, decision=MARKER)

    def all_bodies(self):
        """Every mail (raw and decoded) and webhook body received so far."""
        out = [raw.decode("utf-8", "replace") for _, raw in self.mail.messages]
        for _, raw in self.mail.messages:
            m = email.message_from_bytes(raw, policy=email.policy.default)
            out += [str(m["Subject"]), m.get_content()]
        out += [b.decode() for _, b in self.good.posts]
        return "\n".join(out)

    def test_1_inbox_mail_webhook_and_a_stuck_receiver(self):
        s = self.srv
        cid, _ = self.new_case()
        # The secretary (Kazakh) is reminded of a case under review: one mail.
        wait_until(lambda: self.mail.to("sec11@example.kz"), "the secretary's mail")
        [m] = self.mail.to("sec11@example.kz")
        body = m.get_content()
        self.assertIn("Келген құжаттар бөлімінде сізге жаңа құжат түсті", body)
        self.assertIn("Істі қарау " + cid, body)
        self.assertIn("«Қаралуда»", body)
        self.assertIn(f"https://kenes.example.kz/ui/d/{cid}", body)
        self.assertIn("Кеңес", str(m["Subject"]))
        self.assertEqual(m.get_content_type(), "text/plain")
        self.assertEqual(m.get_content_charset(), "utf-8")
        self.assertTrue(m["Message-ID"].startswith("<inbox-"))
        # The author is not told of their own step.
        self.assertEqual(self.mail.to("off11@example.kz"), [])
        # A plan submitted to the akimat: its approver (Russian, the default).
        r = s.post("/api/v1/documents", plan_body(), "off11")
        self.assertEqual(r.status, 201, r)
        pid = r.json["id"]
        r = s.act(pid, "submit", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        wait_until(lambda: self.mail.to("appr1@example.kz"), "the approver's mail")
        [m] = self.mail.to("appr1@example.kz")
        self.assertIn("В вашей папке входящих новый документ", m.get_content())
        self.assertIn(f"/ui/d/{pid}", m.get_content())
        # More writes than the stuck receiver may hold attempts at once
        # (NOTIFY_PER_RECEIVER, 8): each answered, each event at receiver a.
        r = s.post("/api/v1/documents", plan_body(period=2027), "off11")
        self.assertEqual(r.status, 201, r)
        for i in range(10):
            r = s.put("/api/v1/documents/" + r.json["id"],
                      {"fields": plan_body(period=2027)["fields"], "body": f"# План\n\n{i}\n"},
                      "off11", etag=r.header("ETag"))
            self.assertEqual(r.status, 200, r)
        # Receiver a has every commit's event, signed; b accepts and never
        # answers, and still the writes went on (answered above) and a got its.
        commits = [git(s.cases_git, "rev-parse", "main").strip()] + \
            git(s.docs_git, "rev-list", "main").split()
        wait_until(lambda: {json.loads(b)["commit"] for _, b in self.good.posts} >= set(commits),
                   "receiver a's events")
        for headers, raw in self.good.posts:
            check_signature(self, headers, raw, SECRETS["a"])
            ev = json.loads(raw)
            self.assertEqual(headers.get("X-Kenes-Event"), "commit")
            self.assertEqual(headers.get("X-Kenes-Delivery"), ev["id"])
            self.assertEqual(set(ev), {"id", "event", "time", "commit", "repository", "document",
                                       "type", "region", "stage", "action"})
        ev = [json.loads(b) for _, b in self.good.posts if json.loads(b)["commit"] == commits[0]]
        self.assertEqual(ev[0]["document"], cid)
        self.assertEqual((ev[0]["stage"], ev[0]["action"]), ("under-review", "start-review"))
        # The stuck receiver got each event too, and is tried again with the
        # same delivery once an attempt timed out (30 s).
        wait_until(lambda: len(set(self.stuck.attempts)) >= 8, "the stuck receiver's share")
        wait_until(lambda: len(self.stuck.attempts) > len(set(self.stuck.attempts)),
                   "a second attempt of one delivery at the stuck receiver")
        self.assertRegex(s.read_log(), r"webhook 127\.0\.0\.1:\d+: commit-\w+ not delivered "
                                       r"\(Operation timed out.*\); attempt 1, next in 10 s")
        r = s.get("/api/v1/documents/" + pid, "off11")
        self.assertEqual(r.status, 200, r)
        # No child's data anywhere in what left.
        sent = self.all_bodies()
        for secret in (MARKER, CHILD_NAME, BIRTH, ADDRESS, SCHOOL, "K11-0042"):
            self.assertNotIn(secret, sent, secret)
        self.assertNotIn(MARKER, s.read_log())

    def test_2_overdue_mail(self):
        s = self.srv
        cid, _ = self.new_case()
        wait_until(lambda: len(self.mail.to("sec11@example.kz")) >= 2, "the inbox mail")
        before = len(self.mail.to("sec11@example.kz"))
        self.assertEqual(s.restart_at(LATER), 0)
        wait_until(lambda: any("мерзім" in m.get_content() and "өтті" in m.get_content()
                               for m in self.mail.to("sec11@example.kz")[before:]),
                   "the overdue mail")
        over = [m for m in self.mail.to("sec11@example.kz")[before:]
                if m["Message-ID"].startswith("<overdue-")]
        self.assertTrue(any(cid in m.get_content() for m in over))
        self.assertNotIn(MARKER, self.all_bodies())

    def test_3_enters_already_overdue(self):
        """A roster's deadline is the national order's (07.02.2026), long past
        at LATER: submitted, it reaches the approver already overdue, and
        returned, the official too: one mail each saying both (the minute's
        look for passed deadlines is past that day and would say nothing)."""
        s = self.srv
        r = s.post("/api/v1/documents", roster_body(), "off11")
        self.assertEqual(r.status, 201, r)
        rid = r.json["id"]
        before_appr = len(self.mail.to("appr1@example.kz"))

        def step(action, by, to, **kw):
            """by takes the roster on with action: to's one mail of it."""
            before = len(self.mail.to(f"{to}@example.kz"))
            r = s.act(rid, action, by, step.etag, **kw)
            self.assertEqual(r.status, 200, r)
            step.etag = r.header("ETag")
            commit = git(s.docs_git, "rev-parse", "main").strip()
            wait_until(lambda: len(self.mail.to(f"{to}@example.kz")) > before, f"{to}'s mail")
            [m] = self.mail.to(f"{to}@example.kz")[before:]
            self.assertEqual(m["Message-ID"], f"<inbox-{commit}-{to}@kenes>")
            return m
        step.etag = r.header("ETag")
        m = step("submit", "off11", "appr1")
        self.assertIn("срок уже истёк", str(m["Subject"]))
        self.assertRegex(m.get_content(), r"В вашей папке входящих новый документ, и срок по "
                                          r"нему уже истёк 07\.02\.2026: .* " + rid +
                         r", этап «")
        m = step("return", "appr1", "off11", comment="Нет решения акимата")
        self.assertIn("already overdue", str(m["Subject"]))
        self.assertRegex(m.get_content(), r"A new document is in your inbox, and it was already "
                                          r"due on 07\.02\.2026: .* " + rid)
        # The approver, who returned it, is not told of their own step.
        self.assertEqual(len(self.mail.to("appr1@example.kz")), before_appr + 1)


class Digest(unittest.TestCase):
    """smtp.digest: daily: the notices of a day wait in the outbox and go as
    one mail per user at digest_at (the clock fixed by KENES_NOW)."""

    def test_one_mail_a_day(self):
        mail = Mailbox()
        srv = Server(users=with_commission(USERS),
                     extra_config=config([], mail.port) + "  digest: daily\n"
                                                          "  digest_at: \"08:00\"\n",
                     env={"KENES_NOW": "2026-03-02T09:00:00Z"})
        try:
            code, out, err = run_cli("user", "email", "--data", srv.data, "--name", "sec11",
                                     "--email", "sec11@example.kz", "--lang", "en")
            self.assertEqual(code, 0, err)
            srv.start()
            ids = [case_under_review(self, srv, decision=MARKER)[0] for _ in range(2)]
            outbox = os.path.join(srv.data, "outbox")
            wait_until(lambda: len([n for n in os.listdir(outbox) if n.startswith("notice-")])
                       == 2, "two notices waiting for the digest")
            self.assertEqual(mail.messages, [])
            srv.restart_at("2026-03-03T09:00:00Z")
            wait_until(lambda: mail.to("sec11@example.kz"), "the digest")
            [m] = mail.to("sec11@example.kz")
            body = m.get_content()
            self.assertIn("daily digest", str(m["Subject"]))
            self.assertIn("What is waiting for you in Kenes", body)
            for cid in ids:
                self.assertIn(f"https://kenes.example.kz/ui/d/{cid}", body)
            self.assertTrue(m["Message-ID"].startswith("<digest-2026-03-03-sec11@"))
            self.assertNotIn(MARKER, body)
            wait_until(lambda: not pending(outbox), "the outbox emptied")
            self.assertEqual(stop_code(srv), (0, ""))
        finally:
            srv.cleanup()
            mail.stop()


class StarttlsRequired(unittest.TestCase):
    """starttls: required (the default) never sends a mail in the clear: an
    SMTP server that offers no STARTTLS gets nothing, and the mail waits."""

    def test_no_mail_without_starttls(self):
        mail = Mailbox()
        srv = Server(users=with_commission(USERS),
                     extra_config=config([], mail.port).replace("  starttls: off\n", ""))
        try:
            code, out, err = run_cli("user", "email", "--data", srv.data, "--name", "sec11",
                                     "--email", "sec11@example.kz")
            self.assertEqual(code, 0, err)
            srv.start()
            case_under_review(self, srv, decision=MARKER)
            wait_until(lambda: "mail to sec11: inbox-" in srv.read_log(), "the attempt")
            self.assertRegex(srv.read_log(), r"mail to sec11: inbox-\w+-sec11 not delivered "
                                             r"\(.*\); attempt 1, next in 10 s")
            self.assertEqual(mail.messages, [])
            outbox = os.path.join(srv.data, "outbox")
            self.assertEqual(len([n for n in os.listdir(outbox) if n.startswith("mail-")]), 1)
            self.assertEqual(stop_code(srv), (0, ""))
        finally:
            srv.cleanup()
            mail.stop()


def plan_with_webhook(test, port):
    """A server whose one webhook (secret a) is at port, started, with a plan
    created by off11: (server, the create's answer).  Cleaned up after test."""
    srv = Server(extra_config=config([("a", port)]))
    test.addCleanup(srv.cleanup)
    write_secrets(srv.data)
    srv.start()
    r = srv.post("/api/v1/documents", plan_body(), "off11")
    test.assertEqual(r.status, 201, r)
    return srv, r


class PendingOverRestart(unittest.TestCase):
    def test_receiver_down_then_restart_delivers(self):
        port = free_port()
        srv, r = plan_with_webhook(self, port)
        outbox = os.path.join(srv.data, "outbox")
        wait_until(lambda: "not delivered" in srv.read_log(), "a failed attempt")
        self.assertEqual(stop_code(srv), (0, ""))
        pending = [n for n in os.listdir(outbox) if n.startswith("webhook-")]
        self.assertEqual(len(pending), 1, os.listdir(outbox))
        recv = Receiver(port=port)
        self.addCleanup(recv.stop)
        srv.start()
        wait_until(lambda: recv.posts, "the pending event after the restart")
        headers, raw = recv.posts[0]
        check_signature(self, headers, raw, SECRETS["a"])
        self.assertEqual(json.loads(raw)["document"], r.json["id"])
        wait_until(lambda: not [n for n in os.listdir(outbox) if n.startswith("webhook-")],
                   "the outbox emptied")
        self.assertEqual(stop_code(srv), (0, ""))


class CrashBeforeOutbox(unittest.TestCase):
    """A crash between a commit and its outbox files: told-documents still
    names the commit before, so the next start makes the event again."""

    def test_events_after_told_are_made_again(self):
        port = free_port()
        srv, r = plan_with_webhook(self, port)
        first = git(srv.docs_git, "rev-parse", "main").strip()
        r = srv.put("/api/v1/documents/" + r.json["id"],
                    {"fields": plan_body()["fields"], "body": "# План\n\nДругой текст.\n"},
                    "off11", etag=r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        second = git(srv.docs_git, "rev-parse", "main").strip()
        outbox = os.path.join(srv.data, "outbox")
        told = os.path.join(outbox, "told-documents")
        wait_until(lambda: read_told(told) == second, "told-documents")
        self.assertEqual(stop_code(srv), (0, ""))
        # What a crash right after the second commit leaves: no files, told at the first.
        for name in os.listdir(outbox):
            if name.startswith("webhook-"):
                os.unlink(os.path.join(outbox, name))
        with open(told, "w") as f:
            f.write(first + "\n")
        recv = Receiver(port=port)
        self.addCleanup(recv.stop)
        srv.start()
        wait_until(lambda: recv.posts, "the event made again")
        self.assertEqual([json.loads(b)["commit"] for _, b in recv.posts], [second])
        check_signature(self, recv.posts[0][0], recv.posts[0][1], SECRETS["a"])
        self.assertIn("documents.git: 1 commit after the last one told of", srv.read_log())
        self.assertEqual(stop_code(srv), (0, ""))


class MailAcrossACrash(unittest.TestCase):
    """kill -9 after a commit, before its outbox files (the gap held open by
    KENES_TEST_OUTBOX_HOLD=1, under which no outbox write starts): the next
    start makes the lost inbox mail again from told-cases, and it is
    delivered once, with the id it would have had; a third start sends
    nothing more.  With a digest, the lost notice joins the next digest."""

    def crash_after_review(self, mail, extra=""):
        """A server whose case off11 created was told of; then, the outbox
        held, taken into review and killed: (server, case id, the commit)."""
        # 07:00, before a digest's 08:00: the first day's starts send none.
        srv = Server(users=with_commission(USERS), extra_config=config([], mail.port) + extra,
                     env={"KENES_NOW": "2026-03-02T07:00:00Z"})
        self.addCleanup(srv.cleanup)
        code, out, err = run_cli("user", "email", "--data", srv.data, "--name", "sec11",
                                 "--email", "sec11@example.kz", "--lang", "en")
        self.assertEqual(code, 0, err)
        srv.start()
        r = srv.post("/api/v1/documents", case_body(decision=MARKER), "off11")
        self.assertEqual(r.status, 201, r)
        cid, etag = r.json["id"], r.header("ETag")
        outbox = os.path.join(srv.data, "outbox")
        told = os.path.join(outbox, "told-cases")
        created = git(srv.cases_git, "rev-parse", "main").strip()
        wait_until(lambda: read_told(told) == created, "told-cases at the created case")
        self.assertEqual(stop_code(srv), (0, ""))
        srv.env["KENES_TEST_OUTBOX_HOLD"] = "1"
        srv.start()
        r = srv.act(cid, "start-review", "off11", etag)
        self.assertEqual(r.status, 200, r)
        review = git(srv.cases_git, "rev-parse", "main").strip()
        # The commit is durable and answered; its mail is in no file yet.
        self.assertEqual(pending(outbox), [])
        self.assertEqual(read_told(told), created)
        srv.stop(signal.SIGKILL)
        del srv.env["KENES_TEST_OUTBOX_HOLD"]
        return srv, cid, review

    def test_inbox_mail_made_again_and_sent_once(self):
        mail = Mailbox()
        self.addCleanup(mail.stop)
        srv, cid, review = self.crash_after_review(mail)
        srv.start()
        wait_until(lambda: mail.to("sec11@example.kz"), "the lost mail after the restart")
        self.assertIn("cases.git: 1 commit after the last one told of: 1 notification made "
                      "again", srv.read_log())
        outbox = os.path.join(srv.data, "outbox")
        wait_until(lambda: not pending(outbox), "the outbox emptied")
        self.assertEqual(read_told(os.path.join(outbox, "told-cases")), review)
        self.assertEqual(stop_code(srv), (0, ""))
        srv.start()  # nothing after told-cases now, nothing pending
        self.assertEqual(srv.read_log().count("after the last one told of"), 1)
        self.assertEqual(stop_code(srv), (0, ""))
        [m] = mail.to("sec11@example.kz")
        self.assertEqual(m["Message-ID"], f"<inbox-{review}-sec11@kenes>")
        self.assertIn("A new document is in your inbox", m.get_content())
        self.assertIn(f"https://kenes.example.kz/ui/d/{cid}", m.get_content())
        self.assertNotIn(MARKER, m.as_string())
        self.assertEqual(len(mail.messages), 1)

    def test_digest_notice_made_again(self):
        mail = Mailbox()
        self.addCleanup(mail.stop)
        srv, cid, review = self.crash_after_review(mail, "  digest: daily\n"
                                                         "  digest_at: \"08:00\"\n")
        srv.start()  # the same day: the notice waits for tomorrow's digest
        outbox = os.path.join(srv.data, "outbox")
        wait_until(lambda: [n for n in pending(outbox) if n.startswith("notice-")],
                   "the lost notice made again")
        self.assertEqual(mail.messages, [])
        self.assertEqual(srv.restart_at("2026-03-03T09:00:00Z"), 0)
        wait_until(lambda: mail.to("sec11@example.kz"), "the digest")
        [m] = mail.to("sec11@example.kz")
        self.assertTrue(m["Message-ID"].startswith("<digest-2026-03-03-sec11@"))
        self.assertIn(f"https://kenes.example.kz/ui/d/{cid}", m.get_content())
        wait_until(lambda: not pending(outbox), "the outbox emptied")
        self.assertEqual(stop_code(srv), (0, ""))
        self.assertEqual(len(mail.messages), 1)


class BadInput(unittest.TestCase):
    def refused(self, extra, what):
        srv = Server(extra_config=extra)
        write_secrets(srv.data)
        try:
            code = srv.start(expect_fail=True)
            self.assertEqual(code, 1)
            log = srv.read_log()
            self.assertRegex(log, r"kenes\.yaml:\d+", log)
            self.assertIn(what, log)
            self.assertFalse(os.path.exists(os.path.join(srv.data, "outbox")))
            self.assertEqual(git(srv.docs_git, "rev-list", "--all").strip(), "")
        finally:
            srv.cleanup()

    def test_webhook_url_with_unknown_scheme(self):
        self.refused("webhooks:\n  - url: ftp://127.0.0.1/hook\n    secret_file: hook-a.secret\n",
                     "http:// or https://")

    def test_webhook_url_with_credentials(self):
        self.refused("webhooks:\n  - url: https://user:pw@hooks.example.kz/x\n"
                     "    secret_file: hook-a.secret\n", "no user or password")

    def test_bad_addresses_are_refused_and_nothing_written(self):
        srv = Server(users=[])
        try:
            users = os.path.join(srv.data, "users.yaml")
            code, out, err = run_cli("user", "add", "--data", srv.data, "--name", "x1", "--role",
                                     "auditor", "--email", "no at sign", "--password-stdin",
                                     stdin=PASSWORD + "\n")
            self.assertEqual(code, 2, err)
            self.assertIn("not an e-mail address", err)
            self.assertFalse(os.path.exists(users))
            code, out, err = run_cli("user", "add", "--data", srv.data, "--name", "x1", "--role",
                                     "auditor", "--password-stdin", stdin=PASSWORD + "\n")
            self.assertEqual(code, 0, err)
            with open(users, "rb") as f:
                before = f.read()
            for bad in ("a@b", "a b@example.kz", "a@@example.kz", "a@example.kz\r\nBcc: x@y.kz",
                        "a@example.kz\nX: y", ".a@example.kz", "a@-example.kz"):
                code, out, err = run_cli("user", "email", "--data", srv.data, "--name", "x1",
                                         "--email", bad)
                self.assertEqual(code, 2, (bad, err))
                with open(users, "rb") as f:
                    self.assertEqual(f.read(), before, bad)
            code, out, err = run_cli("user", "email", "--data", srv.data, "--name", "x1",
                                     "--email", "x1@example.kz", "--lang", "xx")
            self.assertEqual(code, 2, err)
            code, out, err = run_cli("user", "email", "--data", srv.data, "--name", "x1",
                                     "--email", "x1@example.kz", "--lang", "kk")
            self.assertEqual(code, 0, err)
            with open(users) as f:
                text = f.read()
            self.assertIn('email: "x1@example.kz"', text)
            self.assertIn('lang: "kk"', text)
        finally:
            srv.cleanup()


if __name__ == "__main__":
    unittest.main()
