"""The browser harness itself: its checks catch what they look for, a missing
package is named, and the pages every visitor meets (the landing page, the
error pages, the language switch) pass them in Russian and Kazakh."""
import os
import re
import unittest
from urllib.parse import urlsplit, parse_qs

import kenes_browser as kb


class Checks(unittest.TestCase):
    """The checks, on text made up to fail them: a check that cannot fail proves nothing."""

    def test_codes_are_read_from_the_workflows(self):
        for code in ("draft", "ministry-review", "approved", "returned", "submit", "approve",
                     "return", "registered", "in-accompaniment", "closure-requested", "closed",
                     "start-review", "approve-plan", "request-closure", "close", "reopen",
                     "erase", "erased", "regional-approval", "ministry-agreement", "in-force",
                     "agree", "amend"):
            self.assertIn(code, kb.CODES)

    def test_latin_codes_are_found_as_words(self):
        self.assertEqual(kb.latin_codes_in("Этап: ministry-review"), ["ministry-review"])
        self.assertEqual(kb.latin_codes_in("Действия: approve, return."), ["approve", "return"])
        self.assertEqual(kb.latin_codes_in("Этап: На рассмотрении. Утвердить"), [])
        # Inside another word, a path or an id, a code is not shown raw.
        self.assertEqual(kb.latin_codes_in("/ui/d/plan/KZ-11/2026 closer drafts"), [])

    def test_iso_times_are_found(self):
        self.assertEqual(kb.iso_times_in("изменено 2026-02-05T10:00:00Z"), ["2026-02-05T10"])
        self.assertEqual(kb.iso_times_in("5 февраля 2026 г., 15:00"), [])

    def test_a_missing_package_is_named(self):
        missing = kb.missing_packages("/nonexistent/chromium", "/nonexistent/chromedriver")
        self.assertTrue(any(m.startswith("chromium (") for m in missing), missing)
        self.assertTrue(any(m.startswith("chromium-driver (") for m in missing), missing)

    def test_the_style_sheet_closes_every_block(self):
        self.assertEqual(kb.css_nesting_faults("a { b: c; }\n/* ---- x ---- */\n"), [])
        self.assertEqual(kb.css_nesting_faults("@media print {\n a { b: c; }\n/* ---- x */\n"),
                         ["line 3: a part's block starts inside an open block",
                          "end: 1 block(s) never closed"])
        self.assertEqual(kb.css_nesting_faults('a { content: "}"; }'), [])
        path = os.path.join(kb.kh.SOURCE, "content", "ui", "static", "kenes.css")
        with open(path, encoding="utf-8") as f:
            self.assertEqual(kb.css_nesting_faults(f.read()), [], path)

    def test_demo_logins_are_read(self):
        self.assertEqual(kb.DEMO["reviewer"][0], "ministry-reviewer")
        self.assertEqual(kb.DEMO["official-kz11"][1], "KZ-11")
        self.assertTrue(kb.DEMO["chair-kz11"][2])


class PublicPages(kb.BrowserTest):
    """What an anonymous visitor sees, in both languages, without JavaScript errors."""
    demo = False

    def test_1_landing_in_russian_and_kazakh(self):
        for lang in ("ru", "kk"):
            page = self.open("/", lang)
            self.assertEqual(page.mime, "text/html")
            self.assertIn("default-src 'none'", page.headers.get("content-security-policy", ""))
            self.check_page(lang, "landing")
            self.assertTrue(self.find_all('a[href="/ui/login"]'), "no sign-in link on /")

    def test_2_language_switch_is_remembered(self):
        self.open("/", "ru")
        link = self.find('nav.langs a[hreflang="kk"]')
        self.submit_with(link, expect=200)
        self.assertEqual(self.lang(), "kk")
        self.open("/")  # no ?lang=: the cookie remembers
        self.assertEqual(self.lang(), "kk")
        self.open("/", "ru")
        self.assertEqual(self.lang(), "ru")

    def test_3_error_pages_are_html_in_the_language(self):
        for lang in ("ru", "kk"):
            page = self.open("/ui/no-such-page", lang, expect=404)
            self.assertEqual(page.mime, "text/html")
            alerts = self.alerts()
            self.assertTrue(alerts, "the 404 page has no role=alert")
            self.assertRegex(alerts[0], r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]{3,}")
            self.assertIsNone(re.search(r"[A-Za-z]{3,}", alerts[0]), alerts[0])
            self.check_page(lang, "not-found")

    def test_4_signed_in_pages_send_to_the_sign_in_page(self):
        self.open("/ui/inbox?lang=kk", expect=None)
        parts = urlsplit(self.driver.current_url)
        self.assertEqual(parts.path, "/ui/login")
        self.assertEqual(parse_qs(parts.query).get("next"), ["/ui/inbox?lang=kk"])


if __name__ == "__main__":
    kb.main()
