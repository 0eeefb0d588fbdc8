"""Must show (issue 15): the akimat's approver signs in, finds the region's
roster and plan awaiting the akimat in the inbox, approves the roster with
the resolution in the act form (refused first without it, in Kazakh, nothing
written), and returns the plan to the official with a comment.  Another
region's documents offer the approver nothing.  Every page in Russian and
Kazakh, checked and screenshotted."""
from urllib.parse import urlsplit

import kenes_browser as kb

ROSTER = "roster/KZ-71/2026-03"   # the demo's March update of Astana's roster, at the akimat
PLAN = "plan/KZ-71/2026"          # the demo's plan of Astana, sent back to the akimat
APPROVER = "approver-kz71"
ACT = {"fields.act.number": "№ 117", "fields.act.date": "2026-03-20"}


class ApproverFlow(kb.BrowserTest):
    """The steps run in order on one server (demo data: its logins)."""

    def test_1_the_inbox_holds_what_awaits_the_akimat(self):
        self.sign_in(APPROVER, lang="kk")
        for doc in (ROSTER, PLAN):
            self.assertTrue(self.find_all(f'main a[href="/ui/d/{doc}"]'),
                            f"the approver's inbox does not list {doc}: {self.text()[:800]}")
        self.shoot_langs("inbox-approver", langs=("kk", "ru"))

    def test_2_the_act_form_refuses_an_approval_without_the_resolution(self):
        self.open(f"/ui/d/{ROSTER}", "kk")
        self.assertIn("Әкімдікте бекітуде", self.text())
        self.assertEqual(sorted(self.actions()), ["approve", "return"])
        self.shoot_langs("roster-at-akimat", langs=("kk", "ru"))
        self.open(f"/ui/d/{ROSTER}", "kk")
        before = self.commits()
        self.click_action("approve", expect=200)
        self.assertEqual(self.commits(), before, "the approve button wrote before the act form")
        for name in ACT:
            self.assertTrue(self.has_field(name), f"the act form has no input {name}")
        self.assertIn("Әкімдік қаулысы", self.text())
        self.check_page("kk", "act-form")
        # Sent without the resolution: the form again, why in Kazakh, nothing written.
        page = self.submit_form(of="fields.act.number", expect=422)
        self.assertEqual(urlsplit(page.url).path, f"/ui/d/{ROSTER}/act")
        alerts = self.alerts()
        self.assertTrue(alerts, "no role=alert saying why")
        self.assertRegex(" ".join(alerts), kb.CYRILLIC_WORD)
        self.assertIsNone(kb.LATIN_WORD.search(" ".join(alerts)), alerts)
        self.assertTrue(self.has_field("fields.act.number"), "the refusal lost the act form")
        self.check_page("kk", "act-form-refused")
        self.assertEqual(self.commits(), before)
        # A date that is no date: beside its input.
        self.fill("fields.act.number", ACT["fields.act.number"])
        self.driver.execute_script(
            "document.querySelector('[name=\"fields.act.date\"]').type = 'text';")
        self.fill("fields.act.date", "20 наурыз")
        self.submit_form(of="fields.act.number", expect=422)
        self.assertIn("fields.act.date", self.invalid_fields())
        self.assertEqual(self.field("fields.act.number").get_attribute("value"),
                         ACT["fields.act.number"], "the form did not keep what was typed")
        self.check_page("kk", "act-form-bad-date")
        self.assertEqual(self.commits(), before)

    def test_3_approved_with_the_resolution(self):
        before = self.commits()
        self.fill_all(ACT)
        self.fill("comment", "Әкімдік отырысында бекітілді")
        self.submit_form(of="fields.act.number", expect=200)
        self.assertEqual(urlsplit(self.driver.current_url).path, f"/ui/d/{ROSTER}")
        self.assertEqual(self.commits(), before + 1, self.text()[:600])
        text = self.text()
        self.assertIn("Министрлікте келісуде", text)
        self.assertIn("№ 117", text)
        self.assertEqual(self.actions(), [], "the akimat still acts after approving")
        self.shoot_langs("roster-approved-by-akimat", langs=("kk", "ru"))

    def test_4_the_plan_goes_back_with_a_comment(self):
        self.open(f"/ui/d/{PLAN}", "ru")
        self.assertIn("На утверждении в акимате", self.text())
        before = self.commits()
        self.click_action("return", "", expect=422)
        self.assertEqual(self.commits(), before, "a return without a comment wrote")
        self.check_page("ru", "plan-return-refused")
        self.click_action("return", "Уточните целевые показатели по направлению «Здоровье».",
                          expect=200)
        self.assertEqual(self.commits(), before + 1)
        self.assertIn("Черновик", self.text())
        self.assertEqual(self.actions(), [])
        self.shoot_langs("plan-returned-by-akimat")

    def test_5_another_regions_documents_offer_nothing(self):
        for doc in ("plan/KZ-11/2026", "roster/KZ-75/2026-03"):
            self.open(f"/ui/d/{doc}", "ru")
            self.assertEqual(self.actions(), [], f"{APPROVER} may act on {doc}")
            self.assertEqual(self.open(f"/ui/d/{doc}/act?action=approve", "ru",
                                       expect=None).status, 200)
            self.assertEqual(urlsplit(self.driver.current_url).path, f"/ui/d/{doc}",
                             "another region's act form is offered")


if __name__ == "__main__":
    kb.main(failfast=True)
