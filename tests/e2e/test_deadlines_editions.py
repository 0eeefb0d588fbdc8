"""The roster order's deadline binds the first edition only (probe 15,
finding 9; workflows/commission-roster.yaml `deadline: {order: roster-2026,
editions: first}`).  A roster put in force in time and amended in December
is not overdue against 7 February 2026: not on its page, not in the API's
answer or list (`?overdue=true`), not in the inbox, not counted late in the
national «Соблюдение срока».  A first edition still waiting in December is
overdue everywhere, as before.  The clock is fixed (KENES_NOW)."""
import unittest

from kenes_harness import Browser, ServerTest, roster_body, walk_chain
from test_amendments import fetch

IN_TIME = "2026-02-05T09:00:00Z"    # before the order's term ends (7 Feb)
DECEMBER = "2026-12-05T09:00:00Z"
DUE = "2026-02-07T00:00:00Z"
FIRST_ACT = {"number": "№ 4", "date": "2026-02-04"}
AMEND_ACT = {"number": "№ 90", "date": "2026-12-04"}


class RosterAmendmentNotOverdue(ServerTest):
    env = {"KENES_NOW": IN_TIME}

    def roster(self, rid, user="aud"):
        r = self.srv.get("/api/v1/documents/" + rid, user)
        self.assertEqual(r.status, 200, r)
        return r

    def listed(self, query):
        docs = self.srv.get("/api/v1/documents?type=commission-roster" + query, "aud")
        self.assertEqual(docs.status, 200, docs)
        return {d["id"]: d for d in docs.json["documents"]}

    def national_row(self, lang, region_name):
        r = self.srv.request("POST", "/api/v1/reports/generate", token=self.srv.token("adm"))
        self.assertEqual(r.status, 200, r)
        status, text = fetch(self.srv, "/reports/" + ("" if lang == "ru" else lang + "/") +
                             "national.md")
        self.assertEqual(status, 200)
        heading = {"ru": "## Составы комиссий", "en": "## Rosters of the commissions"}[lang]
        section = text.split(heading, 1)[1].split("\n## ", 1)[0]
        rows = [l for l in section.splitlines() if l.startswith("| " + region_name + " |")]
        self.assertEqual(len(rows), 1, text)
        return rows[0]

    def test_amendment_is_not_overdue_first_edition_is(self):
        s = self.srv
        # KZ-11 puts its roster in force in time; KZ-15 drafts one and stops.
        r = s.post("/api/v1/documents", roster_body(region="KZ-11"), "off11")
        self.assertEqual(r.status, 201, r)
        kz11 = r.json["id"]
        self.assertEqual((r.json["due"], r.json["overdue"]), (DUE, False))
        walk_chain(s, kz11, r.header("ETag"), act=FIRST_ACT)
        r = s.post("/api/v1/documents", roster_body(region="KZ-15"), "off15")
        self.assertEqual(r.status, 201, r)
        kz15 = r.json["id"]

        # December: KZ-11 amends its roster.
        self.assertEqual(s.restart_at(DECEMBER), 0)
        r = s.act(kz11, "amend", "off11", self.roster(kz11).header("ETag"),
                  comment="Новый состав после кадровых изменений")
        self.assertEqual((r.status, r.json["stage"]), (200, "draft"), r)
        self.assertIsNone(r.json["due"], r)
        self.assertFalse(r.json["overdue"], r)

        def amendment_not_due(stage):
            doc = self.roster(kz11).json
            self.assertEqual(doc["stage"], stage)
            self.assertEqual((doc["due"], doc["overdue"]), (None, False), doc)
            self.assertNotIn(kz11, self.listed("&overdue=true"))
            self.assertIn(kz11, self.listed("&overdue=false"))
            entry = self.listed("")[kz11]
            self.assertEqual((entry["due"], entry["overdue"]), (None, False), entry)
            for user in ("off11", "appr1", "rev1"):
                for item in s.get("/api/v1/inbox", user).json["items"]:
                    if item["id"] == kz11:
                        self.assertFalse(item["overdue"], (user, item))
            page = Browser(s, "ru").signed_in("off11").get("/ui/d/" + kz11).raw
            self.assertNotIn("просрочено", page)
            listing = Browser(s, "ru").signed_in("aud").get(
                "/ui/list?type=commission-roster&overdue=yes").raw
            self.assertNotIn(f'href="/ui/d/{kz11}"', listing)

        amendment_not_due("draft")
        # The official's inbox holds it (to submit), not overdue.
        self.assertIn(kz11, [i["id"] for i in s.get("/api/v1/inbox", "off11").json["items"]])

        # The first edition of KZ-15, still a draft in December, is overdue.
        doc = self.roster(kz15).json
        self.assertEqual((doc["due"], doc["overdue"]), (DUE, True), doc)
        self.assertIn(kz15, self.listed("&overdue=true"))
        off15 = {i["id"]: i for i in s.get("/api/v1/inbox", "off15").json["items"]}
        self.assertTrue(off15[kz15]["overdue"], off15)
        page = Browser(s, "ru").signed_in("off15").get("/ui/d/" + kz15).raw
        self.assertIn("просрочено", page)

        # Through the akimat and to the ministry: still owed by no date.
        r = walk_chain(s, kz11, self.roster(kz11).header("ETag"), act=AMEND_ACT,
                       until="regional-approval")
        amendment_not_due("regional-approval")
        r = s.act(kz11, "approve", "appr1", r.header("ETag"), fields={"act": AMEND_ACT})
        self.assertEqual((r.status, r.json["stage"]), (200, "ministry-agreement"), r)
        amendment_not_due("ministry-agreement")

        # The national report: KZ-11 came into force in time and stays so;
        # KZ-15 is late.
        for lang, kz11_name, kz15_name, in_time, late in (
                ("ru", "Акмолинская область", "Актюбинская область", "в срок", "просрочен"),
                ("en", "Akmola Region", "Aktobe Region", "in time", "late")):
            row = self.national_row(lang, kz11_name)
            self.assertIn(in_time, row)
            self.assertNotIn(late, row)
            self.assertIn(late, self.national_row(lang, kz15_name))

        # Agreed: in force again, no deadline, still in time.
        for reviewer in ("rev1", "rev2"):
            r = s.act(kz11, "agree", reviewer, r.header("ETag"))
            self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["stage"], r.json["due"], r.json["overdue"]),
                         ("in-force", None, False))
        self.assertIn("в срок", self.national_row("ru", "Акмолинская область"))


if __name__ == "__main__":
    unittest.main()
