"""Plan execution reports against an amended plan (issue 15, fix round,
probe finding 1), and the bounds on money and values (finding 2).

A report's rows name measures by their number in the plan in force.  When
an amendment that removes or reorders measures is agreed, a report written
against the earlier version must not land its figures on other measures:
`submit` and `accept` are refused (plan_changed) until the official has
checked the rows against the plan in force and saved the report again, and
the published reports do not read a report accepted under an earlier
version against the version in force.

Every refusal writes nothing: documents.git's commit count stays."""
import unittest

from kenes_harness import (Browser, DocumentsRefusals, ServerTest, commit_count, git, in_force_plan,
                           plan_body, plan_measure, run_cli, walk_chain)

TENGE_MAX = 10 ** 13


def measures():
    """Five measures (each direction keeps one when the first goes); the
    second and fourth with money, the fourth counting families (no
    percentage)."""
    ms = [plan_measure("safety", "Рейды инспекторов по делам несовершеннолетних", "2026-Q4"),
          plan_measure("education", "Службы примирения в школах", "2026-09-01", 12500000),
          plan_measure("health", "Приём психолога для подростков", "2026-Q4", 4000000),
          plan_measure("family-social-protection", "Сопровождение семей", "2026-Q4", 7500000),
          plan_measure("safety", "Уроки онлайн-безопасности", "2026-Q3")]
    ms[3]["indicator"] = "Семьи на социальном сопровождении, число семей"
    ms[3]["baseline"], ms[3]["target"] = 260, 364
    return ms


def report(plan_id, half, rows):
    return {"type": "plan-execution", "region": "KZ-11",
            "title": f"Исполнение плана за {half} полугодие 2026 года",
            "body": "# Пояснительная записка\n\nЧто сделано.\n",
            "fields": {"plan": plan_id, "year": 2026, "half": half, "rows": rows}}


def row(measure, actual, spent, status="done", reason=None):
    r = {"measure": measure, "actual": actual, "spent_kzt": spent, "status": status}
    if reason:
        r["reason"] = reason
    return r


class AmendedPlan(DocumentsRefusals, ServerTest):
    reports = True
    env = {"KENES_NOW": "2026-12-05T09:00:00Z"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = in_force_plan(cls.srv, "KZ-11", measures=measures())

    def region_md(self):
        r = self.srv.request("POST", "/api/v1/reports/generate", token=self.srv.token("adm"))
        self.assertEqual(r.status, 200, r)
        return git(self.srv.docs_git, "show", "main:reports/regions/KZ-11.md").replace("\\", "")

    def public_page(self, doc_id):
        r = self.srv.request("GET", f"/public/{doc_id}?lang=ru")
        self.assertEqual(r.status, 200, r)
        return r.raw

    def moved(self, r, stage):
        self.assertEqual((r.status, r.json.get("stage")), (200, stage), r)
        self.before = commit_count(self.srv.docs_git)
        return r.header("ETag")

    def test_1_amendment_removing_a_measure(self):
        s = self.srv
        # The first half, accepted against the plan as first agreed: the
        # mediation services are measure 2 then.
        r = s.post("/api/v1/documents", report(self.plan, "1", [
            row(2, 64, 7800000, "in-progress", "Открыты в 64% школ"),
            row(4, 281, 3600000, "in-progress", "Сопровождение продолжается")]), "off11")
        self.assertEqual(r.status, 201, r)
        h1 = r.json["id"]
        etag = self.moved(s.act(h1, "submit", "off11", r.header("ETag")), "submitted")
        self.moved(s.act(h1, "accept", "rev1", etag), "accepted")
        md = self.region_md()
        self.assertIn("| 2 | Службы примирения в школах |", md)
        self.assertIn("7 800 000 ₸", md.replace("\u00a0", " "))
        self.assertIn("2. Службы примирения в школах", self.public_page(h1))

        # The second half, drafted against the same version.
        r = s.post("/api/v1/documents", report(self.plan, "2", [
            row(2, 100, 12500000), row(4, 330, 7400000, "in-progress", "До конца года")]), "off11")
        self.assertEqual(r.status, 201, r)
        h2, etag_h2 = r.json["id"], r.header("ETag")

        # The official amends the plan: measure 1 is removed, so the
        # mediation services become measure 1 and the families measure 3.
        plan = s.get("/api/v1/documents/" + self.plan, "off11")
        r = s.act(self.plan, "amend", "off11", plan.header("ETag"),
                  comment="Рейды передаются в план полиции")
        self.assertEqual((r.status, r.json["stage"]), (200, "draft"), r)
        doc = s.get("/api/v1/documents/" + self.plan, "off11").json
        fields = doc["fields"]
        del fields["measures"][0]
        r = s.put("/api/v1/documents/" + self.plan,
                  {"title": doc["title"], "body": doc["body"], "fields": fields}, "off11",
                  r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        plan_etag = r.header("ETag")

        # While the amendment is drafted the version in force stands: the
        # second half is submitted against it, as it was written.
        etag_h2 = self.moved(s.act(h2, "submit", "off11", etag_h2), "submitted")

        # The amendment is agreed: the plan in force has three measures.
        walk_chain(s, self.plan, plan_etag)
        self.before = commit_count(s.docs_git)

        # accept is refused: the rows number the earlier version's measures.
        # (A guard's refusal: 422, code "guard", its own code on the path "".)
        r = s.act(h2, "accept", "rev1", etag_h2)
        self.assertRefused(r, 422, "plan_changed", "")
        self.assertEqual(r.json["error"]["code"], "guard")
        self.assertEqual(s.get("/api/v1/documents/" + h2, "rev1").json["stage"], "submitted")

        # The published reports do not read the first half against the new
        # numbering: its figures (measure 2 then) would fall on the
        # psychologist measure, now number 2.
        md = self.region_md()
        self.before = commit_count(s.docs_git)
        self.assertIn("составлен по прежней редакции плана", md)
        self.assertNotIn("7 800 000", md.replace("\u00a0", " "))
        self.assertIn("| 1 | Службы примирения в школах |", md)
        self.assertIn("| 2 | Приём психолога для подростков |", md)
        # Nor do its pages: its rows keep their bare numbers, not the titles
        # the new numbering gives them.
        page = self.public_page(h1)
        for title in ("Службы примирения", "Приём психолога", "Уроки онлайн-безопасности"):
            self.assertNotIn(title, page)
        r = Browser(s, lang="ru").signed_in("rev1").get("/ui/d/" + h1)
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("Приём психолога", r.raw)

        # The reviewer returns it; submitting it again unchanged is refused too.
        etag_h2 = self.moved(s.act(h2, "return", "rev1", etag_h2,
                                   comment="План изменён: сверьте номера мер"), "draft")
        self.assertRefused(s.act(h2, "submit", "off11", etag_h2), 422, "plan_changed", "")

        # The official renumbers the rows against the plan in force and saves.
        body = report(self.plan, "2", [row(1, 100, 12500000),
                                       row(3, 330, 7400000, "in-progress", "До конца года")])
        del body["type"], body["region"]
        r = s.put("/api/v1/documents/" + h2, body, "off11", etag_h2)
        self.assertEqual(r.status, 200, r)
        etag_h2 = self.moved(s.act(h2, "submit", "off11", r.header("ETag")), "submitted")
        self.moved(s.act(h2, "accept", "rev1", etag_h2), "accepted")

        # The figures sit on the right measures.
        md = self.region_md().replace("\u00a0", " ")
        self.assertIn("По отчёту об исполнении за II полугодие 2026 года", md)
        self.assertNotIn("прежней редакции", md)
        mediation = next(l for l in md.splitlines() if "Службы примирения" in l)
        self.assertIn("| 100 |", mediation)
        self.assertIn("12 500 000 ₸ | 12 500 000 ₸ | Выполнено", mediation)
        psychologist = next(l for l in md.splitlines() if "Приём психолога" in l)
        self.assertNotIn("12 500 000", psychologist)
        self.assertIn("нет данных", psychologist)
        families = next(l for l in md.splitlines() if "Сопровождение семей" in l)
        self.assertIn("| 330 |", families)
        self.assertIn("7 400 000 ₸ | В работе", families)
        self.assertIn("1. Службы примирения в школах", self.public_page(h2))

    # ---- finding 2: bounds, 422 with the path and code, nothing written ----

    def refused_row(self, rw, code, key):
        r = self.srv.post("/api/v1/documents", report(self.plan, "1", [rw]), "off11")
        self.assertRefused(r, 422, code, "fields.rows[0]." + key)

    def test_2_spent_bounded(self):
        self.refused_row(row(1, 10, TENGE_MAX + 1), "amount_too_big", "spent_kzt")
        self.refused_row(row(1, 10, 9223372036854775807), "amount_too_big", "spent_kzt")
        self.refused_row(row(1, 10, -1), "not_amount", "spent_kzt")

    def test_2_actual_bounded(self):
        # Measure 1 of the plan in force is a percentage (its indicator says %).
        self.refused_row(row(1, -5, 0), "percent_out_of_range", "actual")
        self.refused_row(row(1, 100.5, 0), "percent_out_of_range", "actual")
        self.refused_row(row(1, 1e308, 0), "percent_out_of_range", "actual")
        # The families measure counts families: not a percentage, but bounded.
        families = next(i + 1 for i, m in enumerate(self.measures_in_force())
                        if m["title"] == "Сопровождение семей")
        self.refused_row(row(families, 2e9, 0), "actual_out_of_range", "actual")
        self.refused_row(row(families, -1, 0), "actual_out_of_range", "actual")

    def test_2_plan_amount_bounded(self):
        body = plan_body(region="KZ-11", period=2029)
        body["fields"]["measures"][0]["funding"] = {"source": "местный бюджет",
                                                    "amount_kzt": TENGE_MAX + 1}
        self.assertRefused(self.srv.post("/api/v1/documents", body, "off11"), 422,
                           "amount_too_big", "fields.measures[0].funding.amount_kzt")
        body["fields"]["measures"][0]["funding"]["amount_kzt"] = 9223372036854775807
        self.assertRefused(self.srv.post("/api/v1/documents", body, "off11"), 422,
                           "amount_too_big", "fields.measures[0].funding.amount_kzt")

    def test_9_history_verifies(self):
        """The histories written so (reports bound, refused, resubmitted)
        pass `kenes verify`.  Last: it stops the server."""
        self.assertEqual(self.srv.stop(), 0)
        code, out, err = run_cli("verify", "--data", self.srv.data)
        self.assertEqual(code, 0, out + err)
        self.assertIn(" 0 faults", out + err)

    def measures_in_force(self):
        doc = self.srv.get("/api/v1/documents/" + self.plan, "aud").json
        return doc["fields"]["measures"]


if __name__ == "__main__":
    unittest.main()
