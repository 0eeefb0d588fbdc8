"""Issue 14: a commission meeting as the people who hold it use kenes.  The
secretary schedules a meeting with a child's case on its agenda through the
form, in Russian (the case chosen from the region's cases by its pseudonym,
never the child's name), records it as held with the members present, the
family's presence and the vote; the chair signs the resolution in Kazakh;
the case's page then shows the meeting with its decision.  Every step is
screenshotted in Russian and Kazakh.  Then the meeting form once more with
the keyboard alone: Tab, typing, arrows, Space and Enter."""
from urllib.parse import urlsplit

import kenes_browser as kb
import kenes_harness as kh
import test_keyboard  # its helpers only: a module, so its test does not run here

try:
    from selenium.webdriver.common.keys import Keys
except ImportError:  # require_browser() names the package that is missing
    Keys = None

# Members of the harness's roster (7 members: a quorum is 4).
PRESENT = ["Серикова Айжан", "Абдрахманова Гульнара", "Жумабеков Ерлан", "Петрова Наталья"]
CHILD = "Вымышленный Арман"
PSEUDONYM = "C-0001"
USERS = kh.USERS + [("chair11", "commission-chair", "KZ-11"),
                    ("sec11", "commission-secretary", "KZ-11")]
MEETING = "meeting/KZ-11/2026-21"


class MeetingFlow(kb.BrowserTest):
    # Its own data, not the demo's: Akmola's roster in force and one case.
    demo = False
    users = USERS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        r = s.post("/api/v1/documents", kh.roster_body(region="KZ-11"), "off11")
        assert r.status == 201, r
        kh.walk_chain(s, r.json["id"], r.header("ETag"))
        case = {"type": "case-review", "region": "KZ-11", "body": "# Рассмотрение\n",
                "fields": {"child": {"pseudonym": PSEUDONYM, "full_name": CHILD,
                                     "birth_date": "2012-05-14"},
                           "grounds": ["bullying-victim"],
                           "measures": [{"what": "Встречи с психологом", "due": "2027-02-28"}],
                           "follow_ups": []}}
        r = s.post("/api/v1/documents", case, "off11")
        assert r.status == 201, r

    def case_choice(self, name, pseudonym):
        """The value of the choice in the select `name` that names pseudonym."""
        for o in self.field(name).find_elements("tag name", "option"):
            if o.text.startswith(pseudonym + " · "):
                return o.get_attribute("value")
        self.fail(f"no choice for {pseudonym} in {name}")

    def test_1_schedule_record_sign(self):
        # The secretary schedules the meeting, in Russian.
        self.sign_in("sec11", lang="ru")
        self.check_page("ru", "inbox-secretary")
        self.open("/ui/new/commission-meeting", "ru")
        self.shoot_langs("meeting-new")
        self.assertNotIn(CHILD, self.driver.page_source)
        case = self.case_choice("fields.agenda[0].case", PSEUDONYM)
        self.assertTrue(case.startswith("case/KZ-11/"), case)
        self.remember("case", case)
        for _ in range(len(PRESENT) - 1):
            self.press("_add", "fields.attendance", expect=200)
        values = {"fields.number": "21", "fields.date": "2026-12-01",
                  "fields.place": "г. Кокшетау, ул. Абая, 83, зал заседаний",
                  "fields.agenda[0].kind": "case", "fields.agenda[0].case": case,
                  "fields.agenda[0].participants.notified": True,
                  "fields.agenda[0].participants.child": True,
                  "fields.agenda[0].participants.representative": True,
                  "fields.agenda[0].child_view": "Хочет продолжать занятия с психологом",
                  "fields.agenda[0].decision": "approve-plan",
                  "fields.agenda[0].decision_text": "Утвердить план мер, сопровождающий — "
                                                     "психолог центра",
                  "fields.agenda[0].vote.for": "4", "fields.agenda[0].vote.against": "0",
                  "fields.agenda[0].vote.abstained": "0"}
        values.update({f"fields.attendance[{i}]": n for i, n in enumerate(PRESENT)})
        self.fill_all(values)
        self.check_page("ru", "meeting-filled")
        before = self.commits(self.srv.cases_git)
        page = self.submit_form(of="fields.number", expect=200)
        self.assertEqual(urlsplit(page.url).path, f"/ui/d/{MEETING}", self.text()[:800])
        self.assertEqual(self.commits(self.srv.cases_git), before + 1)
        self.assertIn("Назначено", self.text())
        self.assertIn(PSEUDONYM, self.text())  # the case linked by its pseudonym
        self.assertNotIn(CHILD, self.driver.page_source)
        self.shoot_langs("meeting-scheduled")

        self.click_action("record", expect=200)
        self.assertIn("Проведено", self.text())
        self.assertEqual(self.commits(self.srv.cases_git), before + 2)
        self.shoot_langs("meeting-held")

        # The chair signs the resolution, in Kazakh.
        self.sign_in("chair11", lang="kk")
        self.check_page("kk", "inbox-chair")
        self.open(f"/ui/d/{MEETING}", "kk")
        self.check_page("kk", "meeting-to-sign")
        self.click_action("sign", expect=200)
        self.assertIn("Қол қойылды", self.text())
        self.assertEqual(self.commits(self.srv.cases_git), before + 3)
        self.shoot_langs("meeting-signed", langs=("kk", "ru"))

        # The case's page shows the meeting and its decision.
        self.open(f"/ui/d/{case}", "kk")
        self.assertIn("Іс бойынша комиссия отырыстары", self.text())
        links = self.find_all(f'section[data-kenes="referrers"] a[href="/ui/d/{MEETING}"]')
        self.assertTrue(links, "the case page does not link the meeting")
        self.assertIn("Жоспарды бекітіп, сүйемелдеуді тағайындау", self.text())
        self.shoot_langs("case-meetings", langs=("kk", "ru"))
        self.open(f"/ui/d/{case}", "ru")
        self.assertIn("Заседания комиссии по делу", self.text())
        self.assertIn("Утвердить план и назначить сопровождение", self.text())

        # The list shows a meeting by its date and number of items only.
        self.open("/ui/list?type=commission-meeting", "ru")
        self.check_page("ru", "meeting-list")
        self.assertNotIn("Кокшетау", self.text())

    # ---- the keyboard alone: test_keyboard's way of pressing keys -------------------

    keys = test_keyboard.Keyboard.keys
    focused = test_keyboard.Keyboard.focused
    press_key = test_keyboard.Keyboard.press_key
    tab_to = test_keyboard.Keyboard.tab_to
    describe = test_keyboard.Keyboard.describe
    own_submit = test_keyboard.Keyboard.own_submit
    type_into_form = test_keyboard.Keyboard.type_into_form

    def type_here(self, el, value):
        """test_keyboard's typing, and Space for a checkbox."""
        if (el.get_attribute("type") or "").lower() == "checkbox":
            if el.is_selected() != value:
                self.keys(Keys.SPACE)
            self.assertEqual(el.is_selected(), value, el.get_attribute("name"))
            return
        test_keyboard.Keyboard.type_here(self, el, value)

    def test_2_meeting_form_by_keyboard(self):
        self.sign_in("sec11", lang="kk")
        self.tab_to(lambda el: el.tag_name == "a" and
                    (el.get_attribute("href") or "").endswith("/ui/new/commission-meeting"),
                    "the new meeting link in the inbox")
        self.press_key(Keys.ENTER)
        self.assertEqual(self.path(), "/ui/new/commission-meeting")
        # A second agenda item, by its button.
        self.tab_to(lambda el: el.tag_name == "button" and el.get_attribute("name") == "_add"
                    and el.get_attribute("value") == "fields.agenda", "the add-item button")
        self.press_key(Keys.ENTER)
        self.assertTrue(self.has_field("fields.agenda[1].kind"))
        self.keys(Keys.HOME)
        values = {"fields.number": "22", "fields.date": "2026-12-03",
                  "fields.place": "Көкшетау қ., Абай к-сі, 83",
                  "fields.agenda[0].kind": "case", "fields.agenda[0].case": self.case,
                  "fields.agenda[0].participants.notified": True,
                  "fields.agenda[0].participants.accompanier": True,
                  "fields.agenda[1].kind": "matter",
                  "fields.agenda[1].matter": "Жасөспірімдердің жазғы демалысы туралы"}
        before = self.commits(self.srv.cases_git)
        page = self.type_into_form(values)
        self.assertEqual(urlsplit(page.url).path, "/ui/d/meeting/KZ-11/2026-22",
                         self.text()[:800])
        self.assertEqual(self.commits(self.srv.cases_git), before + 1)
        self.check_page("kk", "meeting-by-keyboard")


if __name__ == "__main__":
    kb.main(failfast=True)
