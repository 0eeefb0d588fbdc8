"""No single client stalls the server (issue 11, item 6): logins in flight are
capped per address and overall and refused with 429; a validation answer is
bounded however many problems a body holds; one address cannot take every
connection slot, and a request head has its own deadline; log lines escape
control and bidirectional characters; only HTTP/1.x is served.

Nothing here asserts elapsed time: every wait is for an answer, with a
generous socket timeout as the bound."""
import json
import re
import socket
import time
import unittest

from kenes_harness import USERS, PASSWORD, Server, ServerTest, commit_count

USERS_C = USERS + [("chair11", "commission-chair", "KZ-11")]


def raw_request(port, data, source=None, timeout=60):
    """Send data on a fresh connection (from source, an address of 127/8, if
    given) and read one answer: (status, {header: value}, body bytes)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    try:
        s.sendall(data)
        return read_answer(s)
    finally:
        s.close()


def read_answer(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed before an answer: {buf!r}")
        buf += chunk
    head, body = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    want = int(headers.get("content-length", "0"))
    while len(body) < want:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def set_limits(srv, **limits):
    """Set limits.<key> in the server's kenes.yaml (before it starts)."""
    path = f"{srv.data}/kenes.yaml"
    with open(path) as f:
        cfg = f.read()
    for key, value in limits.items():
        line = f"  {key}: {value}\n"
        cfg, n = re.subn(rf"^  {key}:.*\n", line, cfg, flags=re.M)
        if not n:
            cfg = cfg.replace("limits:\n", "limits:\n" + line, 1)
    with open(path, "w") as f:
        f.write(cfg)


def login_bytes(name, password):
    body = json.dumps({"user": name, "password": password}).encode()
    return (b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)) + body


class Requests(ServerTest):
    users = USERS_C
    env = {"KENES_NOW": "2026-03-25T09:00:00Z"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Signed in before the junk logins, whose failures count against 127.0.0.1.
        cls.srv.login("off11")

    def test_parallel_logins_are_capped(self):
        """60 logins with junk names sent at once from one address: only a few
        are checked (argon2id), the rest are refused with 429 and Retry-After."""
        s = self.srv
        socks = []
        for i in range(60):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=120)
            socks.append(c)
        # Every request is on the wire before any answer is read.
        for i, c in enumerate(socks):
            c.sendall(login_bytes(f"junk-{i}", "not-the-password-at-all"))
        answers = []
        for c in socks:
            answers.append(read_answer(c))
            c.close()
        statuses = [a[0] for a in answers]
        refused = [a for a in answers if a[0] == 429]
        self.assertTrue(set(statuses) <= {401, 429}, statuses)
        self.assertGreater(len(refused), 0, statuses)
        print(f"60 parallel logins: {statuses.count(401)} checked (401), {len(refused)} refused (429)")
        for status, headers, body in refused:
            self.assertEqual(headers.get("retry-after"), "1")
            self.assertEqual(json.loads(body)["error"]["code"], "too_many_logins")
        # The right password still works afterwards, and reads are served.
        self.assertEqual(s.request("POST", "/api/v1/sessions",
                                   {"user": "off11", "password": PASSWORD}).status, 201)
        self.assertEqual(s.get("/api/v1/documents", "off11").status, 200)
        self.assertIn("429 too_many_logins", s.read_log())

    def test_validation_answer_is_bounded(self):
        """A case of 0.99 MB with follow_ups [{}] x 330,000: a short 422 that
        lists 100 problems and says the list stops there; nothing written;
        /healthz answered meanwhile."""
        s = self.srv
        before = commit_count(s.cases_git)
        case = {"type": "case-review", "region": "KZ-11", "body": "# Рассмотрение\n",
                "fields": {"child": {"pseudonym": "K11-0042", "full_name": "Айгерим Нурланова",
                                     "birth_date": "2012-03-04", "address": "ул. Абая 1",
                                     "school": "Школа №5"},
                           "grounds": ["family"], "follow_ups": [{}] * 330000}}
        body = json.dumps(case, separators=(",", ":")).encode()
        self.assertLess(len(body), 1048576)
        self.assertGreater(len(body), 980000)
        token = s.token("off11")
        big = socket.create_connection(("127.0.0.1", s.port), timeout=120)
        big.sendall(b"POST /api/v1/documents HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    b"Authorization: Bearer " + token.encode() +
                    b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                    % len(body) + body)
        health = s.request("GET", "/healthz")
        self.assertEqual(health.status, 200)
        status, headers, raw = read_answer(big)
        big.close()
        self.assertEqual(status, 422, raw[:300])
        self.assertLess(len(raw), 64 * 1024)
        fields = json.loads(raw)["error"]["fields"]
        self.assertEqual(len(fields), 101)
        self.assertEqual(fields[0]["path"], "fields.follow_ups[0].due")
        self.assertEqual(fields[-1]["path"], "")
        self.assertIn("stops at 100 problems", fields[-1]["message"])
        self.assertEqual(commit_count(s.cases_git), before)

    def test_log_lines_escape_control_and_bidi(self):
        """A request target with U+202E (right-to-left override) and U+0085
        (next line) is logged with both escaped."""
        s = self.srv
        target = "/api/v1/nope-\u202egnp.exe-\u0085-fake".encode()
        status, _, _ = raw_request(s.port, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n"
                                   b"Connection: close\r\n\r\n")
        self.assertIn(status, (401, 404))
        log = s.read_log()
        self.assertNotIn("\u202e", log)
        self.assertNotIn("\u0085", log)
        self.assertIn("/api/v1/nope-\\u202Egnp.exe-\\u0085-fake", log)

    def test_http_versions(self):
        """HTTP/9.9 is 505; a request line without a version (HTTP/0.9) is 400 and a close."""
        s = self.srv
        status, _, _ = raw_request(s.port, b"GET /healthz HTTP/1.2\r\nHost: x\r\n\r\n")
        self.assertEqual(status, 505)
        status, headers, body = raw_request(s.port, b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n")
        self.assertEqual(status, 505)
        self.assertEqual(json.loads(body)["error"]["code"], "http_version_not_supported")
        self.assertEqual(headers.get("connection"), "close")
        status, headers, body = raw_request(s.port, b"GET /healthz\r\n")
        self.assertEqual(status, 400)
        self.assertEqual(headers.get("connection"), "close")
        self.assertIn(b"HTTP/0.9", body)
        status, _, _ = raw_request(s.port, b"GET /healthz HTTP/1.0\r\n\r\n")
        self.assertEqual(status, 200)


class Connections(ServerTest):
    """A server with small connection limits and a short head deadline."""

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(users=USERS)
        set_limits(cls.srv, max_connections=32, max_connections_per_address=8,
                   header_timeout_seconds=2, request_timeout_seconds=600)
        cls.srv.start()

    def test_one_address_cannot_take_every_slot(self):
        """100 sockets from 127.0.0.1 (more than max_connections): another
        address, 127.0.0.2, is still served."""
        s = self.srv
        held = [socket.create_connection(("127.0.0.1", s.port), timeout=60) for _ in range(100)]
        try:
            status, _, body = raw_request(s.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                                          b"Connection: close\r\n\r\n", source="127.0.0.2")
            self.assertEqual(status, 200, body)
            # The ninth from 127.0.0.1 on was told why.
            status, _, body = read_answer(held[-1])
            self.assertEqual(status, 503)
            self.assertIn(b"8 connections are open from your address", body)
        finally:
            for c in held:
                c.close()
        # Wait (bounded) until the server has seen them go: 127.0.0.1 is served again.
        for _ in range(600):
            if raw_request(s.port, b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")[0] == 200:
                break
            time.sleep(0.05)

    def test_request_head_has_its_own_deadline(self):
        """A head that never ends gets 408 after header_timeout_seconds (2),
        long before the whole request's 600 s."""
        s = self.srv
        # From an address of its own: the other test's sockets may still count.
        c = socket.create_connection(("127.0.0.1", s.port), timeout=60,
                                     source_address=("127.0.0.3", 0))
        try:
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            status, headers, body = read_answer(c)
        finally:
            c.close()
        self.assertEqual(status, 408)
        self.assertIn(b"request line and headers did not arrive whole within 2 s", body)


if __name__ == "__main__":
    unittest.main()
