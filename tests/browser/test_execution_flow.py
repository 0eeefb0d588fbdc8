"""Plan execution through the web (issue 15): the official of KZ-11 fills an
execution report of the region's plan in force through the form — the plan
chosen in a select, each row's measure chosen among that plan's measures by
number and title — saves it, sees a refusal in Russian and Kazakh beside the
row (a measure not done needs a reason) and submits it; a ministry reviewer
accepts it, and its page shows the rows with their labels.  The form and
the accepted report's page are checked and screenshotted in ru and kk."""
from urllib.parse import urlsplit

import kenes_browser as kb
import kenes_harness as kh

DOC = "execution/KZ-11/2026-h1"


class ExecutionFlow(kb.BrowserTest):
    demo = False
    users = kh.USERS
    env = {"KENES_NOW": "2026-07-10T09:00:00Z"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        measures = [kh.plan_measure(d, t, q, a) for d, t, q, a in kb.PLAN_MEASURES]
        for q, m in enumerate(measures):
            m["deadline"] = f"2026-Q{q + 1}"
        measures[0]["concept_item"] = "1.1"
        cls.plan = kh.in_force_plan(cls.srv, "KZ-11", measures=measures)

    def open_form(self, lang):
        """The new report's form with the plan chosen and two rows: the rows'
        measures are then a select of the plan's measures."""
        self.open("/ui/new/plan-execution", lang)
        self.fill("title", "Исполнение плана за I полугодие 2026 года")
        self.fill("fields.plan", self.plan)
        self.fill("fields.year", "2026")
        self.fill("fields.half", "1")
        self.press("_add", "fields.rows")  # a new form has one row: now two
        measure = self.field("fields.rows[0].measure")
        self.assertEqual(measure.tag_name.lower(), "select", "the measure is no select of the plan's")
        options = [o.text for o in measure.find_elements("css selector", "option")]
        self.assertIn("1. " + kb.PLAN_MEASURES[0][1], options)
        self.assertIn("3. " + kb.PLAN_MEASURES[2][1], options)

    def test_1_official_fills_and_submits(self):
        self.sign_in("off11", lang="ru")
        before = self.commits()
        for lang in ("kk", "ru"):
            self.open_form(lang)
            self.check_page(lang, "execution-form")
            # A measure not done, without its reason: refused beside the row.
            self.fill_all({"fields.rows[0].measure": "1", "fields.rows[0].actual": "85",
                           "fields.rows[0].spent_kzt": "9800000",
                           "fields.rows[0].status": "done",
                           "fields.rows[1].measure": "3", "fields.rows[1].actual": "10",
                           "fields.rows[1].spent_kzt": "0",
                           "fields.rows[1].status": "not-done"})
            page = self.submit_form(of="fields.plan")
            self.assertEqual(page.status, 422, self.text()[:600])
            self.assertIn("fields.rows[1].reason", self.invalid_fields())
            alerts = " ".join(self.alerts())
            self.assertRegex(alerts, kb.CYRILLIC_WORD)
            self.assertIsNone(kb.LATIN_WORD.search(alerts), f"the {lang} error: {alerts}")
            self.check_page(lang, "execution-form-error")
            self.assertEqual(self.commits(), before, "a refused form wrote something")
        self.fill("fields.rows[1].reason", "Финансирование не выделено")
        page = self.submit_form(of="fields.plan", expect=200)
        self.assertEqual(urlsplit(page.url).path, f"/ui/d/{DOC}")
        self.assertEqual(self.commits(), before + 1)
        self.click_action("submit", expect=200)
        self.assertIn("На рассмотрении в министерстве", self.text())

    def test_2_reviewer_accepts(self):
        self.sign_in("rev1", lang="ru")
        self.open(f"/ui/d/{DOC}", "ru")
        self.click_action("accept", expect=200)
        text = self.text()
        self.assertIn("Принят", text)
        self.assertIn("Не выполнено", text)
        self.assertIn("Финансирование не выделено", text)
        self.shoot_langs("execution-accepted")
        self.open(f"/ui/d/{DOC}", "kk")
        self.assertIn("Қабылданды", self.text())
        self.assertIn("Орындалмады", self.text())


if __name__ == "__main__":
    kb.main(failfast=True)
