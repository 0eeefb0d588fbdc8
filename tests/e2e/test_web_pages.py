"""The web interface's inbox, lists and document page (issue 13): what each
shows, in Russian and Kazakh words and never the workflow's Latin codes; the
search (a plan by its text, a case only by its pseudonym); the action
buttons with the four-eyes rule; and every refusal, shown as a sentence with
nothing written."""
import html.parser
import re
import unittest
import urllib.parse

import kenes_harness as harness
from kenes_harness import (USERS, ServerTest, commit_count, hold_meeting, plan_body, roster_body,
                           walk_chain, with_commission)

USERS_P = with_commission(USERS)

# Every stage and action name of the three workflows: none may be a word a
# Russian or Kazakh reader sees (attributes — button values, links — may hold them).
CODES = ["draft", "ministry-review", "approved", "returned", "submit", "approve", "return",
         "regional-approval", "ministry-agreement", "in-force", "agree", "amend",
         "registered", "under-review", "plan-approved", "in-accompaniment", "closure-requested",
         "closed", "start-review", "approve-plan", "begin-accompaniment", "request-closure",
         "close", "reopen", "regional-plan", "commission-roster", "case-review", "erased"]


def case_body(pseudonym="K11-0042", decision="Назначить сопровождающего", body="# Рассмотрение\n"):
    return {"type": "case-review", "region": "KZ-11", "body": body, "fields": {
        "child": {"pseudonym": pseudonym, "full_name": "Айгерим Нурланова",
                  "birth_date": "2012-03-04", "address": "ул. Абая", "school": "Гимназия"},
        "grounds": ["bullying-victim"],
        "meeting": {"date": "2026-02-20", "participants": ["Секретарь КДН"]},
        "decision": decision,
        "measures": [{"what": "Встречи с психологом", "who": "Психолог школы", "due": "2026-04-30"}],
        "follow_ups": []}}


class Text(html.parser.HTMLParser):
    """The words a reader sees on the page (no attributes, no <style>,
    <script> or <title>), and the
    forms' hidden inputs."""

    def __init__(self):
        super().__init__()
        self.words, self.hidden, self.skip = [], {}, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style", "title"):
            self.skip += 1
        if tag == "input" and a.get("type") == "hidden":
            self.hidden[a.get("name")] = a.get("value")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.words.append(data)

    @classmethod
    def of(cls, page):
        p = cls()
        p.feed(page)
        return p


def visible(page):
    return " ".join(Text.of(page).words)


class Browser(harness.Browser):
    """One person's browser, signed in through the form; shared by the
    tests, so it keeps no language cookie (each page asks with ?lang=)."""

    def __init__(self, srv, name):
        super().__init__(srv, ignore=("kenes_lang",))
        self.signed_in(name)

    def act(self, doc_id, action, comment="", version=None, csrf=True):
        page = self.get("/ui/d/" + doc_id)
        hidden = Text.of(page.raw).hidden
        fields = {"action": action, "comment": comment,
                  "version": version if version is not None else hidden.get("version", "")}
        if csrf:
            fields["csrf"] = hidden["csrf"]
        return self.post(f"/ui/d/{doc_id}/act", fields)


class WebPages(ServerTest):
    users = USERS_P
    env = {"KENES_NOW": "2026-03-25T09:00:00Z"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        body = "# План\n\nШкольные медиаторы и выездные бригады.\n\n<script>alert(1)</script>\n"
        r = s.post("/api/v1/documents", plan_body(body=body), "off11")
        assert r.status == 201, r
        cls.plan = r.json["id"]
        # Approved by the akimat: the ministry's to agree to.
        walk_chain(s, cls.plan, r.header("ETag"), until="ministry-agreement")
        # Another, left awaiting agreement for the inbox's test (the first one
        # is agreed to in another).
        r = s.post("/api/v1/documents", plan_body(period=2027), "off11")
        assert r.status == 201, r
        cls.waiting = r.json["id"]
        walk_chain(s, cls.waiting, r.header("ETag"), until="ministry-agreement")
        # A roster in draft, overdue (ordered 2 February, due 7 days later).
        r = s.post("/api/v1/documents", roster_body(), "off11")
        assert r.status == 201, r
        cls.roster = r.json["id"]
        r = s.post("/api/v1/documents", case_body(body="# Рассмотрение\n\nКонфиденциальнаяподробность\n"),
                   "off11")
        assert r.status == 201, r
        cls.case = r.json["id"]
        cls.b = {name: Browser(s, name) for name in ("off11", "off15", "rev1", "rev2", "aud",
                                                     "chair11", "adm", "appr1")}

    def assertNoCodes(self, page):
        text = visible(page)
        for code in CODES:
            self.assertIsNone(re.search(r"(?<![\w-])" + re.escape(code) + r"(?![\w-])", text),
                              (code, text[:2000]))
        self.assertIsNone(re.search(r"\d{4}-\d\d-\d\dT\d\d:", text), text)

    def test_inbox_of_a_reviewer(self):
        r = self.b["rev1"].get("/ui/inbox")
        self.assertEqual(r.status, 200, r)
        self.assertIn('<html lang="ru">', r.raw)
        self.assertIn(f'href="/ui/d/{self.waiting}"', r.raw)
        text = visible(r.raw)
        self.assertIn("План KZ-11 на 2027 год", text)
        self.assertIn("На согласовании в министерстве", text)
        self.assertIn("Согласовать", text)
        self.assertIn("Акмолинская область", text)
        self.assertNoCodes(r.raw)
        # F21: at 360 px the first columns are what fits: the title, what is
        # waiting, the due date; the rest scrolls.
        heads = re.findall(r'<th scope="col">([^<]*)</th>', r.raw.split('class="inbox"')[1])
        self.assertEqual(heads[:3], ["Документ", "Ждёт от вас", "Срок"], heads)
        row = r.raw.split(f'href="/ui/d/{self.waiting}"')[1].split("</tr>")[0]
        self.assertLess(row.index("Согласовать"), row.index("На согласовании в министерстве"))
        # An auditor acts on nothing: the inbox says so.
        r = self.b["aud"].get("/ui/inbox")
        self.assertIn("Сейчас ничего не ждёт ваших действий.", visible(r.raw))

    def test_signed_out_head_keeps_next(self):
        for method in ("GET", "HEAD"):
            r = self.srv.request(method, "/ui/inbox?lang=kk")
            self.assertEqual(r.status, 303, (method, r))
            self.assertEqual(r.header("Location"), "/ui/login?next=/ui/inbox%3Flang%3Dkk",
                             method)

    def test_inbox_of_an_official_overdue_first(self):
        r = self.b["off11"].get("/ui/inbox")
        text = visible(r.raw)
        self.assertIn("просрочено", text)
        self.assertIn("7 февраля 2026 г.", text)  # the roster's due date (the national order's), in words
        # The overdue roster before the case (no deadline); the plan being agreed is the ministry's.
        self.assertLess(r.raw.index(self.roster), r.raw.index(self.case))
        self.assertNotIn(self.waiting + '"', r.raw)
        # The case is listed by its pseudonym only.
        self.assertIn("K11-0042", text)
        self.assertNotIn("Айгерим", r.raw)
        # A link to start each type the official may create.
        self.assertIn('href="/ui/new/regional-plan"', r.raw)
        self.assertNoCodes(r.raw)
        self.assertNoCodes(self.b["off11"].get("/ui/inbox?lang=kk").raw)

    def test_list_filters_and_search(self):
        off = self.b["off11"]
        r = off.get("/ui/list")
        self.assertEqual(r.status, 200, r)
        for path in (self.plan, self.roster, self.case):
            self.assertIn(f'href="/ui/d/{path}"', r.raw)
        self.assertIn('<label for="f-q">', r.raw)
        r = off.get("/ui/list?type=commission-roster")
        self.assertIn(self.roster, r.raw)
        self.assertNotIn(f'href="/ui/d/{self.plan}"', r.raw)
        # The stage select holds the chosen type's stages, by their labels.
        self.assertIn('<option value="ministry-agreement">На согласовании в министерстве</option>',
                      r.raw)
        # The former stages (before issue 15) are no stage to choose.
        self.assertNotIn('value="ministry-review"', r.raw)
        self.assertNotIn('value="under-review"', r.raw)
        # F17: with no type chosen, the stages are grouped by type, and only
        # the types the reader may read: a reviewer sees no case's stages.
        def groups(raw):
            sel = raw.split('<select id="f-stage"')[1].split("</select>")[0]
            return [(g, re.findall(r'<option value="[^"]*">([^<]*)</option>', body))
                    for g, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', sel, re.S)]
        g = dict(groups(off.get("/ui/list").raw))
        self.assertEqual(set(g), {"Региональный план", "Рассмотрение дела", "Состав комиссии",
                                  "Заседание комиссии"})
        self.assertIn("План утверждён", g["Рассмотрение дела"])
        self.assertNotIn("План утверждён", g["Состав комиссии"])
        raw = self.b["rev1"].get("/ui/list").raw
        self.assertEqual(set(dict(groups(raw))), {"Региональный план", "Состав комиссии"})
        self.assertNotIn('value="case-review"', raw)
        self.assertNotIn('value="under-review"', raw)
        # A stage chosen is selected once, though two types share its name.
        raw = off.get("/ui/list?stage=in-force").raw
        self.assertEqual(raw.count('value="in-force" selected'), 1)
        r = off.get("/ui/list?region=KZ-15")
        self.assertIn("Документов по этим условиям нет.", visible(r.raw))
        r = off.get("/ui/list?overdue=yes")
        self.assertIn(self.roster, r.raw)
        self.assertNotIn(f'href="/ui/d/{self.plan}"', r.raw)
        # A word of the plan's body finds it, in another case too; a word of
        # the case's text does not find the case; its pseudonym does.
        for q in ("медиаторы", "МЕДИАТОРЫ", "выездные бригады"):
            r = off.get("/ui/list?q=" + urllib.parse.quote(q))
            self.assertIn(f'href="/ui/d/{self.plan}"', r.raw, q)
            self.assertNotIn(self.roster, r.raw, q)
        r = off.get("/ui/list?q=" + urllib.parse.quote("Конфиденциальнаяподробность"))
        self.assertNotIn(self.case, r.raw)
        r = off.get("/ui/list?q=" + urllib.parse.quote("Айгерим"))
        self.assertNotIn(self.case, r.raw)
        r = off.get("/ui/list?q=k11-0042")
        self.assertIn(self.case, r.raw)
        self.assertNotIn(self.plan + '"', r.raw)
        # The same search through the API.
        r = self.srv.get("/api/v1/documents?q=" + urllib.parse.quote("медиаторы"), "off11")
        self.assertEqual([d["id"] for d in r.json["documents"]], [self.plan])
        # An official of another region never sees the case, not even by its pseudonym.
        r = self.b["off15"].get("/ui/list?q=K11-0042")
        self.assertNotIn(self.case, r.raw)
        self.assertNoCodes(off.get("/ui/list?lang=kk").raw)

    def test_list_bad_parameters(self):
        for q in ("page=0", "page=x", "overdue=maybe", "q=%zz"):
            r = self.b["off11"].get("/ui/list?" + q)
            self.assertEqual(r.status, 400, q)
            self.assertIn('role="alert"', r.raw)
            self.assertTrue(r.header("Content-Type").startswith("text/html"))

    def test_document_page_and_four_eyes(self):
        s, rev1, rev2 = self.srv, self.b["rev1"], self.b["rev2"]
        r = rev1.get("/ui/d/" + self.plan)
        self.assertEqual(r.status, 200, r)
        text = visible(r.raw)
        self.assertEqual(text.count("План KZ-11 на 2026 год"), 1)  # the title once
        self.assertIn("На согласовании в министерстве", text)
        self.assertRegex(text, r"Согласований\s+0 из 2")  # no action's label in the row
        self.assertNotIn("Согласования", text)
        # The count is for the screen: a printed page shows the decision, not the tally.
        self.assertRegex(r.raw, r'<tr class="approvals screen-only"><th scope="row">Согласований</th>')
        # The akimat's resolution the approver recorded, under its label.
        self.assertIn("Постановление акимата", text)
        self.assertIn("№ 15", text)
        self.assertIn("Службы примирения в школах", text)  # the measures table
        self.assertIn("Школьные медиаторы и выездные бригады.", text)  # the body, rendered
        self.assertNotIn("<script>alert", r.raw)
        self.assertIn('<button type="submit" name="action" value="agree">Согласовать</button>', r.raw)
        self.assertIn('<textarea id="comment" name="comment"', r.raw)
        self.assertIn('<label for="comment">', r.raw)
        self.assertIn(f'href="/ui/d/{self.plan}/history"', r.raw)
        self.assertNotIn("/edit", r.raw)  # not the reviewer's to edit
        # The dossier, for the browser's session.
        self.assertIn(f'href="/ui/d/{self.plan}/dossier.zip"', r.raw)
        z = rev1.get(f"/ui/d/{self.plan}/dossier.zip")
        self.assertEqual(z.status, 200, z)
        self.assertEqual(z.header("Content-Type"), "application/zip")
        self.assertNoCodes(r.raw)
        self.assertNoCodes(rev1.get(f"/ui/d/{self.plan}?lang=kk").raw)

        before = commit_count(s.docs_git)
        # Without its CSRF token the form does nothing.
        r = rev1.act(self.plan, "agree", csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertIn('role="alert"', r.raw)
        # A stale version: someone acted meanwhile.
        r = rev1.act(self.plan, "agree", version='"' + "0" * 40 + '"')
        self.assertEqual(r.status, 409, r)
        self.assertIn("Пока вы читали, документ изменил кто-то другой.", visible(r.raw))
        self.assertNotIn('aria-invalid', r.raw)
        # A return without its comment: the guard says so, in Russian.
        r = rev1.act(self.plan, "return", comment="   ")
        self.assertEqual(r.status, 422, r)
        self.assertRegex(r.raw, r'role="alert" id="refusal"><p>Напишите комментарий')
        self.assertRegex(r.raw, r'<textarea id="comment" name="comment" aria-invalid="true"')
        # A refused agreement keeps what was typed in the box.
        r = rev1.act(self.plan, "agree", comment="Замечаний нет", version='"' + "1" * 40 + '"')
        self.assertEqual(r.status, 409, r)
        self.assertIn(">Замечаний нет</textarea>", r.raw)
        # Its language switch leads to the document's page, not to the form's target.
        self.assertIn(f'href="/ui/d/{self.plan}?lang=kk"', r.raw)
        # A form without its version, or with an action no workflow has.
        r = rev1.post(f"/ui/d/{self.plan}/act",
                      {"action": "agree", "csrf": Text.of(r.raw).hidden["csrf"]})
        self.assertEqual(r.status, 400, r)
        self.assertIn('role="alert"', r.raw)
        r = rev1.act(self.plan, "publish-now")
        self.assertEqual(r.status, 422, r)
        self.assertIn("Такого действия с этим документом нет.", visible(r.raw))
        self.assertEqual(commit_count(s.docs_git), before)

        r = rev1.act(self.plan, "agree")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), f"/ui/d/{self.plan}?done=agree&given=1&of=2")
        self.assertEqual(commit_count(s.docs_git), before + 1)
        # F16: the first of two approvals is not final, and the notice says so.
        loc = r.header("Location")
        r = rev1.get(loc)
        text = visible(r.raw)
        self.assertIn("Ваше согласование учтено: 1 из 2", text)
        self.assertNotIn("Выполнено", text)
        self.assertRegex(text, r"Согласований\s+1 из 2")
        kk = visible(rev1.get(loc + "&lang=kk").raw)
        self.assertIn("Келісіміңіз тіркелді: 2-ден 1", kk)
        self.assertRegex(kk, r"Келісімдер\s+2-ден 1")
        self.assertIn("Your agreement is recorded: 1 of 2", visible(rev1.get(loc + "&lang=en").raw))
        # A forged count is not shown as one.
        self.assertNotIn("учтено", visible(rev1.get(f"/ui/d/{self.plan}?done=agree&given=9&of=2").raw))
        # The same reviewer twice: refused with a sentence, nothing written.
        r = rev1.act(self.plan, "agree")
        self.assertEqual(r.status, 409, r)
        self.assertIn("Вы уже согласовали эту редакцию.", visible(r.raw))
        self.assertEqual(commit_count(s.docs_git), before + 1)
        r = rev2.act(self.plan, "agree")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), f"/ui/d/{self.plan}?done=agree&to=in-force")
        text = visible(rev2.get(r.header("Location")).raw)
        self.assertIn("Документ переведён на этап «Действует»", text)
        self.assertNotIn("учтено", text)
        r = rev2.get("/ui/d/" + self.plan)
        self.assertIn("Действует", visible(r.raw))
        self.assertNotIn('name="action"', r.raw)  # nothing left to do
        self.assertEqual(commit_count(s.docs_git), before + 2)

    def test_forbidden_and_gone_are_pages(self):
        s = self.srv
        r = self.b["off15"].get("/ui/d/" + self.case)
        self.assertEqual(r.status, 403, r)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        self.assertIn('role="alert"', r.raw)
        self.assertNotIn("K11-0042", r.raw)
        before = commit_count(s.docs_git)
        r = self.b["off15"].act(self.roster, "submit", version="x")
        self.assertEqual(r.status, 403, r)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        # F18: an action refused says the action is not theirs now, not "no page".
        self.assertIn("Это действие вам сейчас недоступно", visible(r.raw))
        self.assertNotIn("к этой странице", visible(r.raw))
        # The reviewer reads the roster but may not submit it.
        etag = s.get("/api/v1/documents/" + self.roster, "rev1").header("ETag")
        r = self.b["rev1"].act(self.roster, "submit", version=etag)
        self.assertEqual(r.status, 403, r)
        self.assertIn('role="alert"', r.raw)
        self.assertIn("Это действие вам сейчас недоступно", visible(r.raw))
        self.assertEqual(commit_count(s.docs_git), before)
        r = self.b["rev1"].get("/ui/d/plan/KZ-11/2029")
        self.assertEqual(r.status, 404, r)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        # A case erased: its page is gone (410), as an HTML page.
        r = s.post("/api/v1/documents", case_body(pseudonym="K11-0077"), "off11")
        cid = r.json["id"]
        r = s.request("DELETE", "/api/v1/documents/" + cid, {"reason": "Срок хранения истёк"},
                      token=s.token("adm"), headers={"If-Match": r.header("ETag")})
        self.assertEqual(r.status, 200, r)
        r = self.b["chair11"].get("/ui/d/" + cid)
        self.assertEqual(r.status, 410, r)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        self.assertIn('role="alert"', r.raw)

    def test_refused_action_pages_lead_somewhere(self):
        s, off11 = self.srv, self.b["off11"]
        # F14: the form's target as a GET (a reload, a bookmark) is the document's page.
        r = off11.get(f"/ui/d/{self.plan}/act")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), f"/ui/d/{self.plan}")
        r = off11.get("/ui/d/..%2fx/act")
        self.assertIn(r.status, (400, 404), r)
        # A case in accompaniment, its closure asked for before the follow-ups
        # and the reason are in: the guard's sentence links to the form.
        body = case_body(pseudonym="K11-0101")
        body["fields"]["accompanier"] = {"name": "Оспанова Динара", "organisation": "Центр"}
        body["fields"]["follow_ups"] = [{"due": "2026-04-20", "measure": 1}]
        r = s.post("/api/v1/documents", body, "off11")
        self.assertEqual(r.status, 201, r)
        cid = r.json["id"]
        hold_meeting(s, "KZ-11", {cid: "approve-plan"})  # the commission decides first
        for action, who in (("start-review", "off11"), ("approve-plan", "chair11"),
                            ("begin-accompaniment", "off11")):
            r = s.act(cid, action, who, r.header("ETag"))
            self.assertEqual(r.status, 200, (action, r))
        before = commit_count(s.docs_git), commit_count(s.cases_git)
        r = off11.act(cid, "request-closure", comment="Просим закрыть")
        self.assertEqual(r.status, 422, r)
        alert = re.search(r'<div class="errors" role="alert" id="refusal">(.*?)</div>', r.raw, re.S)
        self.assertIsNotNone(alert, r.raw)
        self.assertIn(f'<a href="/ui/d/{cid}/edit">Заполнить в форме документа</a>', alert.group(1))
        self.assertIn(">Просим закрыть</textarea>", r.raw)
        self.assertEqual((commit_count(s.docs_git), commit_count(s.cases_git)), before)
        # The akimat's approval asks for its resolution: the document page's
        # button opens the act form (the recorded fields' inputs, from the
        # schema), which writes nothing until it is sent filled in.
        r = s.post("/api/v1/documents", plan_body(period=2029), "off11")
        self.assertEqual(r.status, 201, r)
        pid = r.json["id"]
        r = s.act(pid, "submit", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        before = commit_count(s.docs_git)
        r = self.b["appr1"].act(pid, "approve", comment="Утверждено на заседании акимата")
        self.assertEqual(r.status, 200, r)
        self.assertIn('name="fields.act.number"', r.raw)
        self.assertIn('name="fields.act.date"', r.raw)
        self.assertIn(">Утверждено на заседании акимата</textarea>", r.raw)
        self.assertEqual(commit_count(s.docs_git), before)
        # Sent empty: the guard's sentence, the form again, nothing written.
        hidden = Text.of(r.raw).hidden
        r = self.b["appr1"].post(f"/ui/d/{pid}/act", dict(hidden, **{"fields.act.number": "",
                                                                       "fields.act.date": ""}))
        self.assertEqual(r.status, 422, r)
        self.assertIn('role="alert"', r.raw)
        self.assertIn('name="fields.act.number"', r.raw)
        self.assertNotIn("/edit", r.raw)
        self.assertEqual(commit_count(s.docs_git), before)
        self.assertNoCodes(r.raw)

    def test_a_body_repeating_the_title_shows_it_once(self):
        title = "План KZ-11 на 2028 год"
        r = self.srv.post("/api/v1/documents",
                          plan_body(period=2028, body=f"# {title}\n\nТекст плана.\n"), "off11")
        self.assertEqual(r.status, 201, r)
        r = self.b["off11"].get("/ui/d/" + r.json["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.raw.count("<h1"), 1)
        self.assertEqual(visible(r.raw).count(title), 1)
        self.assertIn("Текст плана.", visible(r.raw))  # the rest of the body is there

    def test_case_page_for_its_readers(self):
        r = self.b["chair11"].get("/ui/d/" + self.case)
        self.assertEqual(r.status, 200, r)
        text = visible(r.raw)
        self.assertIn("K11-0042", text)  # stands for the title a case has not
        self.assertIn("Конфиденциальнаяподробность", text)  # its body, rendered, not kept
        self.assertIn("Встречи с психологом", text)
        self.assertNoCodes(r.raw)
        # A case's dossier is the auditors' alone.
        self.assertNotIn("dossier.zip", r.raw)
        r = self.b["chair11"].get(f"/ui/d/{self.case}/dossier.zip")
        self.assertEqual(r.status, 403, r)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        self.assertIn("dossier.zip", self.b["aud"].get("/ui/d/" + self.case).raw)
        self.assertNoCodes(self.b["chair11"].get(f"/ui/d/{self.case}?lang=kk").raw)

    def test_print_sheet_hides_the_chrome(self):
        css = self.srv.request("GET", "/static/kenes.css").raw
        block = css[css.index("@media print"):]
        for sel in ("header.site", "nav", "form", ".no-print"):
            self.assertIn(sel, block.split("{", 2)[1])
        r = self.b["rev1"].get("/ui/d/" + self.plan)
        self.assertIn('class="doc-links no-print"', r.raw)


class Pagination(ServerTest):
    users = USERS_P
    env = {"KENES_NOW": "2026-03-25T09:00:00Z"}

    def test_pages_of_25_keep_the_filters(self):
        s = self.srv
        for i in range(27):
            r = s.post("/api/v1/documents", case_body(pseudonym=f"K11-{4600 + i}"), "off11")
            self.assertEqual(r.status, 201, r)
        b = Browser(s, "off11")
        r = b.get("/ui/list?type=case-review")
        self.assertEqual(r.raw.count('href="/ui/d/case/'), 25)
        self.assertIn("Найдено документов: 27", visible(r.raw))
        self.assertIn('rel="next" href="/ui/list?type=case-review&amp;page=2"', r.raw)
        self.assertNotIn('rel="prev"', r.raw)
        r = b.get("/ui/list?type=case-review&page=2")
        self.assertEqual(r.raw.count('href="/ui/d/case/'), 2)
        self.assertIn('rel="prev" href="/ui/list?type=case-review&amp;page=1"', r.raw)
        self.assertNotIn('rel="next"', r.raw)
        r = b.get("/ui/list?type=case-review&page=3")
        self.assertEqual(r.raw.count('href="/ui/d/case/'), 0)


if __name__ == "__main__":
    unittest.main()
