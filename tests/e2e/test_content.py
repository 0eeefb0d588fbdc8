"""The content a new installation starts with: regions and templates."""
import unittest

from kenes_harness import ServerTest


class Content(ServerTest):
    def test_regions(self):
        r = self.srv.get("/api/v1/regions", "off11")
        self.assertEqual(r.status, 200, r)
        regions = {x["code"]: x for x in r.json["regions"]}
        self.assertEqual(len(regions), 20)
        self.assertEqual(regions["KZ-11"]["ru"], "Акмолинская область")
        self.assertEqual(regions["KZ-11"]["kk"], "Ақмола облысы")
        self.assertEqual(regions["KZ-79"]["en"], "Shymkent")

    def test_templates_in_three_languages(self):
        s = self.srv
        for t in ("regional-plan", "commission-roster", "case-review"):
            bodies = set()
            for lang in ("ru", "kk", "en"):
                r = s.get(f"/api/v1/templates/{t}?lang={lang}", "off11")
                self.assertEqual(r.status, 200, (t, lang, r))
                self.assertEqual((r.json["type"], r.json["lang"]), (t, lang))
                self.assertTrue(r.json["body"].startswith("#"), r.json["body"][:40])
                bodies.add(r.json["body"])
                # A new document's prefilled text names its fields as the form
                # does, in words: no "fields.measures" on a Russian form.
                self.assertNotRegex(r.json["body"], r"fields\.|`", (t, lang))
            self.assertEqual(len(bodies), 3, t)
        plan_kk = s.get("/api/v1/templates/regional-plan?lang=kk", "off11").json["body"]
        self.assertIn("Қауіпсіздік", plan_kk)
        self.assertEqual(s.get("/api/v1/templates/regional-plan", "off11").json["lang"], "ru")
        self.assertEqual(s.get("/api/v1/templates/regional-plan?lang=de", "off11").status, 400)
        self.assertEqual(s.get("/api/v1/templates/no-such-type?lang=ru", "off11").status, 404)
        self.assertEqual(s.request("GET", "/api/v1/templates/regional-plan").status, 401)


if __name__ == "__main__":
    unittest.main()
