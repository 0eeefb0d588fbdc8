"""The web interface's history page, the landing page and the public pages.

An auditor signs in (the form) and opens a plan's history: the versions with
Russian action and stage labels and Russian dates, never an ISO time or a
Latin code; two versions side by side; the plan as of a date; bad queries
answered with a sentence (role="alert") and nothing written.  A case's
history is a 403 page for a reviewer, who may not read cases.  Then the
public side: / lists the plan in force, whose public page shows the
measures table, in Russian and in Kazakh."""
import os
import re
import unittest
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

from kenes_harness import USERS, Browser, ServerTest, commit_count, plan_body, wait_until

USERS_H = USERS + [("chair11", "commission-chair", "KZ-11")]
DAY1 = "2026-02-01T06:00:00Z"   # the plan is written
DAY2 = "2026-02-10T06:00:00Z"   # edited, then through the chain: akimat, ministry
OLD_LINE = "Меры по профилактике правонарушений."
NEW_LINE = "Меры по профилактике правонарушений и раннему выявлению."
# What a Russian or Kazakh page must never show as words.
CODES = ["approve", "approved", "submit", "ministry-review", "draft", "returned",
         "agree", "amend", "regional-approval", "ministry-agreement", "in-force", "regional-plan", "commission-roster", "case-review", "create", "edit",
         "safety", "education", "health"]
WORKFLOW_CODES = CODES[:-3]
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


class Page(HTMLParser):
    """What a reader sees (text outside tags), the tags with their attributes,
    and the text of chosen elements."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.text, self.tags, self.stack = [], [], []
        self.cells = {}  # (tag) -> [text of each element]
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("del", "ins", "h1", "td", "th", "caption", "h2", "title", "li", "dd", "a"):
            self.stack.append([tag, []])

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                t, parts = self.stack.pop(i)
                self.cells.setdefault(t, []).append("".join(parts).strip())
                break

    def handle_data(self, data):
        self.text.append(data)
        for _, parts in self.stack:
            parts.append(data)

    def visible(self):
        return " ".join(self.text)

    def attr(self, tag, name):
        return [a.get(name) for t, a in self.tags if t == tag]

    def alerts(self):
        return [a for t, a in self.tags if a.get("role") == "alert"]


class WebHistory(ServerTest):
    users = USERS_H
    env = {"KENES_NOW": DAY1}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        plan = plan_body(body="# План\n\n" + OLD_LINE + "\n\nВторой абзац.\n")
        r = s.post("/api/v1/documents", plan, "off11")
        assert r.status == 201, r
        cls.plan = r.json["id"]
        r = s.post("/api/v1/documents", {
            "type": "case-review", "region": "KZ-11", "body": "# Рассмотрение\n",
            "fields": {"child": {"pseudonym": "K11-0099", "full_name": "Тестовое Имя",
                                 "birth_date": "2012-03-04", "address": "ул. Абая 1",
                                 "school": "Школа №5"},
                       "grounds": ["bullying-victim"],
                       "meeting": {"date": "2026-02-20", "participants": ["Секретарь КДН"]},
                       "decision": "Назначить сопровождающего",
                       "measures": [{"what": "Встречи с психологом", "who": "Психолог",
                                     "due": "2026-04-30"}],
                       "follow_ups": []}}, "off11")
        assert r.status == 201, r
        cls.case = r.json["id"]
        # Nine days later: the plan is edited, sent to the akimat, approved by
        # its resolution, and agreed to by two ministry reviewers.
        s.stop()
        s.env["KENES_NOW"] = DAY2
        s.tokens = {}
        s.start()
        r = s.get("/api/v1/documents/" + cls.plan, "off11")
        r = s.put("/api/v1/documents/" + cls.plan,
                  {"body": "# План\n\n" + NEW_LINE + "\n\nВторой абзац.\n"}, "off11",
                  r.header("ETag"))
        assert r.status == 200, r
        r = s.act(cls.plan, "submit", "off11", r.header("ETag"))
        assert r.status == 200, r
        r = s.act(cls.plan, "approve", "appr1", r.header("ETag"),
                  fields={"act": {"number": "№ 15", "date": "2026-02-05"}})
        assert r.status == 200, r
        r = s.act(cls.plan, "agree", "rev1", r.header("ETag"), comment="Согласовано")
        assert r.status == 200, r
        r = s.act(cls.plan, "agree", "rev2", r.header("ETag"))
        assert r.status == 200 and r.json["stage"] == "in-force", r
        cls.history = s.get(f"/api/v1/documents/{cls.plan}/history", "aud").json["versions"]
        # A draft: never public.
        r = s.post("/api/v1/documents", plan_body(region="KZ-15"), "off15")
        assert r.status == 201, r
        cls.draft = r.json["id"]
        r = s.request("POST", "/api/v1/reports/generate", token=s.token("adm"))
        assert r.status == 200, r
        cls.browsers = {}

    # ---- a browser's requests ----

    def browser(self, user):
        """user's browser, signed in through the form once for the class; it
        keeps no language cookie (each page asks with ?lang=)."""
        if user not in self.browsers:
            self.browsers[user] = Browser(self.srv, ignore=("kenes_lang",)).signed_in(user)
        return self.browsers[user]

    def page(self, path, user=None, lang=None):
        b = self.browser(user) if user else Browser(self.srv)
        if lang:
            path += ("&" if "?" in path else "?") + "lang=" + lang
        r = b.get(path)
        ctype = r.header("Content-Type") or ""
        self.assertTrue(ctype.startswith("text/html"), (path, r.status, ctype))
        return r.status, r.raw, Page(r.raw)

    def history_path(self, **q):
        return f"/ui/d/{self.plan}/history" + ("?" + urlencode(q) if q else "")

    def assert_words_only(self, page, where, codes=CODES):
        text = page.visible()
        self.assertIsNone(ISO.search(text), f"{where}: an ISO time on the page")
        for code in codes:
            self.assertIsNone(re.search(r"(?<![\w-])" + re.escape(code) + r"(?![\w-])", text),
                              f"{where}: the code {code!r} on the page")

    # ---- the history ----

    def test_timeline_in_russian(self):
        status, html, p = self.page(self.history_path(), "aud")
        self.assertEqual(status, 200, html[:500])
        self.assertIn('<html lang="ru">', html)
        self.assertEqual(p.cells["h1"], ["История версий"])
        text = p.visible()
        for word in ("Создание", "Правка", "Направить на утверждение в акимат",
                     "Утвердить постановлением акимата", "Согласовать", "Черновик",
                     "На утверждении в акимате", "На согласовании в министерстве", "Действует",
                     "1 февраля 2026 г.", "10 февраля 2026 г.", "Согласовано"):
            self.assertIn(word, text)
        # Every version, newest first, each linked.
        links = [a for a in p.attr("a", "href") if a and "?version=" in a]
        self.assertEqual(links, [f"/ui/d/{self.plan}/history?version={v['commit']}"
                                 for v in self.history])
        self.assert_words_only(p, "history ru")
        # Every radio button has its label.
        ids = [a.get("id") for t, a in p.tags if t == "input" and a.get("type") == "radio"]
        self.assertEqual(len(ids), 2 * len(self.history))
        fors = set(p.attr("label", "for"))
        self.assertTrue(all(i in fors for i in ids))
        self.assertIn("at", fors)

    def test_timeline_in_kazakh(self):
        status, html, p = self.page(self.history_path(), "aud", "kk")
        self.assertEqual(status, 200)
        self.assertIn('<html lang="kk">', html)
        text = p.visible()
        for word in ("Нұсқалар тарихы", "Құру", "Өңдеу", "Әкімдікке бекітуге жіберу",
                     "Әкімдік қаулысымен бекіту", "Келісу", "Әкімдікте бекітуде",
                     "Министрлікте келісуде", "Күшінде", "2026 жылғы 10 ақпан"):
            self.assertIn(word, text)
        self.assertNotIn("История версий", text)
        self.assert_words_only(p, "history kk")

    def test_two_versions_side_by_side(self):
        created, edited = self.history[-1]["commit"], self.history[-2]["commit"]
        before = commit_count(self.srv.docs_git)
        status, html, p = self.page(self.history_path(**{"from": created, "to": edited}), "aud")
        self.assertEqual(status, 200, html[:500])
        self.assertIn("Сравнение версий", p.cells["h2"])
        # The changed line on each side: removed on the left, added on the right.
        self.assertEqual(p.cells.get("del"), ["удалено: " + OLD_LINE])
        self.assertEqual(p.cells.get("ins"), ["добавлено: " + NEW_LINE])
        row = re.search(r"<tr>(?:(?!</tr>).)*<del>(?:(?!</tr>).)*<ins>", html, re.S)
        self.assertTrue(row, "the removed and the added line do not face each other")
        # Unchanged context on both sides.
        self.assertEqual(p.cells["td"].count("Второй абзац."), 2)
        self.assert_words_only(p, "diff ru")
        # Across the submission: the stage in words, in both columns.
        submitted = self.history[-3]["commit"]
        status, html, p = self.page(self.history_path(**{"from": edited, "to": submitted}), "aud",
                                    "kk")
        self.assertEqual(status, 200)
        self.assertIn("Кезең: Жоба", " ".join(p.cells.get("del", [])))
        self.assertIn("Кезең: Әкімдікте бекітуде", " ".join(p.cells.get("ins", [])))
        self.assert_words_only(p, "diff kk")
        self.assertEqual(commit_count(self.srv.docs_git), before)

    def test_a_fields_diff_reads_in_words(self):
        """F10: the stored file's keys (fields:, measures:, direction: safety)
        read as the schema's labels on a Russian or Kazakh page; a value
        of an enum by its label."""
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-19"), "adm")
        self.assertEqual(r.status, 201, r)
        did, etag = r.json["id"], r.header("ETag")
        fields = r.json["fields"]
        extra = dict(fields["measures"][0], direction="education", title="Кружки в школах")
        fields["measures"].append(extra)
        fields["local_specifics"] = "Горные районы."
        r = s.put("/api/v1/documents/" + did, {"fields": fields}, "adm", etag)
        self.assertEqual(r.status, 200, r)
        hist = s.get(f"/api/v1/documents/{did}/history", "aud").json["versions"]
        q = {"from": hist[-1]["commit"], "to": hist[-2]["commit"]}
        path = f"/ui/d/{did}/history?" + urlencode(q)
        for lang, words, codes in (
                ("ru", ("Направление: Образование", "Местная специфика: Горные районы."), ()),
                ("kk", ("Бағыт: Білім беру",
                        "Өңірдің ерекшеліктері: Горные районы."), ())):
            with self.subTest(lang=lang):
                status, html, p = self.page(path, "aud", lang)
                self.assertEqual(status, 200, html[:300])
                text = " ".join(p.cells.get("del", []) + p.cells.get("ins", []) + p.cells["td"])
                for w in words:
                    self.assertIn(w, text)
                for code in ("direction", "safety", "education", "local_specifics", "measures:",
                             "fields:"):
                    self.assertNotIn(code, p.visible(), (lang, code))

    def test_as_of_a_date(self):
        # 5 February: before the second version, the first one stands.
        status, html, p = self.page(self.history_path(at="2026-02-05"), "aud")
        self.assertEqual(status, 200, html[:500])
        text = p.visible()
        self.assertIn("Состояние документа на 5 февраля 2026 г.", text)
        self.assertIn(OLD_LINE, text)
        self.assertNotIn(NEW_LINE, text)
        self.assertIn("Черновик", p.cells["dd"])
        self.assertEqual(p.attr("input", "value")[-1:], ["2026-02-05"])
        # Today: the plan in force.
        status, html, p = self.page(self.history_path(at="2026-02-10"), "aud")
        self.assertIn(NEW_LINE, p.visible())
        self.assertIn("Действует", p.cells["dd"])

    def test_bad_queries(self):
        before = (commit_count(self.srv.docs_git), commit_count(self.srv.cases_git))
        cases = [
            ({"from": "f" * 40, "to": self.history[0]["commit"]}, 404, "нет такой версии"),
            ({"from": "not-a-commit"}, 404, "нет такой версии"),
            ({"version": "1234"}, 404, "нет такой версии"),
            ({"at": "2026-13-45"}, 400, "Дата указана неверно"),
            ({"at": "вчера"}, 400, "Дата указана неверно"),
            ({"at": "2026-01-15"}, 404, "документа ещё не было"),
        ]
        for q, want_status, sentence in cases:
            with self.subTest(q=q):
                status, html, p = self.page(self.history_path(**q), "aud")
                self.assertEqual(status, want_status, html[:300])
                self.assertEqual(len(p.alerts()), 1, html)
                self.assertIn(sentence, p.visible())
                # The timeline is still there to choose from.
                self.assertTrue(any(a and "?version=" in a for a in p.attr("a", "href")))
                self.assert_words_only(p, f"bad {q}")
        status, html, p = self.page(self.history_path(at="2026-13-45"), "aud")
        inputs = [a for t, a in p.tags if t == "input" and a.get("id") == "at"]
        self.assertEqual(inputs[0].get("aria-invalid"), "true")
        # A malformed escape in the query.
        status, html, p = self.page(f"/ui/d/{self.plan}/history?at=%ZZ", "aud")
        self.assertEqual(status, 400)
        self.assertEqual(len(p.alerts()), 1)
        # No such document.
        status, html, p = self.page("/ui/d/plan/KZ-99/2026/history", "aud")
        self.assertEqual(status, 404)
        self.assertEqual(len(p.alerts()), 1)
        self.assertEqual((commit_count(self.srv.docs_git), commit_count(self.srv.cases_git)),
                         before)

    def access_log(self):
        path = os.path.join(self.srv.data, "access.log")
        return os.path.getsize(path) if os.path.exists(path) else 0

    def test_a_case_for_someone_who_may_not_read_it(self):
        before = (commit_count(self.srv.docs_git), commit_count(self.srv.cases_git))
        self.browser("rev1")
        logged = self.access_log()
        for q in ("", "?at=2026-02-05", "?from=" + "a" * 40):
            status, html, p = self.page(f"/ui/d/{self.case}/history{q}", "rev1")
            self.assertEqual(status, 403, html[:300])
            self.assertEqual(len(p.alerts()), 1)
            self.assertNotIn("K11-0099", html)
            self.assertNotIn("Тестовое Имя", html)
        self.assertEqual(self.access_log(), logged)  # nothing was read
        # Those who may: the official of the region (and the read is logged).
        status, html, p = self.page(f"/ui/d/{self.case}/history", "off11")
        self.assertEqual(status, 200, html[:300])
        wait_until(lambda: self.access_log() > logged, "the history's read was not logged")
        self.assertEqual((commit_count(self.srv.docs_git), commit_count(self.srv.cases_git)),
                         before)
        self.assertNotIn("Тестовое Имя", html)  # a timeline, not the case file
        self.assert_words_only(p, "case history")

    def test_signed_out_goes_to_sign_in(self):
        r = Browser(self.srv).get(self.history_path())
        self.assertEqual(r.status, 303)
        self.assertTrue(r.header("Location").startswith("/ui/login?next="))

    # ---- the public side ----

    def test_landing_lists_the_plan_in_force(self):
        for lang, region, title_word in (("ru", "Акмолинская область", "Действующие документы"),
                                         ("kk", "Ақмола облысы", "Қолданыстағы құжаттар")):
            with self.subTest(lang=lang):
                status, html, p = self.page("/", None, lang)
                self.assertEqual(status, 200)
                self.assertIn(f'<html lang="{lang}">', html)
                self.assertIn(title_word, p.cells["h2"])
                links = dict(zip(p.attr("a", "href"), p.cells["a"]))
                self.assertEqual(links.get(f"/public/{self.plan}"), "План KZ-11 на 2026 год")
                self.assertNotIn(f"/public/{self.draft}", links)
                self.assertFalse(any(h and self.case in h for h in links))
                # The reports in the page's language: reports/kk/... for Kazakh.
                folder = "" if lang == "ru" else lang + "/"
                self.assertEqual(links.get(f"/reports/{folder}regions/KZ-11"), region)
                self.assertIn(f"/reports/{folder}national", links)
                self.assertIn("/ui/login", links)
                self.assert_words_only(p, f"landing {lang}")

    def test_public_page_shows_the_measures(self):
        for lang, words in (("ru", ("Действует", "Постановление акимата",
                                    "№ 15 от 5 февраля 2026 г.", "История версий",
                                    "Утвердить постановлением акимата", "Согласовать",
                                    "10 февраля 2026 г., 11:00")),
                            ("kk", ("Күшінде", "Әкімдік қаулысы", "№ 15, 2026 жылғы 5 ақпан",
                                    "Нұсқалар тарихы", "Әкімдік қаулысымен бекіту", "Келісу",
                                    "2026 жылғы 10 ақпан, 11:00"))):
            with self.subTest(lang=lang):
                status, html, p = self.page("/public/" + self.plan, None, lang)
                self.assertEqual(status, 200, html[:300])
                self.assertIn(f'<html lang="{lang}">', html)
                self.assertEqual(p.cells["h1"].count("План KZ-11 на 2026 год"), 1)
                self.assertEqual(p.cells["title"], ["План KZ-11 на 2026 год — Кеңес"])
                text = p.visible()
                for w in words:
                    self.assertIn(w, text)
                # The measures, each a row of a table in the fields' section, which scrolls.
                fields = html[html.index('data-kenes="fields"'):html.index('data-kenes="record"')]
                for title in ("Службы примирения в школах", "Обучение педагогов профилактике буллинга",
                              "Школьные психологи: супервизия",
                              "Сопровождение семей в трудной ситуации"):
                    self.assertIn(f"<td>{title}</td>", fields)
                self.assertIn('<div class="table-wrap">', fields)
                # Every table of the page scrolls.
                self.assertEqual(html.count("<table"), html.count('<div class="table-wrap">\n<table'))
                # The switch to the other languages.
                self.assertEqual(len([a for t, a in p.tags if t == "a" and a.get("hreflang")]), 2)
                # Until the plan's type declares its fields (a schema: labels and
                # enumerations in words), its table is the JSON's own, under its keys.
                generic = '<th scope="col">lead_agency</th>' in fields
                self.assert_words_only(p, f"public {lang}",
                                       WORKFLOW_CODES if generic else CODES)

    def test_what_is_not_public_is_not_found(self):
        for did in (self.case, self.draft, "plan/KZ-99/2026", "../etc/passwd", "%ZZ"):
            with self.subTest(did=did):
                status, html, p = self.page("/public/" + did)
                self.assertIn(status, (400, 404), html[:300])
                self.assertEqual(len(p.alerts()), 1)
                self.assertNotIn("K11-0099", html)


if __name__ == "__main__":
    unittest.main()
