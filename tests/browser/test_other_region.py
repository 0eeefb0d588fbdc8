"""Must show (issue 13): an official of another region gets 403 pages, not
JSON: another region's case, its history, another region's plan's edit
form, and an action posted on another region's plan (a form built in the
page by a script, as a crafted page would send it).  Nothing is written."""
import json

import kenes_browser as kb

# A form the page did not offer: the action on another region's plan, with
# this browser's own CSRF token (from the header's sign-out form).
POST_ACTION = """
  var f = document.createElement('form');
  f.method = 'post'; f.action = arguments[0];
  var add = function (n, v) {
    var i = document.createElement('input'); i.type = 'hidden'; i.name = n; i.value = v;
    f.appendChild(i); };
  add('csrf', document.querySelector('form[action="/ui/logout"] input[name="csrf"]').value);
  add('version', arguments[1]);
  var b = document.createElement('button'); b.name = 'action'; b.value = 'submit';
  b.textContent = 'submit'; f.appendChild(b);
  document.querySelector('main').appendChild(f);
  b.click();"""


class OtherRegion(kb.BrowserTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        token = cls.srv.login("official-kz11", kb.password_of("official-kz11"))
        r = cls.srv.request("GET", "/api/v1/documents?type=case-review", token=token)
        cls.case = r.json["documents"][0]["id"]
        r = cls.srv.request("GET", "/api/v1/documents/plan/KZ-75/2026", token=token)
        cls.etag = r.header("ETag")

    def forbidden(self, page, lang, shot):
        self.assertEqual(page.status, 403, self.text()[:600])
        self.assertEqual(page.mime, "text/html")
        self.assertIn("text/html", page.headers.get("content-type", ""))
        body = self.text().strip()
        with self.assertRaises(ValueError, msg="a 403 answered with JSON"):
            json.loads(body)
        alerts = self.alerts()
        self.assertTrue(alerts, "the 403 page has no role=alert")
        self.assertRegex(alerts[0], kb.CYRILLIC_WORD)
        self.assertIsNone(kb.LATIN_WORD.search(alerts[0]), alerts[0])
        self.check_page(lang, shot)

    def test_1_pages_of_another_region(self):
        self.sign_in("official-kz15", lang="ru")
        for lang in ("ru", "kk"):
            for path, shot in ((f"/ui/d/{self.case}", "case"),
                               (f"/ui/d/{self.case}/history", "case-history"),
                               (f"/ui/d/{self.case}/edit", "case-edit"),
                               ("/ui/d/plan/KZ-75/2026/edit", "plan-edit")):
                page = self.open(path, lang, expect=None)
                self.forbidden(page, lang, shot)

    def test_2_action_on_another_regions_plan(self):
        self.sign_in("official-kz15", lang="ru")
        for lang in ("ru", "kk"):
            self.open("/ui/d/plan/KZ-75/2026", lang)  # plans are readable by all
            self.assertNotIn("submit", self.actions(), "another region's plan offers submit")
            before = self.commits()
            old = self.html()
            self._drain()
            self.driver.execute_script(POST_ACTION, "/ui/d/plan/KZ-75/2026/act", self.etag)
            page = self._loaded(old)
            self.forbidden(page, lang, "act")
            self.assertEqual(self.commits(), before, "another region's action wrote")


if __name__ == "__main__":
    kb.main()
