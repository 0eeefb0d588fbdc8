"""Plan execution reports and the national concept (issue 15): the region's
official reports, half a year at a time, what was done of the plan in force
(per measure the indicator's actual value, tenge spent, done / in progress /
not done with a reason), submits it to the ministry, and a reviewer accepts
it or returns it with a comment.  The accepted report reaches the national
and regional reports in ru, kk and en, with the concept's coverage (per item,
the regions whose plan in force has a measure naming it).

Every refusal says why (403, 409 or 422 with the path and code) and writes
nothing: documents.git's commit count stays as it was."""
import unittest

from kenes_harness import (Browser, DocumentsRefusals, ServerTest, commit_count, git,
                           in_force_plan, plan_body, plan_measure)

LANGS = {"ru": "", "kk": "kk/", "en": "en/"}


def measures_with_concept():
    """Five measures, four naming an item of the concept."""
    ms = [plan_measure("safety", "Службы примирения в школах", "2026-Q2", 12500000),
          plan_measure("education", "Обучение педагогов профилактике буллинга", "2026-09-01"),
          plan_measure("health", "Школьные психологи: супервизия", "2026-Q3", 4000000),
          plan_measure("family-social-protection", "Сопровождение семей в трудной ситуации",
                       "2026-Q4", 2000000),
          plan_measure("safety", "Профилактика онлайн-мошенничества среди подростков", "2026-Q3")]
    for m, item in zip(ms, ("1.1", "2.2", "3.1", "4.1", None)):
        if item:
            m["concept_item"] = item
    return ms


def execution_body(plan_id, region="KZ-11", year=2026, half="1", rows=None):
    return {
        "type": "plan-execution",
        "region": region,
        "title": f"Исполнение плана {region} за {half} полугодие {year} года",
        "body": "# Пояснительная записка\n\nЧто сделано и почему.\n",
        "fields": {
            "plan": plan_id,
            "year": year,
            "half": half,
            "rows": rows if rows is not None else [
                {"measure": 1, "actual": 85.5, "spent_kzt": 9800000, "status": "done"},
                {"measure": 3, "actual": 60, "spent_kzt": 1500000, "status": "in-progress",
                 "reason": "Психологи набраны в половину школ, остальные — к сентябрю"},
                {"measure": 4, "actual": 10, "spent_kzt": 0, "status": "not-done",
                 "reason": "Финансирование не выделено"},
            ],
        },
    }


class Execution(DocumentsRefusals, ServerTest):
    reports = True
    env = {"KENES_NOW": "2026-07-10T09:00:00Z"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        cls.plan11 = in_force_plan(s, "KZ-11", measures=measures_with_concept())
        cls.plan15 = in_force_plan(s, "KZ-15")
        # A plan of KZ-11 for 2027 still in draft: not in force.
        r = s.post("/api/v1/documents", plan_body(region="KZ-11", period=2027), "off11")
        assert r.status == 201, r
        cls.draft_plan = r.json["id"]

    def created(self, body, user="off11"):
        r = self.srv.post("/api/v1/documents", body, user)
        self.assertEqual(r.status, 201, r)
        self.before = commit_count(self.srv.docs_git)
        return r.json["id"], r.header("ETag")

    def step(self, r, stage):
        self.assertEqual((r.status, r.json["stage"]), (200, stage), r)
        self.before = commit_count(self.srv.docs_git)
        return r.header("ETag")

    def md(self, lang, name):
        return git(self.srv.docs_git, "show", f"main:reports/{LANGS[lang]}{name}.md")

    # ---- the life: created, submitted, accepted, in the reports ------------

    def test_life_reaches_the_reports(self):
        s = self.srv
        doc_id, etag = self.created(execution_body(self.plan11))
        self.assertEqual(doc_id, "execution/KZ-11/2026-h1")
        doc = s.get("/api/v1/documents/" + doc_id, "off11").json
        self.assertEqual((doc["type"], doc["stage"], doc["region"]),
                         ("plan-execution", "draft", "KZ-11"))
        self.assertEqual(s.request("GET", "/public/" + doc_id).status, 404)

        # Who may not move it: a reviewer cannot submit, nor accept a draft;
        # another region's official cannot submit; the official cannot accept.
        self.assertRefused(s.act(doc_id, "submit", "rev1", etag), 403)
        self.assertRefused(s.act(doc_id, "submit", "off15", etag), 403)
        self.assertRefused(s.act(doc_id, "submit", "appr1", etag), 403)
        r = s.act(doc_id, "accept", "rev1", etag)
        self.assertIn(r.status, (403, 409), r)
        self.assertRefused(r, r.status)
        etag = self.step(s.act(doc_id, "submit", "off11", etag), "submitted")
        self.assertRefused(s.act(doc_id, "accept", "off11", etag), 403)
        self.assertRefused(s.act(doc_id, "accept", "appr1", etag), 403)
        # A return says why.
        self.assertRefused(s.act(doc_id, "return", "rev1", etag), 422)
        etag = self.step(s.act(doc_id, "return", "rev1", etag, comment="Уточните сумму по мере 3"),
                         "draft")
        # Reworked and sent again, then accepted.
        body = execution_body(self.plan11)
        body["fields"]["rows"][1]["spent_kzt"] = 1600000
        del body["type"], body["region"]  # an edit names neither
        r = s.put("/api/v1/documents/" + doc_id, body, "off11", etag)
        self.assertEqual(r.status, 200, r)
        etag = self.step(s.act(doc_id, "submit", "off11", r.header("ETag")), "submitted")
        etag = self.step(s.act(doc_id, "accept", "rev2", etag), "accepted")
        public = s.request("GET", "/public/" + doc_id)
        self.assertEqual(public.status, 200)
        # Each row's measure reads with its title, on the public page and the
        # signed-in one, in the reader's language around it.
        self.assertIn("1. Службы примирения в школах", public.raw)
        self.assertIn("Не выполнено", public.raw)
        page = Browser(s, "kk").signed_in("off11").get("/ui/d/" + doc_id).raw
        self.assertIn("3. Школьные психологи: супервизия", page)
        self.assertIn("Орындалмады", page)
        # Nothing moves an accepted report further, nor edits it.
        self.assertRefused(s.put("/api/v1/documents/" + doc_id, body, "off11", etag), 409)

        r = s.request("POST", "/api/v1/reports/generate", token=s.token("adm"))
        self.assertEqual(r.status, 200, r)

        # The region's report: per measure target vs actual, planned vs spent, status.
        ru = self.md("ru", "regions/KZ-11").replace("\\", "")
        self.assertIn("## Исполнение регионального плана", ru)
        self.assertIn("По отчёту об исполнении за I полугодие 2026 года, принятому министерством.",
                      ru)
        self.assertIn("| 1 | Службы примирения в школах | Доля школ, охваченных мерой, % | 90 "
                      "| 85,5 | 12\u00a0500\u00a0000 ₸ | 9\u00a0800\u00a0000 ₸ | Выполнено |", ru)
        self.assertIn("| 3 | Школьные психологи: супервизия | Доля школ, охваченных мерой, % | 90 "
                      "| 60 | 4\u00a0000\u00a0000 ₸ | 1\u00a0600\u00a0000 ₸ | В работе: Психологи "
                      "набраны в половину школ, остальные — к сентябрю |", ru)
        self.assertIn("| Не выполнено: Финансирование не выделено |", ru)
        self.assertIn("| 5 | Профилактика онлайн-мошенничества среди подростков", ru)
        self.assertIn("| — | нет данных |", ru)
        kk = self.md("kk", "regions/KZ-11").replace("\\", "")
        self.assertIn("## Өңірлік жоспардың орындалуы", kk)
        self.assertIn("| 85,5 | 12\u00a0500\u00a0000 ₸ | 9\u00a0800\u00a0000 ₸ | Орындалды |", kk)
        self.assertIn("| Орындалмады: Финансирование не выделено |", kk)
        en = self.md("en", "regions/KZ-11").replace("\\", "")
        self.assertIn("From the execution report for the first half of 2026, accepted by the "
                      "ministry.", en)
        self.assertIn("| 85.5 | 12\u00a0500\u00a0000 ₸ | 9\u00a0800\u00a0000 ₸ | Done |", en)

        # The national report: per direction, and the concept's coverage.
        ru = self.md("ru", "national").replace("\\", "")
        self.assertIn("Регионов с действующим планом: 2; из них с принятым отчётом об исполнении: 1.",
                      ru)
        # KZ-11: safety 2 measures (1 done, 1 not reported); KZ-15: 1 safety measure.
        self.assertIn("| Безопасность | 3 | 1 | 0 | 0 | 2 | 25\u00a0000\u00a0000 ₸ "
                      "| 9\u00a0800\u00a0000 ₸ |", ru)
        self.assertIn("| Здоровье | 2 | 0 | 1 | 0 | 1 | 8\u00a0000\u00a0000 ₸ "
                      "| 1\u00a0600\u00a0000 ₸ |", ru)
        self.assertIn("### Охват пунктов Концепции «Дети Казахстана»", ru)
        self.assertIn("| 1.1 Профилактика буллинга и насилия в организациях образования "
                      "| Безопасность | 1 |", ru)
        self.assertIn("| 1.2 Профилактика правонарушений среди несовершеннолетних "
                      "| Безопасность | 0 |", ru)
        self.assertIn("Пунктов, по которым нет ни одной меры: 12 из 16.", ru)
        kk = self.md("kk", "national").replace("\\", "")
        self.assertIn("## Өңірлік жоспарлардың орындалуы", kk)
        self.assertIn("| Қауіпсіздік | 3 | 1 | 0 | 0 | 2 |", kk)
        self.assertIn("| 1.1 Білім беру ұйымдарында буллинг пен зорлық-зомбылықтың алдын алу "
                      "| Қауіпсіздік | 1 |", kk)
        en = self.md("en", "national").replace("\\", "")
        self.assertIn("| Safety | 3 | 1 | 0 | 0 | 2 |", en)
        self.assertIn("| 1.1 Preventing bullying and violence in schools | Safety | 1 |", en)
        # No Latin code on a Russian or Kazakh page.
        for text in (self.md("ru", "national"), self.md("kk", "national")):
            for code in ("in-progress", "not-done", "family-social-protection", "plan/KZ"):
                self.assertNotIn(code, text)

    # ---- a plan amended while its version in force stays ------------------

    def test_amended_plan_numbers_stay_those_in_force(self):
        """While KZ-15's plan is amended (a fifth measure drafted), its version
        in force is the plan a report is about: measure 5 is not in it yet,
        measure 4 is, and the plan still counts as in force."""
        s = self.srv
        plan = s.get("/api/v1/documents/" + self.plan15, "off15")
        r = s.act(self.plan15, "amend", "off15", plan.header("ETag"),
                  comment="Добавляем меру по онлайн-рискам")
        self.assertEqual((r.status, r.json["stage"]), (200, "draft"), r)
        doc = s.get("/api/v1/documents/" + self.plan15, "off15").json
        fields = doc["fields"]
        fields["measures"].append(plan_measure("safety", "Профилактика онлайн-рисков", "2026-Q4"))
        r = s.put("/api/v1/documents/" + self.plan15,
                  {"title": doc["title"], "body": doc["body"], "fields": fields}, "off15",
                  r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.before = commit_count(s.docs_git)
        rows = [{"measure": 5, "actual": 1, "spent_kzt": 0, "status": "done"}]
        body = execution_body(self.plan15, region="KZ-15", rows=rows)
        self.assertRefused(s.post("/api/v1/documents", body, "off15"), 422,
                           "measure_not_in_plan", "fields.rows[0].measure")
        rows[0]["measure"] = 4
        self.created(execution_body(self.plan15, region="KZ-15", rows=rows), "off15")

    # ---- bad input: 422 with the path and code, nothing written ----------

    def test_plan_not_in_force(self):
        body = execution_body(self.draft_plan, year=2027)
        self.assertRefused(self.srv.post("/api/v1/documents", body, "off11"), 422,
                           "plan_not_in_force", "fields.plan")
        body = execution_body("plan/KZ-11/2030")
        self.assertRefused(self.srv.post("/api/v1/documents", body, "off11"), 422,
                           "plan_not_in_force", "fields.plan")

    def test_another_regions_plan(self):
        self.assertRefused(self.srv.post("/api/v1/documents", execution_body(self.plan15), "off11"),
                           422, "plan_other_region", "fields.plan")
        # ... nor may an official report for another region at all.
        body = execution_body(self.plan15, region="KZ-15")
        self.assertRefused(self.srv.post("/api/v1/documents", body, "off11"), 403)

    def test_another_year(self):
        body = execution_body(self.plan11, year=2027)
        self.assertRefused(self.srv.post("/api/v1/documents", body, "off11"), 422,
                           "plan_other_year", "fields.plan")

    def test_measure_not_in_plan(self):
        body = execution_body(self.plan11, rows=[
            {"measure": 6, "actual": 1, "spent_kzt": 0, "status": "done"}])
        self.assertRefused(self.srv.post("/api/v1/documents", body, "off11"), 422,
                           "measure_not_in_plan", "fields.rows[0].measure")

    def test_measure_twice(self):
        body = execution_body(self.plan11, rows=[
            {"measure": 2, "actual": 1, "spent_kzt": 0, "status": "done"},
            {"measure": 2, "actual": 2, "spent_kzt": 0, "status": "done"}])
        self.assertRefused(self.srv.post("/api/v1/documents", body, "off11"), 422,
                           "measure_twice", "fields.rows[1].measure")

    def test_not_done_without_reason(self):
        body = execution_body(self.plan11, rows=[
            {"measure": 2, "actual": 0, "spent_kzt": 0, "status": "not-done"},
            {"measure": 3, "actual": 5, "spent_kzt": 0, "status": "in-progress", "reason": "  "}])
        r = self.srv.post("/api/v1/documents", body, "off11")
        self.assertRefused(r, 422, "reason_required", "fields.rows[0].reason")
        self.assertRefused(r, 422, "reason_required", "fields.rows[1].reason")

    def test_edit_to_a_bad_report_refused(self):
        doc_id, etag = self.created(execution_body(self.plan11, half="2"))
        body = execution_body(self.plan11, half="2", rows=[
            {"measure": 9, "actual": 1, "spent_kzt": 0, "status": "done"}])
        del body["type"], body["region"]
        self.assertRefused(self.srv.put("/api/v1/documents/" + doc_id, body, "off11", etag), 422,
                           "measure_not_in_plan", "fields.rows[0].measure")

    def test_concept_item_unknown(self):
        body = plan_body(region="KZ-11", period=2028)
        body["fields"]["measures"][0]["concept_item"] = "9.9"
        self.assertRefused(self.srv.post("/api/v1/documents", body, "off11"), 422,
                           "concept_item_unknown", "fields.measures[0].concept_item")

    # ---- the web form ----------------------------------------------------

    def test_web_form(self):
        b = Browser(self.srv).signed_in("off11")
        r = b.get("/ui/new/plan-execution")
        self.assertEqual(r.status, 200, r)
        page = r.raw
        self.assertIn("Отчёт об исполнении плана", page)
        self.assertIn('name="fields.plan"', page)
        self.assertIn('name="fields.rows[0].measure"', page)
        self.assertIn("I полугодие", page)
        self.assertIn("Не выполнено", page)
        # The plan's measures offered with their numbers once the plan is chosen.
        # The concept's items offered in the plan's form, with their titles.
        r = b.get("/ui/new/regional-plan?lang=kk")
        self.assertEqual(r.status, 200, r)
        self.assertIn("Білім беру ұйымдарында буллинг пен зорлық-зомбылықтың алдын алу", r.raw)


if __name__ == "__main__":
    unittest.main()
