"""Issue 13, "for people": pages work at 360 px wide (district officials on
phones): the page body never scrolls sideways, wide tables scroll inside
their own box.  And the print stylesheet: a plan prints as a clean sheet
(no header, navigation or forms), saved as PDF beside the screenshots."""
import base64
import os

import kenes_browser as kb

PLAN = "plan/KZ-11/2026"  # the demo's plan of Akmola in force, with its measures


class Phone(kb.BrowserTest):
    window = kb.PHONE

    def fits(self, lang, shot):
        # A phone widens its layout viewport (innerWidth) to a page wider than
        # the screen and zooms out: measure against the screen's 360 px.
        scroll, inner = self.no_horizontal_scroll()
        self.assertLessEqual(max(scroll, inner), kb.PHONE[0],
                             f"{self.path()} ({lang}) is wider than the phone: {scroll} px; "
                             f"what sticks out: {self.widest()}")
        loose = self.driver.execute_script(
            "return Array.from(document.querySelectorAll('main table'))"
            ".filter(function (t) { return !t.closest('.table-wrap'); }).length")
        self.assertEqual(loose, 0, f"{self.path()}: a table outside div.table-wrap")
        self.check_page(lang, shot)

    def widest(self):
        """What sticks out: the elements wider than the viewport (for the message)."""
        return self.driver.execute_script(r"""
          var out = [];
          document.querySelectorAll('body *').forEach(function (e) {
            var r = e.getBoundingClientRect();
            var inside = e.parentElement && e.parentElement.closest('.table-wrap');
            // Scrolled inside a wrap is fine, unless positioned out of its clip.
            if (r.right > arguments[0] + 1 &&
                (!inside || getComputedStyle(e).position === 'absolute'))
              out.push(e.tagName + (e.className ? '.' + e.className : '') + ' ' +
                       Math.round(r.right));
          });
          return out.slice(0, 8);""", kb.PHONE[0])

    def every_lang(self, path, shot):
        for lang in ("ru", "kk"):
            self.open(path, lang)
            self.fits(lang, shot)

    def test_1_public_pages(self):
        self.every_lang("/", "landing")
        self.every_lang("/ui/login", "login")
        self.every_lang(f"/public/{PLAN}", "public-plan")

    def test_2_pages_of_an_official(self):
        self.sign_in("official-kz11", lang="ru")
        self.every_lang("/ui/inbox", "inbox")
        self.every_lang("/ui/list", "list")
        self.every_lang(f"/ui/d/{PLAN}", "plan")
        self.every_lang(f"/ui/d/{PLAN}/history", "history")
        self.every_lang("/ui/new/regional-plan", "new-plan")
        self.every_lang("/ui/new/commission-roster", "new-roster")
        self.every_lang("/ui/password", "password")

    def test_3_a_plan_prints_as_a_clean_sheet(self):
        self.sign_in("reviewer", lang="ru")
        for lang in ("ru", "kk"):
            self.open(f"/ui/d/{PLAN}", lang)
            self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
            try:
                shown = self.driver.execute_script(r"""
                  var vis = function (e) { return !!e && getComputedStyle(e).display !== 'none'
                                                  && e.getClientRects().length > 0; };
                  return {header: vis(document.querySelector('header.site')),
                          footer: vis(document.querySelector('footer.site')),
                          forms: Array.from(document.querySelectorAll('main form')).filter(vis).length,
                          h1: vis(document.querySelector('main h1')),
                          tables: Array.from(document.querySelectorAll('main table')).filter(vis).length};""")
                self.assertEqual((shown["header"], shown["footer"], shown["forms"]), (False, False, 0),
                                 f"the printed plan shows the screen's parts: {shown}")
                self.assertTrue(shown["h1"], "the printed plan has no title")
                self.assertGreaterEqual(shown["tables"], 1, "the printed plan has no measures table")
                pdf = self.driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})
                path = os.path.join(self.shot_dir, f"plan-print-{lang}.pdf")
                with open(path, "wb") as f:
                    f.write(base64.b64decode(pdf["data"]))
                self.screenshot("plan-print")
            finally:
                self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


if __name__ == "__main__":
    kb.main()
