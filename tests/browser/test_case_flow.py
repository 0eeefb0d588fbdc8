"""Must show (issue 13): a commission chair carries a child's case from
registration to closure through the buttons, the region's official doing
the steps that are hers (workflows/case-review.yaml: start-review,
begin-accompaniment and request-closure are the official's; approve-plan
and close the chair's), editing the case through its form where a stage
asks for more.  Run twice: every page in Russian, then every page in
Kazakh, where no Latin stage or action code may show.  The child's name
never reaches a list, an inbox or a URL.  The commission decides at signed
meetings (approve-plan, then close), which the demo's secretary records and
its chair signs through the API (test_meeting_flow shows those pages)."""
import datetime
from urllib.parse import urlsplit

import kenes_browser as kb
import kenes_harness as kh

# The server runs on the real clock: dates are counted from its today (UTC).
TODAY = datetime.datetime.now(datetime.timezone.utc).date()


def day(n):
    return (TODAY + datetime.timedelta(days=n)).isoformat()

STAGES = {
    "ru": ["Зарегистрировано", "На рассмотрении", "План утверждён", "Сопровождение",
           "Запрошено закрытие", "Закрыто"],
    "kk": ["Тіркелді", "Қаралуда", "Жоспар бекітілді", "Сүйемелдеу", "Жабу сұралды", "Жабылды"],
}


def new_case(pseudonym, name):
    return {
        "fields.child.pseudonym": pseudonym,
        "fields.child.full_name": name,
        "fields.child.birth_date": "2013-04-02",
        "fields.grounds[0]": "bullying-victim",
        "fields.accompanier.name": "Оспанова Динара",
        "fields.accompanier.organisation": "Центр психологической поддержки",
        "fields.measures[0].what": "Еженедельные встречи с психологом",
        "fields.measures[0].who": "Школьный психолог",
        # Due today: by closure its term has come.
        "fields.measures[0].due": day(0),
        # The plan is approved with a check of the measure ahead.
        "fields.follow_ups[0].due": day(14),
        "fields.follow_ups[0].measure": "1",
    }


# What accompaniment records before closure: the check done (early), its
# outcome, the reason.
FOLLOW_UP = {
    "fields.follow_ups[0].done": day(0),
    "fields.follow_ups[0].outcome": "effective",
    "fields.follow_ups[0].next_steps": "Встречи раз в месяц",
    "fields.closure.reason": "goals-met",
}


class CaseFlow(kb.BrowserTest):

    def act(self, user, action, lang, stage, shot):
        """user opens the case (from the inbox when it is there) and presses action."""
        self.sign_in(user, lang=lang)
        self.check_page(lang, f"inbox-{user}")
        self.assertNotIn(self.child, self.text(), "the child's name is in an inbox")
        self.open(f"/ui/d/{self.case}", lang)
        self.assertNotIn(self.child, self.driver.current_url)
        before = self.commits(self.srv.cases_git)
        self.click_action(action, expect=200)
        self.assertEqual(urlsplit(self.driver.current_url).path, f"/ui/d/{self.case}")
        self.assertEqual(self.commits(self.srv.cases_git), before + 1, self.text()[:600])
        self.assertIn(STAGES[lang][stage], self.text())
        self.check_page(lang, shot)

    def hold_meeting(self, decision):
        """The demo commission decides on the case at a signed meeting."""
        for user in ("secretary-kz11", "chair-kz11", "auditor"):
            if user not in self.srv.tokens:
                self.srv.login(user, kb.password_of(user))
        kh.hold_meeting(self.srv, "KZ-11", {self.case: decision}, secretary="secretary-kz11",
                        chair="chair-kz11", reader="auditor")

    def carry(self, lang, pseudonym, child):
        self.child = child
        docs_before = self.commits()
        # The official registers the case through the form.
        self.sign_in("official-kz11", lang=lang)
        self.open("/ui/new/case-review", lang)
        self.check_page(lang, "new-case")
        if not self.has_field("fields.follow_ups[0].due"):
            self.press("_add", "fields.follow_ups", expect=200)
        self.fill_all(new_case(pseudonym, child))
        before = self.commits(self.srv.cases_git)
        page = self.submit_form(of="fields.child.pseudonym", expect=200)
        path = urlsplit(page.url).path
        self.assertTrue(path.startswith("/ui/d/case/KZ-11/"), f"not on the case's page: {path}")
        self.case = path[len("/ui/d/"):]
        self.assertEqual(self.commits(self.srv.cases_git), before + 1)
        self.assertIn(STAGES[lang][0], self.text())
        self.check_page(lang, "case-registered")

        self.act("official-kz11", "start-review", lang, 1, "case-under-review")
        self.hold_meeting("approve-plan")
        self.act("chair-kz11", "approve-plan", lang, 2, "case-plan-approved")
        self.act("official-kz11", "begin-accompaniment", lang, 3, "case-accompaniment")

        # Accompaniment: the official records the check and the reason to close.
        edit = self.find_all(f'a[href="/ui/d/{self.case}/edit"]')
        self.assertTrue(edit, "no edit link in accompaniment")
        self.submit_with(edit[0], expect=200)
        self.fill_all(FOLLOW_UP)
        self.check_page(lang, "case-edit")
        before = self.commits(self.srv.cases_git)
        self.submit_form(of="fields.follow_ups[0].due", expect=200)
        self.assertEqual(self.commits(self.srv.cases_git), before + 1, self.text()[:600])

        self.act("official-kz11", "request-closure", lang, 4, "case-closure-requested")
        self.hold_meeting("close")
        self.act("chair-kz11", "close", lang, 5, "case-closed")
        self.assertEqual(self.actions(), ["reopen"], "a closed case offers more than reopening")

        # The chair's lists name the case by its pseudonym, never the child.
        self.open("/ui/list?type=case-review", lang)
        self.assertIn(pseudonym, self.text())
        self.assertNotIn(child, self.text())
        self.check_page(lang, "case-list")
        self.open(f"/ui/d/{self.case}/history", lang)
        self.check_page(lang, "case-history")
        self.assertEqual(self.commits(), docs_before, "a case wrote to documents.git")

    def test_1_in_russian(self):
        self.carry("ru", "C-4101", "Вымышленный Тимур")

    def test_2_in_kazakh(self):
        self.carry("kk", "C-4102", "Вымышленная Айгерим")


if __name__ == "__main__":
    kb.main(failfast=True)
