"""Must show (issue 15): a plan in force amended; its history page groups the
versions under the original text and «Изменения № 1» with when each is in
force, and the plan's page says the version in force stays public, with a
link to it.  In Russian and Kazakh, checked and screenshotted."""
import kenes_browser as kb
import kenes_harness as kh

FIRST = "Службы примирения в школах — первая редакция"
AMENDED = "Службы примирения и медиации в каждой школе"


class AmendmentHistory(kb.BrowserTest):
    demo = False
    users = kh.USERS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        body = kh.plan_body(region="KZ-11", period=2026)
        body["fields"]["measures"][0]["title"] = FIRST
        r = s.post("/api/v1/documents", body, "off11")
        assert r.status == 201, r
        cls.pid = r.json["id"]
        r = kh.walk_chain(s, cls.pid, r.header("ETag"))
        # The first amendment, agreed; the second, on its way.
        for n, title in ((1, AMENDED), (2, AMENDED + " и колледже")):
            r = s.act(cls.pid, "amend", "off11", r.header("ETag"),
                      comment=f"Изменения № {n}: уточняем меру")
            assert r.status == 200, r
            fields = r.json["fields"]
            fields["measures"][0]["title"] = title
            fields.pop("act", None)
            r = s.put("/api/v1/documents/" + cls.pid, {"fields": fields}, "off11",
                      r.header("ETag"))
            assert r.status == 200, r
            act = {"number": f"№ {47 + n}", "date": f"2026-0{5 + n}-10"}
            r = kh.walk_chain(s, cls.pid, r.header("ETag"), act=act,
                              until="in-force" if n == 1 else "regional-approval")

    def test_history_with_editions(self):
        self.sign_in("off11", password=kh.PASSWORD, lang="ru")
        for lang, words in (("ru", ("Изменения № 2", "в работе", "Изменения № 1", "действуют с",
                                    "Первоначальная редакция", "действовала с")),
                            ("kk", ("№ 2 өзгерістер", "әзірленуде", "№ 1 өзгерістер",
                                    "бастап күшінде", "Бастапқы редакция", "күшінде болды"))):
            self.open(f"/ui/d/{self.pid}/history", lang)
            headings = [h.text for h in self.find_all('[data-kenes="edition"]')]
            self.assertEqual(len(headings), 3, self.text()[:1500])
            for word, heading in zip(words[::2], headings):
                self.assertTrue(heading.startswith(word), (word, heading))
            for word, heading in zip(words[1::2], headings):
                self.assertIn(word, heading)
            self.check_page(lang, "history-editions")

    def test_document_page_says_what_stays_in_force(self):
        self.sign_in("off11", password=kh.PASSWORD, lang="ru")
        for lang in ("ru", "kk"):
            self.open(f"/ui/d/{self.pid}", lang)
            note = self.find_all('[data-kenes="in-force"]')
            self.assertTrue(note, "no note of the version in force")
            link = note[0].find_element("css selector", f'a[href="/public/{self.pid}"]')
            self.assertTrue(link.text)
            self.check_page(lang, "amended-plan")
        # The link leads to the version in force, for anyone.
        self.open(f"/public/{self.pid}", "ru")
        self.assertIn(AMENDED, self.text())
        self.assertNotIn(AMENDED + " и колледже", self.text())
        self.check_page("ru", "public-in-force")


if __name__ == "__main__":
    kb.main()
