"""Signing in to the web interface, as a browser does it (plain HTTP, cookies
by hand): the language of a page, the sign-in form and its session cookie,
CSRF, wrong passwords and throttling in ru and kk, where a sign-in goes next,
signing out, and a user's own password page.  The clock is fixed (KENES_NOW):
failed logins never leave their window while a test runs."""
import html
import os
import re
import unittest
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

from kenes_harness import PASSWORD, Server, ServerTest, commit_count

NOW = {"KENES_NOW": "2026-02-07T10:00:00Z"}
NEW_PASSWORD = "river-lantern-autumn-42"


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside role="alert"."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.alerts = []
        self._depth = 0  # inside an alert: how many open tags
        self._void = {"input", "br", "img", "meta", "link", "hr"}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if self._depth:
            if tag not in self._void:
                self._depth += 1
        elif a.get("role") == "alert":
            self.alerts.append("")
            self._depth = 1

    def handle_endtag(self, tag):
        if self._depth and tag not in self._void:
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.alerts[-1] += data

    def find(self, tag, **want):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in want.items())]

    def one(self, tag, **want):
        found = self.find(tag, **want)
        assert len(found) == 1, (tag, want, found)
        return found[0]


def set_cookies(resp):
    """{name: (value, attributes as one lower-case string)} of the Set-Cookie lines."""
    out = {}
    for k, v in resp.headers:
        if k.lower() == "set-cookie":
            name, _, rest = v.partition("=")
            value, _, attrs = rest.partition(";")
            out[name.strip()] = (value, attrs.lower())
    return out


class Browser:
    """Cookies kept by hand, as a browser keeps them for one site."""

    def __init__(self, srv, lang=None):
        self.srv = srv
        self.jar = {}
        if lang:
            self.jar["kenes_lang"] = lang

    def request(self, method, path, form=None, headers=None):
        h = dict(headers or {})
        if self.jar:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        raw = urlencode(form).encode() if form is not None else None
        r = self.srv.request(method, path, headers=h, raw=raw,
                             content_type="application/x-www-form-urlencoded")
        for name, (value, attrs) in set_cookies(r).items():
            if "max-age=0" in attrs:
                self.jar.pop(name, None)
            else:
                self.jar[name] = value
        return r

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, form, headers=None):
        return self.request("POST", path, form=form, headers=headers)

    def csrf(self, path):
        """The CSRF token of the form on the page at path."""
        r = self.get(path)
        m = re.search(r'name="csrf" value="([^"]+)"', r.raw)
        assert m, r
        return m.group(1)

    def sign_in(self, name, password=PASSWORD, next_path=None):
        form = {"csrf": self.csrf("/ui/login"), "user": name, "password": password}
        if next_path is not None:
            form["next"] = next_path
        return self.post("/ui/login", form)


def lang_of(page):
    m = re.search(r'<html lang="([a-z]+)">', page)
    return m.group(1) if m else None


def no_latin(text):
    return re.search(r"[A-Za-z]", text) is None


class SignIn(ServerTest):
    env = NOW

    def users_yaml(self):
        with open(os.path.join(self.srv.data, "users.yaml"), "rb") as f:
            return f.read()

    def assert_html(self, r, status):
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.header("Content-Type").startswith("text/html"), r.headers)
        self.assertIn("<!doctype html>", r.raw)

    # ---- languages ----

    def test_root_is_russian_html_by_default(self):
        r = self.srv.request("GET", "/")
        self.assert_html(r, 200)
        self.assertEqual(lang_of(r.raw), "ru")
        self.assertEqual(r.header("Content-Language"), "ru")

    def test_lang_switch_is_remembered_in_a_cookie(self):
        b = Browser(self.srv)
        r = b.get("/?lang=kk")
        self.assertEqual(lang_of(r.raw), "kk")
        value, attrs = set_cookies(r)["kenes_lang"]
        self.assertEqual(value, "kk")
        self.assertIn("httponly", attrs)
        self.assertIn("samesite=strict", attrs)
        # The cookie alone, without ?lang=, keeps Kazakh; another ?lang= wins over it.
        self.assertEqual(lang_of(b.get("/ui/login").raw), "kk")
        self.assertEqual(lang_of(b.get("/ui/login?lang=en").raw), "en")
        self.assertEqual(b.jar["kenes_lang"], "en")

    def test_accept_language_chooses_when_nothing_else_does(self):
        for header, want in [("kk-KZ", "kk"), ("en-US,en;q=0.9", "en"),
                             ("de-DE, kk;q=0.5, ru;q=0.4", "kk"), ("kk;q=0, en;q=0.1", "en"),
                             ("xx, yy", "ru")]:
            r = self.srv.request("GET", "/", headers={"Accept-Language": header})
            self.assertEqual(lang_of(r.raw), want, header)
        # The cookie wins over the header.
        r = self.srv.request("GET", "/", headers={"Accept-Language": "kk-KZ",
                                                  "Cookie": "kenes_lang=en"})
        self.assertEqual(lang_of(r.raw), "en")

    # ---- the form and the session cookie ----

    def test_sign_in_form_has_labelled_inputs_and_csrf(self):
        b = Browser(self.srv)
        r = b.get("/ui/login")
        self.assert_html(r, 200)
        page = Elements(r.raw)
        form = page.one("form", action="/ui/login")
        self.assertEqual(form["method"], "post")
        user = page.one("input", name="user")
        password = page.one("input", name="password")
        self.assertEqual(user["autocomplete"], "username")
        self.assertEqual(password["autocomplete"], "current-password")
        self.assertEqual(password["type"], "password")
        for i in (user, password):
            self.assertEqual(len(page.find("label", **{"for": i["id"]})), 1, i)
        csrf = page.one("input", name="csrf")
        self.assertEqual(csrf["type"], "hidden")
        self.assertGreaterEqual(len(csrf["value"]), 43)
        # The pre-session cookie the token is tied to.
        value, attrs = set_cookies(r)["kenes_csrf"]
        self.assertIn("httponly", attrs)
        self.assertEqual(page.find("input", name="next"), [])

    def test_sign_in_sets_the_session_cookie_and_lands_on_the_inbox(self):
        b = Browser(self.srv)
        r = b.sign_in("off11")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/ui/inbox")
        value, attrs = set_cookies(r)["kenes_session"]
        self.assertEqual(len(value), 43)
        self.assertIn("httponly", attrs)
        self.assertIn("samesite=strict", attrs)
        self.assertIn("path=/", attrs)
        self.assertIn("max-age=43200", attrs)  # the sessions' lifetime
        self.assertNotIn("secure", attrs)
        # The same session as the API's: its token is a bearer token there.
        me = self.srv.request("GET", "/api/v1/me", token=value)
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json["user"], "off11")
        # Signed in, the sign-in page sends one on to the inbox.
        r = b.get("/ui/login")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/ui/inbox")
        # The header names who is signed in, with a sign-out form.
        page = Elements(b.get("/ui/password").raw)
        self.assertEqual(len(page.find("form", action="/ui/logout")), 1)

    def test_sign_in_without_csrf_is_refused_and_makes_no_session(self):
        before, users = commit_count(self.srv.docs_git), self.users_yaml()
        b = Browser(self.srv)
        token = b.csrf("/ui/login")
        for form in [{"user": "adm", "password": PASSWORD},
                     {"user": "adm", "password": PASSWORD, "csrf": "x" * 43},
                     {"user": "adm", "password": PASSWORD, "csrf": token + "x"}]:
            r = b.post("/ui/login", form)
            self.assert_html(r, 403)
            self.assertEqual(len(Elements(r.raw).alerts), 1)
            self.assertNotIn("kenes_session", set_cookies(r))
        # A browser that never had the form: its token cannot be right yet.
        stranger = Browser(self.srv)
        r = stranger.post("/ui/login", {"user": "adm", "password": PASSWORD, "csrf": token})
        self.assert_html(r, 403)
        self.assertNotIn("kenes_session", set_cookies(r))
        self.assertEqual(commit_count(self.srv.docs_git), before)
        self.assertEqual(self.users_yaml(), users)
        # The form itself works.
        self.assertEqual(b.sign_in("adm").status, 303)

    def test_wrong_password_in_russian_and_kazakh(self):
        users, commits = self.users_yaml(), commit_count(self.srv.docs_git)
        for lang, word in [("ru", "пароль"), ("kk", "құпиясөз")]:
            b = Browser(self.srv, lang)
            r = b.sign_in("off15", "wrong-password-" + lang)
            self.assert_html(r, 401)
            self.assertEqual(lang_of(r.raw), lang)
            page = Elements(r.raw)
            self.assertEqual(len(page.alerts), 1, r.raw)
            alert = page.alerts[0].strip()
            self.assertIn(word, alert.lower())
            self.assertTrue(no_latin(alert), alert)
            # The name is kept, the password is not.
            self.assertEqual(page.one("input", name="user")["value"], "off15")
            self.assertNotIn("value", page.one("input", name="password"))
            self.assertNotIn("wrong-password-" + lang, r.raw)
            self.assertEqual(page.one("input", name="user")["aria-invalid"], "true")
            self.assertNotIn("kenes_session", set_cookies(r))
        self.assertEqual(self.users_yaml(), users)
        self.assertEqual(commit_count(self.srv.docs_git), commits)
        self.assertEqual(Browser(self.srv).sign_in("off15").status, 303)

    def test_five_wrong_passwords_then_429_shared_with_the_api(self):
        signed = Browser(self.srv)
        self.assertEqual(signed.sign_in("rev2").status, 303)
        b = Browser(self.srv, "kk")
        for i in range(5):
            self.assertEqual(b.sign_in("rev2", f"wrong-password-{i}").status, 401)
        # The right password now waits too, and is not checked.
        r = b.sign_in("rev2")
        self.assert_html(r, 429)
        wait = int(r.header("Retry-After"))
        self.assertTrue(0 < wait <= 900, wait)
        page = Elements(r.raw)
        self.assertEqual(len(page.alerts), 1)
        self.assertTrue(no_latin(page.alerts[0]), page.alerts[0])
        self.assertIn("15", page.alerts[0])  # minutes to wait
        self.assertNotIn("kenes_session", set_cookies(r))
        # The API's sign-in counts the same failures.
        api = self.srv.request("POST", "/api/v1/sessions", {"user": "rev2", "password": PASSWORD})
        self.assertEqual(api.status, 429)
        self.assertEqual(api.json["error"]["code"], "too_many_attempts")
        # A password change for that name waits as well, and writes nothing.
        users = self.users_yaml()
        r = signed.post("/ui/password", {"csrf": signed.csrf("/ui/password"),
                                         "current_password": PASSWORD,
                                         "new_password": NEW_PASSWORD,
                                         "new_password_again": NEW_PASSWORD})
        self.assert_html(r, 429)
        self.assertTrue(0 < int(r.header("Retry-After")) <= 900)
        self.assertEqual(len(Elements(r.raw).alerts), 1)
        self.assertEqual(self.users_yaml(), users)

    def test_empty_fields_are_refused_without_a_check(self):
        b = Browser(self.srv)
        r = b.post("/ui/login", {"csrf": b.csrf("/ui/login"), "user": "adm", "password": ""})
        self.assert_html(r, 400)
        self.assertEqual(len(Elements(r.raw).alerts), 1)

    # ---- where a sign-in goes ----

    def test_a_page_for_signed_in_users_goes_to_sign_in_and_back(self):
        b = Browser(self.srv)
        r = b.get("/ui/inbox")
        self.assertEqual(r.status, 303)
        location = r.header("Location")
        self.assertTrue(location.startswith("/ui/login?next="), location)
        self.assertEqual(parse_qs(urlsplit(location).query)["next"], ["/ui/inbox"])
        page = Elements(b.get("/ui/login?next=%2Fui%2Flist%3Ftype%3Dregional-plan").raw)
        self.assertEqual(page.one("input", name="next")["value"], "/ui/list?type=regional-plan")
        r = b.sign_in("off11", next_path="/ui/list?type=regional-plan")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/ui/list?type=regional-plan")

    def test_next_to_another_site_is_ignored(self):
        for bad in ["//evil.example", "/\\evil.example", "/\t/evil.example", "http://evil.example/",
                    "evil"]:
            b = Browser(self.srv)
            page = Elements(b.get("/ui/login?" + urlencode({"next": bad})).raw)
            self.assertEqual(page.find("input", name="next"), [], bad)
            r = b.sign_in("off11", next_path=bad)
            self.assertEqual(r.status, 303)
            self.assertEqual(r.header("Location"), "/ui/inbox", bad)

    # ---- signing out ----

    def test_sign_out_ends_the_session_for_the_browser_and_the_api(self):
        b = Browser(self.srv)
        self.assertEqual(b.sign_in("rev1").status, 303)
        token = b.jar["kenes_session"]
        # Without its token the sign-out is refused and the session lives on.
        r = b.post("/ui/logout", {})
        self.assert_html(r, 403)
        self.assertEqual(b.get("/ui/password").status, 200)
        r = b.post("/ui/logout", {"csrf": b.csrf("/ui/password")})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/")
        self.assertIn("max-age=0", set_cookies(r)["kenes_session"][1])
        self.assertNotIn("kenes_session", b.jar)
        # The old cookie, sent again, no longer works; nor does its token on the API.
        r = self.srv.request("GET", "/ui/password", headers={"Cookie": "kenes_session=" + token})
        self.assertEqual(r.status, 303)
        self.assertTrue(r.header("Location").startswith("/ui/login?next="), r.headers)
        self.assertEqual(self.srv.request("GET", "/api/v1/me", token=token).status, 401)

    # ---- the user's own password ----

    def test_password_page_refuses_bad_input_and_changes_a_good_one(self):
        b = Browser(self.srv)
        self.assertEqual(b.sign_in("aud").status, 303)
        old_token = b.jar["kenes_session"]
        r = b.get("/ui/password")
        self.assert_html(r, 200)
        page = Elements(r.raw)
        for name, complete in [("current_password", "current-password"),
                               ("new_password", "new-password"),
                               ("new_password_again", "new-password")]:
            i = page.one("input", name=name)
            self.assertEqual(i["type"], "password")
            self.assertEqual(i["autocomplete"], complete)
            self.assertEqual(len(page.find("label", **{"for": i["id"]})), 1, name)
        users_before = self.users_yaml()
        commits_before = commit_count(self.srv.docs_git)

        def refused(form, field, lang="ru", status=422):
            form = dict(form, csrf=b.csrf("/ui/password"))
            b.jar["kenes_lang"] = lang
            r = b.post("/ui/password", form)
            self.assert_html(r, status)
            page = Elements(r.raw)
            self.assertEqual(len(page.alerts), 1, r.raw)
            self.assertTrue(no_latin(page.alerts[0]), page.alerts[0])
            self.assertEqual(page.one("input", name=field).get("aria-invalid"), "true")
            for other in {"current_password", "new_password", "new_password_again"} - {field}:
                self.assertNotIn("aria-invalid", page.one("input", name=other), other)
            # Nothing written, no password put back in the page.
            self.assertEqual(self.users_yaml(), users_before)
            self.assertEqual(commit_count(self.srv.docs_git), commits_before)
            for v in form.values():
                if v and v != form["csrf"]:
                    self.assertNotIn(html.escape(v), r.raw)
            return page.alerts[0]

        good = {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                "new_password_again": NEW_PASSWORD}
        # A wrong current password (checked as a login is, and counted as one).
        refused(dict(good, current_password="not-my-password-1"), "current_password")
        refused(dict(good, current_password="not-my-password-2"), "current_password", "kk")
        refused(dict(good, new_password_again=NEW_PASSWORD + "x"), "new_password_again")
        alert = refused(dict(good, new_password="short-one", new_password_again="short-one"),
                        "new_password", "kk")
        self.assertIn("12", alert)
        # cracklib's reasons, in the user's language.
        alert = refused(dict(good, new_password="administrator",
                             new_password_again="administrator"), "new_password")
        self.assertIn("словарн", alert)
        alert = refused(dict(good, new_password="abcdefghijklm",
                             new_password_again="abcdefghijklm"), "new_password", "kk")
        self.assertIn("қарапайым", alert)
        refused(dict(good, new_password=PASSWORD, new_password_again=PASSWORD), "new_password")
        # Without its token: 403 and nothing written.
        b.jar["kenes_lang"] = "ru"
        r = b.post("/ui/password", good)
        self.assert_html(r, 403)
        self.assertEqual(self.users_yaml(), users_before)

        r = b.post("/ui/password", dict(good, csrf=b.csrf("/ui/password")))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/ui/login?changed=1")
        self.assertNotIn("kenes_session", b.jar)
        self.assertNotEqual(self.users_yaml(), users_before)
        self.assertEqual(commit_count(self.srv.docs_git), commits_before)
        r = b.get("/ui/login?changed=1")
        self.assertEqual(len(Elements(r.raw).find("p", role="status")), 1)
        # Every session of the user ended, the API's too.
        self.assertEqual(self.srv.request("GET", "/api/v1/me", token=old_token).status, 401)
        r = self.srv.request("GET", "/ui/password", headers={"Cookie": "kenes_session=" + old_token})
        self.assertEqual(r.status, 303)
        # The old password no longer signs in, the new one does.
        self.assertEqual(Browser(self.srv).sign_in("aud").status, 401)
        self.assertEqual(Browser(self.srv).sign_in("aud", NEW_PASSWORD).status, 303)


class BehindTlsWithDemo(unittest.TestCase):
    """behind_tls: every cookie carries Secure.  The demo logins sign in
    through the form as the quick start says."""

    def test_secure_cookies_and_a_demo_login(self):
        # The real clock: the demo's documents hold dates up to today.
        s = Server(users=[], demo=True)
        try:
            # kenes.yaml from `init` spells out web.behind_tls: false; turn it on.
            cfg = os.path.join(s.data, "kenes.yaml")
            with open(cfg) as f:
                text = f.read()
            self.assertIn("behind_tls: false", text)
            with open(cfg, "w") as f:
                f.write(text.replace("behind_tls: false", "behind_tls: true"))
            s.start()
            printed = "".join(s.stdout_lines)
            logins = re.findall(r"^\s+(\S+)\s+(\S+)\s+(?:KZ-\d\d)?\s*password: (\S+)$",
                                printed, re.M)
            name, _, password = next(l for l in logins if l[1] == "regional-official")
            b = Browser(s)
            r = b.get("/ui/login?lang=kk")
            for cookie in ("kenes_csrf", "kenes_lang"):
                self.assertIn("secure", set_cookies(r)[cookie][1], cookie)
            r = b.sign_in(name, password)
            self.assertEqual(r.status, 303, r)
            self.assertEqual(r.header("Location"), "/ui/inbox")
            attrs = set_cookies(r)["kenes_session"][1]
            self.assertIn("secure", attrs)
            self.assertIn("httponly", attrs)
            self.assertIn("samesite=strict", attrs)
            r = b.get("/ui/password")
            self.assertEqual(r.status, 200)
            self.assertIn(name, r.raw)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
