"""Must show (issue 13): a form posted without its CSRF token is refused and
writes nothing.  In the browser, as an attacker's page would leave it out:
the hidden input is removed with a script before the person presses the
button.  The sign-in form, a new plan, an edit and an action."""
from urllib.parse import urlsplit

import kenes_browser as kb

DROP_CSRF = """
  var n = 0;
  document.querySelectorAll('main form input[name="csrf"]').forEach(function (e) {
    e.remove(); n++; });
  return n;"""


class Csrf(kb.BrowserTest):

    def drop_csrf(self):
        self.assertGreaterEqual(self.driver.execute_script(DROP_CSRF), 1,
                                f"no csrf input in the forms of {self.path()}")

    def refused(self, page, lang, shot):
        self.assertEqual(page.status, 403, self.text()[:600])
        self.assertEqual(page.mime, "text/html")
        alerts = self.alerts()
        self.assertTrue(alerts, "the refusal has no role=alert")
        self.assertRegex(alerts[0], kb.CYRILLIC_WORD)
        self.check_page(lang, shot)

    def test_1_sign_in_without_the_token(self):
        for lang in ("ru", "kk"):
            self.sign_out()
            self.open("/ui/login", lang)
            self.fill("user", "official-kz11")
            self.fill("password", kb.password_of("official-kz11"))
            self.drop_csrf()
            page = self.submit_form(of="password")
            self.refused(page, lang, "sign-in-no-csrf")
            self.assertIsNone(self.driver.get_cookie("kenes_session"),
                              "a session came from a form without its token")
            self.open("/ui/inbox", expect=None)
            self.assertEqual(urlsplit(self.driver.current_url).path, "/ui/login")

    def test_2_new_plan_without_the_token(self):
        self.sign_in("official-kz11", lang="ru")
        for lang in ("ru", "kk"):
            before = self.commits()
            self.open("/ui/new/regional-plan", lang)
            self.fill_all(kb.plan_form("Акмолинская область", 2027))
            self.drop_csrf()
            page = self.submit_form(of="fields.period")
            self.refused(page, lang, "new-plan-no-csrf")
            self.assertEqual(self.commits(), before, "a form without its token wrote")
        # The same form with its token goes through: the refusal was the token's.
        self.open("/ui/new/regional-plan", "ru")
        self.fill_all(kb.plan_form("Акмолинская область", 2027))
        before = self.commits()
        self.submit_form(of="fields.period", expect=200)
        self.assertEqual(self.commits(), before + 1)

    def test_3_edit_without_the_token(self):
        self.sign_in("official-kz75", lang="ru")  # the demo's draft plan of Almaty
        before = self.commits()
        self.open("/ui/d/plan/KZ-75/2026/edit", "ru")
        self.fill("title", "План города Алматы на 2026 год (правка)")
        self.drop_csrf()
        page = self.submit_form(of="title")
        self.refused(page, "ru", "edit-no-csrf")
        self.assertEqual(self.commits(), before)

    def test_4_action_without_the_token(self):
        self.sign_in("reviewer", lang="ru")  # the demo's plan of Aktobe is under review
        for lang in ("ru", "kk"):
            before = self.commits()
            self.open("/ui/d/plan/KZ-15/2026", lang)
            self.drop_csrf()
            page = self.click_action("return", comment="Уточните сроки")
            self.refused(page, lang, "act-no-csrf")
            self.assertEqual(self.commits(), before)


if __name__ == "__main__":
    kb.main()
