"""Every bad input gets a clear 4xx, and nothing is written to git."""
import socket
import unittest

from kenes_harness import ServerTest, commit_count, plan_body


class BadInput(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-11"), "off11")
        assert r.status == 201, r
        cls.etag = r.header("ETag")

    def setUp(self):
        self.before = commit_count(self.srv.docs_git)

    def tearDown(self):
        self.assertEqual(commit_count(self.srv.docs_git), self.before,
                         "a refused request wrote a commit")
        self.assertIsNone(self.srv.proc.poll(), "the server died")

    def assertError(self, r, status, code=None):
        self.assertEqual(r.status, status, r)
        self.assertIsInstance(r.json, dict, r)
        self.assertIn("error", r.json)
        self.assertIn("message", r.json["error"])
        if code:
            self.assertEqual(r.json["error"]["code"], code, r)

    def raw(self, data, read=65536):
        with socket.create_connection(("127.0.0.1", self.srv.port), timeout=30) as c:
            c.sendall(data)
            out = b""
            while True:
                try:
                    chunk = c.recv(read)
                except (ConnectionResetError, socket.timeout):
                    break
                if not chunk:
                    break
                out += chunk
            return out

    # --- HTTP level ---
    def test_malformed_request_line(self):
        out = self.raw(b"GARBAGE\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 400"), out[:100])

    def test_malformed_header(self):
        out = self.raw(b"GET /healthz HTTP/1.1\r\nHost x\r\nBroken header\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 400"), out[:100])

    def test_headers_too_large(self):
        big = b"X-Filler: " + b"a" * 17000 + b"\r\n"
        out = self.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + big + b"\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 431"), out[:100])

    def test_body_too_large(self):
        s = self.srv
        body = b'{"type":"regional-plan","body":"' + b"a" * (1024 * 1024 + 10) + b'"}'
        r = s.request("POST", "/api/v1/documents", raw=body, token=s.token("off11"))
        self.assertError(r, 413)

    def test_body_too_large_chunked(self):
        tok = self.srv.token("off11").encode()
        head = (b"POST /api/v1/documents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tok +
                b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"a" * 65536
        data = head + (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * 17 + b"0\r\n\r\n"
        out = self.raw(data)
        self.assertTrue(out.startswith(b"HTTP/1.1 413"), out[:100])

    def test_wrong_content_type(self):
        s = self.srv
        r = s.request("POST", "/api/v1/documents", raw=b"type=regional-plan",
                      token=s.token("off11"), content_type="application/x-www-form-urlencoded")
        self.assertError(r, 415)

    def test_bad_json(self):
        s = self.srv
        r = s.request("POST", "/api/v1/documents", raw=b'{"type": "regional-plan",',
                      token=s.token("off11"))
        self.assertError(r, 400, "bad_json")

    def test_json_not_an_object(self):
        s = self.srv
        r = s.request("POST", "/api/v1/documents", raw=b'["regional-plan"]', token=s.token("off11"))
        self.assertError(r, 400, "bad_json")

    def test_unknown_field(self):
        body = plan_body(region="KZ-11", period=2028)
        body["stage"] = "in-force"
        r = self.srv.post("/api/v1/documents", body, "off11")
        self.assertError(r, 400, "unknown_field")

    def test_unknown_field_in_put_and_transition(self):
        s = self.srv
        r = s.put("/api/v1/documents/plan/KZ-11/2026", {"title": "x", "version": "y"}, "off11",
                  self.etag)
        self.assertError(r, 400, "unknown_field")
        r = s.post("/api/v1/documents/plan/KZ-11/2026/transitions",
                   {"action": "submit", "stage": "in-force"}, "off11", self.etag)
        self.assertError(r, 400, "unknown_field")

    def test_invalid_utf8_in_body(self):
        s = self.srv
        raw = b'{"type":"regional-plan","region":"KZ-11","title":"\xff\xfe","fields":{"period":2029}}'
        r = s.request("POST", "/api/v1/documents", raw=raw, token=s.token("off11"))
        self.assertError(r, 400)

    def test_invalid_utf8_in_path(self):
        r = self.srv.get("/api/v1/documents/plan/KZ-11/%ff%fe", "off11")
        self.assertError(r, 400)
        out = self.raw(b"GET /api/v1/documents/plan/\xc0\xae HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 400"), out[:100])

    def test_invalid_utf8_in_header(self):
        tok = self.srv.token("off11").encode()
        out = self.raw(b"GET /api/v1/documents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                       tok + b"\r\nX-Name: \xff\xfe\r\nConnection: close\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 400"), out[:100])

    # --- ids ---
    def test_path_tricks(self):
        s = self.srv
        for path in ["/api/v1/documents/plan/../../etc/passwd",
                     "/api/v1/documents/plan/KZ-11/%2e%2e",
                     "/api/v1/documents/%2e%2e/%2e%2e/users.yaml",
                     "/api/v1/documents//etc/passwd",
                     "/api/v1/documents/plan/KZ-11/2026%00",
                     "/api/v1/documents/plan%2fKZ-11%2f..%2f..%2fusers",
                     "/api/v1/documents/plan/KZ-11/%252e%252e",
                     "/api/v1/documents/plan\\KZ-11\\2026"]:
            r = s.get(path, "off11")
            self.assertIn(r.status, (400, 404), (path, r))
            self.assertNotIn("argon2", r.raw)
            r = s.put(path, {"title": "x"}, "off11", self.etag)
            self.assertIn(r.status, (400, 404), (path, r))

    def test_unknown_document(self):
        self.assertError(self.srv.get("/api/v1/documents/plan/KZ-11/2030", "off11"), 404)

    # --- who ---
    def test_no_token(self):
        s = self.srv
        self.assertError(s.request("GET", "/api/v1/documents"), 401)
        self.assertError(s.request("POST", "/api/v1/documents", plan_body(period=2029)), 401)
        self.assertError(s.request("GET", "/api/v1/documents", token="forged" * 7 + "x"), 401)

    def test_token_twice(self):
        s = self.srv
        tok = s.token("off11").encode()
        out = self.raw(b"GET /api/v1/documents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tok +
                       b"\r\nAuthorization: Bearer " + tok + b"\r\nConnection: close\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 401"), out[:100])

    def test_wrong_password(self):
        r = self.srv.request("POST", "/api/v1/sessions", {"user": "off11", "password": "wrong-password!"})
        self.assertError(r, 401)
        r = self.srv.request("POST", "/api/v1/sessions", {"user": "nobody", "password": "wrong-password!"})
        self.assertError(r, 401)

    def test_other_region_is_forbidden(self):
        s = self.srv
        self.assertError(s.act("plan/KZ-11/2026", "submit", "off15", self.etag), 403)
        self.assertError(s.put("/api/v1/documents/plan/KZ-11/2026", {"title": "Чужой план"},
                               "off15", self.etag), 403)
        # Forging the region in the body does not help.
        self.assertError(s.post("/api/v1/documents", plan_body(region="KZ-11", period=2029),
                                "off15"), 403)

    def test_auditor_cannot_write(self):
        s = self.srv
        self.assertError(s.post("/api/v1/documents", plan_body(region="KZ-11", period=2029), "aud"), 403)
        self.assertError(s.put("/api/v1/documents/plan/KZ-11/2026", {"title": "x"}, "aud", self.etag), 403)
        for action in ("submit", "approve", "return", "agree"):
            self.assertError(s.act("plan/KZ-11/2026", action, "aud", self.etag, comment="x"), 403)

    def test_reviewer_cannot_submit_or_create(self):
        s = self.srv
        self.assertError(s.act("plan/KZ-11/2026", "submit", "rev1", self.etag), 403)
        self.assertError(s.post("/api/v1/documents", plan_body(region="KZ-11", period=2029), "rev1"), 403)

    # --- workflow ---
    def test_wrong_stage(self):
        # The plan is a draft: the akimat cannot approve it, nor the ministry agree, yet.
        self.assertError(self.srv.act("plan/KZ-11/2026", "approve", "appr1", self.etag), 409, "wrong_stage")
        self.assertError(self.srv.act("plan/KZ-11/2026", "agree", "rev1", self.etag), 409, "wrong_stage")

    def test_unknown_action(self):
        self.assertError(self.srv.act("plan/KZ-11/2026", "publish", "off11", self.etag), 422)

    def test_if_match_missing_and_stale(self):
        s = self.srv
        self.assertError(s.act("plan/KZ-11/2026", "submit", "off11", None), 428)
        self.assertError(s.put("/api/v1/documents/plan/KZ-11/2026", {"title": "x"}, "off11"), 428)
        stale = '"' + "0" * 40 + '"'
        self.assertError(s.act("plan/KZ-11/2026", "submit", "off11", stale), 412)
        self.assertError(s.put("/api/v1/documents/plan/KZ-11/2026", {"title": "x"}, "off11", stale), 412)

    def test_create_existing(self):
        self.assertError(self.srv.post("/api/v1/documents", plan_body(region="KZ-11"), "off11"), 409)

    def test_method_not_allowed(self):
        s = self.srv
        self.assertError(s.request("DELETE", "/api/v1/documents", token=s.token("off11")), 405)
        self.assertError(s.request("PUT", "/api/v1/sessions", {"user": "a"}), 405)

    # --- validation ---
    def validation_fields(self, r):
        self.assertError(r, 422, "validation")
        return [f["path"] for f in r.json["error"]["fields"]]

    def test_validation_region(self):
        r = self.srv.post("/api/v1/documents", plan_body(region="KZ-99", period=2029), "adm")
        self.assertIn("region", self.validation_fields(r))

    def test_validation_period(self):
        for period in (2025, 2031, "2027", None):
            body = plan_body(region="KZ-11", period=2029)
            body["fields"]["period"] = period
            r = self.srv.post("/api/v1/documents", body, "off11")
            self.assertIn("fields.period", self.validation_fields(r), period)

    def test_validation_title(self):
        for title in ("", "я" * 201):
            body = plan_body(region="KZ-11", period=2029)
            body["title"] = title
            self.assertIn("title", self.validation_fields(self.srv.post("/api/v1/documents", body, "off11")))
        body = plan_body(region="KZ-11", period=2029)
        body["title"] = "я" * 200  # 200 characters, 400 bytes: fine
        r = self.srv.post("/api/v1/documents", body, "off11")
        self.assertEqual(r.status, 201, r)
        self.before += 1

    def test_validation_body_size(self):
        body = plan_body(region="KZ-11", period=2030, body="а" * (128 * 1024 + 1))  # 256 KiB + 2 bytes
        self.assertIn("body", self.validation_fields(self.srv.post("/api/v1/documents", body, "off11")))

    def test_validation_member_types(self):
        body = plan_body(region="KZ-11", period=2030)
        body["fields"] = "period=2030"
        self.assertIn("fields", self.validation_fields(self.srv.post("/api/v1/documents", body, "off11")))
        body = plan_body(region="KZ-11", period=2030)
        body["fields"]["colour"] = "red"
        self.assertIn("fields.colour", self.validation_fields(self.srv.post("/api/v1/documents", body, "off11")))

    def test_validation_on_edit(self):
        r = self.srv.put("/api/v1/documents/plan/KZ-11/2026", {"fields": {"period": 1999}}, "off11",
                         self.etag)
        self.assertIn("fields.period", self.validation_fields(r))

    def test_guard_comment_required(self):
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-15", period=2026), "off15")
        self.assertEqual(r.status, 201, r)
        r = s.act("plan/KZ-15/2026", "submit", "off15", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.before += 2
        for comment in (None, "", "   \n"):
            g = s.act("plan/KZ-15/2026", "return", "appr2", r.header("ETag"), comment=comment)
            self.assertError(g, 422, "guard")
            self.assertIn("comment", g.json["error"]["message"])

    def test_versions_of_another_document(self):
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-11", period=2028), "off11")
        self.assertEqual(r.status, 201, r)
        self.before += 1
        other = r.json["version"]
        self.assertError(s.get(f"/api/v1/documents/plan/KZ-11/2026/versions/{other}", "aud"), 404)
        self.assertError(s.get(f"/api/v1/documents/plan/KZ-11/2026/versions/{'f' * 40}", "aud"), 404)
        self.assertError(s.get(f"/api/v1/documents/plan/KZ-11/2026/diff?from={other}", "aud"), 404)


if __name__ == "__main__":
    unittest.main()
