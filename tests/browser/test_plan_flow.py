"""Must show (issues 13 and 15): an official signs in, creates a plan through
the form, sees a field error in Russian, fixes it and sends it to the akimat;
the akimat's approver approves it, recording the resolution in the act form
with its signed scan (one submit: attached, then approved);
two reviewers agree with the action buttons; the plan appears on the public
landing page; an auditor opens its history and a side-by-side diff.  Every
page in Russian and Kazakh, checked and screenshotted."""
import os
import tempfile
from urllib.parse import urlsplit

import kenes_browser as kb

PERIOD = 2027
DOC = f"plan/KZ-11/{PERIOD}"
OLD_TITLE = kb.PLAN_MEASURES[0][1]
NEW_TITLE = "Службы примирения в каждой школе области"


class PlanFlow(kb.BrowserTest):
    """The steps run in order on one server (demo data: its logins)."""

    def test_1_official_creates_the_plan_through_the_form(self):
        self.sign_in("official-kz11", lang="ru")
        self.shoot_langs("inbox")
        self.open("/ui/new/regional-plan", "ru")
        self.shoot_langs("new-plan")
        before = self.commits()

        # An error left in: the year of the plan outside the concept's years.
        for lang in ("ru", "kk"):
            self.open("/ui/new/regional-plan", lang)
            values = kb.plan_form("Акмолинская область", PERIOD)
            values["fields.period"] = "1999"
            self.fill_all(values)
            # The akimat's resolution is its approver's to record, not the official's.
            self.assertFalse(self.has_field("fields.act.number"), "the plan's form asks for the act")
            page = self.submit_form(of="fields.period")
            self.assertEqual(page.status, 422, self.text()[:600])
            self.assertEqual(urlsplit(page.url).path, "/ui/new/regional-plan")
            alerts = self.alerts()
            self.assertTrue(alerts, "no role=alert with the error")
            self.assertRegex(" ".join(alerts), kb.CYRILLIC_WORD)
            self.assertIsNone(kb.LATIN_WORD.search(" ".join(alerts)),
                              f"the {lang} error is not in {lang}: {alerts}")
            self.assertIn("fields.period", self.invalid_fields())
            self.assertEqual(self.field("fields.measures[0].title").get_attribute("value"),
                             OLD_TITLE, "the form did not keep what was typed")
            self.check_page(lang, "new-plan-error")
            self.assertEqual(self.commits(), before, "a refused form wrote something")

        # Fixed (in Russian): created, and the browser is on the plan's page.
        self.open("/ui/new/regional-plan", "ru")
        self.fill_all(kb.plan_form("Акмолинская область", PERIOD))
        page = self.submit_form(of="fields.period", expect=200)
        self.assertEqual(urlsplit(page.url).path, f"/ui/d/{DOC}")
        self.assertEqual(self.commits(), before + 1)
        self.assertIn("Черновик", self.text())
        self.assertIn("службы примирения в школах", self.text(), "the body is not shown")
        self.shoot_langs("plan-draft")

    def test_2_official_corrects_a_measure_and_submits(self):
        self.open(f"/ui/d/{DOC}", "ru")
        edit = self.find_all(f'a[href="/ui/d/{DOC}/edit"]')
        self.assertTrue(edit, "the draft's page has no edit link for its official")
        self.submit_with(edit[0], expect=200)
        self.shoot_langs("edit-plan")
        self.fill("fields.measures[0].title", NEW_TITLE)
        before = self.commits()
        page = self.submit_form(of="fields.period", expect=200)
        self.assertEqual(urlsplit(page.url).path, f"/ui/d/{DOC}")
        self.assertEqual(self.commits(), before + 1)
        self.assertIn(NEW_TITLE, self.text())

        self.click_action("submit", expect=200)
        self.assertEqual(urlsplit(self.driver.current_url).path, f"/ui/d/{DOC}")
        self.assertEqual(self.commits(), before + 2)
        self.assertIn("На утверждении в акимате", self.text())
        self.assertNotIn("submit", self.actions(), "the submitted plan can be submitted again")
        self.shoot_langs("plan-submitted")

    def open_from_inbox(self, user):
        self.sign_in(user, lang="ru")
        self.shoot_langs(f"inbox-{user}")
        links = self.find_all(f'main a[href="/ui/d/{DOC}"]')
        self.assertTrue(links, f"{user}'s inbox does not list {DOC}: {self.text()[:800]}")
        self.submit_with(links[0], expect=200)

    def test_3_the_akimat_approves_with_its_resolution(self):
        self.open_from_inbox("approver-kz11")
        self.assertEqual(sorted(self.actions()), ["approve", "return"])
        before = self.commits()
        # The button opens the act form: the resolution's inputs, nothing written yet.
        self.click_action("approve", expect=200)
        self.assertEqual(self.commits(), before)
        self.assertTrue(self.has_field("fields.act.number") and self.has_field("fields.act.date"),
                        "the act form has no inputs for the resolution: " + self.text()[:600])
        self.check_page("ru", "act-form")
        # The signed scan goes with the act, in the same form (attached, then approved).
        for lang, words in (("kk", "Қол қойылған қаулының сканерленген көшірмесі"),
                            ("ru", "Скан подписанного постановления")):
            self.open(f"/ui/d/{DOC}/act?action=approve", lang)
            self.assertIn(words, self.text())
            self.check_page(lang, "act-form-with-scan")
        self.fill_all(kb.ACT)
        self.fill("comment", "Утверждён на заседании акимата области")
        scan = os.path.join(tempfile.mkdtemp(prefix="kenes-act-"), "Постановление акимата.pdf")
        with open(scan, "wb") as f:
            f.write(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
                    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
        self.find('input[type="file"][name="file"]').send_keys(scan)
        self.submit_form(of="fields.act.number", expect=200)
        self.assertEqual(urlsplit(self.driver.current_url).path, f"/ui/d/{DOC}")
        self.assertEqual(self.commits(), before + 2, self.text()[:600])  # attach, approve
        self.assertIn("На согласовании в министерстве", self.text())
        self.assertIn("Постановление акимата", self.text())
        self.assertIn("Постановление акимата.pdf", self.text())
        self.assertEqual(self.actions(), [], "the akimat still acts after approving")
        self.shoot_langs("plan-approved-by-akimat")

    def agree_as(self, reviewer, name):
        self.open_from_inbox(reviewer)
        before = self.commits()
        self.click_action("agree", expect=200)
        self.assertEqual(self.commits(), before + 1, self.text()[:600])
        self.check_page("ru")
        self.shoot_langs(name)

    def test_4_two_reviewers_agree(self):
        self.agree_as("reviewer", "agreed-once")
        self.assertRegex(self.text(), r"\b1 из 2\b")
        self.assertIn("На согласовании в министерстве", self.text())
        self.agree_as("reviewer2", "in-force")
        self.assertIn("Действует", self.text())
        self.assertEqual(self.actions(), [], "a plan in force still offers the reviewer actions")

    def test_5_the_plan_is_on_the_landing_page(self):
        self.sign_out()
        self.open("/", "ru")
        self.shoot_langs("landing")
        links = [a for a in self.find_all("main a") if DOC in (a.get_attribute("href") or "")]
        self.assertTrue(links, f"/ does not link {DOC}: {self.text()[:800]}")
        self.submit_with(links[0], expect=200)
        self.assertIn(NEW_TITLE, self.text(), "the public page has no measures table")
        title = kb.plan_form("Акмолинская область", PERIOD)["title"]
        self.assertEqual(self.find("main").text.count(title), 1,
                         "the public page does not show the plan's title once")
        self.shoot_langs("public-plan")

    def test_6_auditor_opens_the_history_and_a_diff(self):
        self.sign_in("auditor", lang="ru")
        self.open(f"/ui/d/{DOC}/history", "ru")
        self.shoot_langs("history")
        froms = self.find_all('input[type="radio"][name="from"]')
        tos = self.find_all('input[type="radio"][name="to"]')
        self.assertGreaterEqual(len(froms), 5, "fewer versions than the flow wrote")
        self.assertEqual(len(froms), len(tos))
        # Newest first: from the first version to the last.
        froms[-1].click()
        tos[0].click()
        self.submit_form(of="from", expect=200)
        # Side by side: the old line on the left, the new one on the right.
        old = self.driver.execute_script(_WHERE, OLD_TITLE)
        new = self.driver.execute_script(_WHERE, NEW_TITLE)
        self.assertTrue(old and new, f"the diff lacks a side: {self.text()[:1200]}")
        self.assertLess(old[0], new[0], "the old text is not left of the new one")
        self.check_page("ru")
        self.shoot_langs("diff")


# The position (x, y) of the innermost visible element holding the last occurrence of text.
_WHERE = r"""
  var text = arguments[0], best = null;
  document.querySelectorAll('main *').forEach(function (e) {
    if (e.textContent.indexOf(text) >= 0 && e.offsetParent) {
      var r = e.getBoundingClientRect(); best = [r.left, r.top];
    }
  });
  return best;"""


if __name__ == "__main__":
    kb.main(failfast=True)
