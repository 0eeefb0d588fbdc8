"""The pages after issue 15's probe (fix round "web"): a returned plan says
why at the top of its page and in the inbox; a plan's execution reports are
listed under their own columns; the akimat's approver sends the signed scan
with the act in one form (attached first: a refused file approves nothing, a
refused approval leaves the file on the draft and says so); a transfer's
reminder says what it waits for; the public execution report names its plan
by title; the agency officer's header names the agency; Kazakh edition
headings use the official date form; an empty transfer section is not shown;
/api/v1/me says who may attach; an upload far over the limit is a page in
the reader's language, not JSON.  Every refusal writes nothing."""
import re
import socket
import unittest

from kenes_harness import (USERS, Browser, ServerTest, commit_count, in_force_plan, plan_body,
                           walk_chain, with_commission)
from test_attachments import multipart, pdf, png
from test_execution import execution_body

NOW = "2026-07-10T09:00:00Z"
ACT = {"number": "№ 44", "date": "2026-07-01"}


def case_body(pseudonym):
    return {"type": "case-review", "region": "KZ-11", "body": "# Рассмотрение\n",
            "fields": {"child": {"pseudonym": pseudonym, "full_name": "Ая Тестова",
                                 "birth_date": "2012-01-02"},
                       "grounds": ["family"],
                       "measures": [{"what": "Помощь семье", "due": "2026-08-01"}]}}


def text_of(page):
    """The page's words without its tags (enough to look for a sentence)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


class WebFix15(ServerTest):
    users = with_commission(USERS)
    env = {"KENES_NOW": NOW}
    def plan_in(self, stage, region="KZ-11"):
        """A fresh plan of region (a year it has none for) walked to stage; (id, etag)."""
        taken = {d["id"] for d in
                 self.srv.get("/api/v1/documents?type=regional-plan", "aud").json["documents"]}
        period = next(y for y in range(2026, 2031) if f"plan/{region}/{y}" not in taken)
        official = {"KZ-11": "off11", "KZ-15": "off15"}[region]
        r = self.srv.post("/api/v1/documents", plan_body(region=region, period=period), official)
        self.assertEqual(r.status, 201, r)
        pid = r.json["id"]
        if stage != "draft":
            r = walk_chain(self.srv, pid, r.header("ETag"), until=stage, act=ACT)
        return pid, r.header("ETag")

    def browser(self, user, lang="ru"):
        return Browser(self.srv, lang=lang).signed_in(user)

    def upload(self, b, path, fields):
        body, ctype = multipart(fields)
        h = {"Cookie": "; ".join(f"{k}={v}" for k, v in b.jar.items())}
        return self.srv.request("POST", path, headers=h, raw=body, content_type=ctype)

    # ---- finding 6: the return's comment on the draft -------------------------

    def test_returned_plan_says_why(self):
        s = self.srv
        pid, etag = self.plan_in("regional-approval")
        r = s.act(pid, "return", "appr1", etag, comment="Нет подписи акима на скане.")
        self.assertEqual((r.status, r.json["stage"]), (200, "draft"), r)
        b = self.browser("off11")
        page = text_of(b.get(f"/ui/d/{pid}?lang=ru").raw)
        self.assertRegex(page, r"Возвращён на доработку \(акимат\), 10 июля 2026 г\. ?: "
                               r"Нет подписи акима на скане\.")
        kk = text_of(b.get(f"/ui/d/{pid}?lang=kk").raw)
        self.assertIn("Пысықтауға қайтарылды (әкімдік), 2026 жылғы 10 шілде", kk)
        inbox = b.get("/ui/inbox?lang=ru").raw
        line = next(tr for tr in inbox.split("<tr") if f"/ui/d/{pid}\"" in tr)
        self.assertIn("Возвращён на доработку", line)
        self.assertNotIn("Нет подписи", inbox)  # the reason is on the page, not in a list
        # Submitted again: the note is gone.
        r = s.act(pid, "submit", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        page = text_of(b.get(f"/ui/d/{pid}?lang=ru").raw)
        self.assertNotIn("Возвращён на доработку", page)
        # The ministry's return says so.
        r = s.act(pid, "approve", "appr1", r.header("ETag"), fields={"act": ACT})
        self.assertEqual(r.status, 200, r)
        r = s.act(pid, "return", "rev1", r.header("ETag"), comment="Уточните показатели.")
        self.assertEqual(r.status, 200, r)
        page = text_of(b.get(f"/ui/d/{pid}?lang=en").raw)
        self.assertRegex(page, r"Returned for revision \(the ministry\), 10 July 2026 ?: "
                               r"Уточните показатели\.")

    # ---- finding 10: execution reports under their own columns ----------------

    def test_plan_lists_its_execution_reports(self):
        s = self.srv
        plan = in_force_plan(s, "KZ-15")
        year = s.get("/api/v1/documents/" + plan, "aud").json["fields"]["period"]
        ids = []
        for half in ("1", "2"):
            body = execution_body(plan, region="KZ-15", year=year, half=half, rows=[
                {"measure": 1, "actual": 10, "spent_kzt": 0, "status": "done"}])
            r = s.post("/api/v1/documents", body, "off15")
            self.assertEqual(r.status, 201, r)
            ids.append(r.json["id"])
        b = self.browser("off15")
        page = b.get(f"/ui/d/{plan}?lang=ru").raw
        sec = page[page.index('data-kenes="referrers"'):]
        sec = sec[:sec.index("</section>")]
        self.assertIn("Отчёты об исполнении плана", sec)
        self.assertIn("<th scope=\"col\">Полугодие</th><th scope=\"col\">Год</th>", sec)
        self.assertNotIn("Дата заседания", sec)
        self.assertNotIn("Решение по делу", sec)
        self.assertIn(f'<a href="/ui/d/{ids[0]}">I полугодие</a>', sec)
        self.assertIn(f'<a href="/ui/d/{ids[1]}">II полугодие</a>', sec)
        kk = b.get(f"/ui/d/{plan}?lang=kk").raw
        self.assertIn("Жоспардың орындалуы туралы есептер", kk)
        self.assertIn(">II жартыжылдық</a>", kk)

    # ---- finding 11: the act form carries the signed scan ---------------------

    def act_form(self, b, pid):
        page = b.get(f"/ui/d/{pid}/act?action=approve&lang=ru").raw
        self.assertIn('enctype="multipart/form-data"', page)
        self.assertIn('type="file"', page)
        self.assertIn("Скан подписанного постановления", page)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        version = re.search(r'name="version" value="([0-9a-f]{40})"', page).group(1)
        return csrf, version

    def act_fields(self, csrf, version, number="№ 44", date="2026-07-01", file=None):
        f = [("csrf", csrf), ("version", version), ("action", "approve"), ("_record", "1"),
             ("fields.act.number", number), ("fields.act.date", date), ("comment", "")]
        return f + [("file", file or ("", "application/octet-stream", b""))]

    def test_act_form_attaches_then_approves(self):
        s = self.srv
        pid, _ = self.plan_in("regional-approval", "KZ-15")
        b = self.browser("appr2")
        csrf, version = self.act_form(b, pid)
        before = commit_count(s.docs_git)
        r = self.upload(b, f"/ui/d/{pid}/act", self.act_fields(
            csrf, version, file=("Постановление № 44.pdf", "application/pdf", pdf())))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(commit_count(s.docs_git), before + 2)  # attach, then approve
        doc = s.get("/api/v1/documents/" + pid, "appr2").json
        self.assertEqual(doc["stage"], "ministry-agreement")
        self.assertEqual(doc["fields"]["act"], ACT)
        self.assertEqual([a["name"] for a in doc["attachments"]], ["Постановление № 44.pdf"])
        versions = s.get(f"/api/v1/documents/{pid}/history", "appr2").json["versions"]
        self.assertEqual([v["action"] for v in versions[:2]], ["approve", "attach"])
        # The two versions side by side: the file's "added" time in words, never ISO.
        page = b.get(f"/ui/d/{pid}/history?from={versions[-1]['commit']}"
                     f"&to={versions[0]['commit']}&lang=ru")
        self.assertEqual(page.status, 200, page)
        self.assertNotRegex(text_of(page.raw), r"\d{4}-\d\d-\d\dT\d\d")
        self.assertIn("added: 10 июля 2026 г.", text_of(page.raw))

    def test_act_form_without_a_file_approves(self):
        s = self.srv
        pid, _ = self.plan_in("regional-approval", "KZ-15")
        b = self.browser("appr2")
        csrf, version = self.act_form(b, pid)
        before = commit_count(s.docs_git)
        r = self.upload(b, f"/ui/d/{pid}/act", self.act_fields(csrf, version))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(commit_count(s.docs_git), before + 1)
        self.assertEqual(s.get("/api/v1/documents/" + pid, "appr2").json["stage"],
                         "ministry-agreement")

    def test_act_form_file_refused_approves_nothing(self):
        s = self.srv
        pid, _ = self.plan_in("regional-approval")
        b = self.browser("appr1", lang="kk")
        csrf, version = self.act_form(b, pid)
        before = commit_count(s.docs_git)
        r = self.upload(b, f"/ui/d/{pid}/act?lang=kk", self.act_fields(
            csrf, version, file=("scan.pdf", "application/pdf", png())))
        self.assertEqual(r.status, 415, r)
        self.assertIn('id="f-file"', r.raw)
        self.assertIn('aria-invalid="true"', r.raw)
        self.assertIn("№ 44", r.raw)  # the act typed is kept
        self.assertEqual(commit_count(s.docs_git), before)
        doc = s.get("/api/v1/documents/" + pid, "appr1").json
        self.assertEqual((doc["stage"], doc.get("attachments", [])), ("regional-approval", []))
        # No CSRF token: 403, nothing written.
        r = self.upload(b, f"/ui/d/{pid}/act", [f for f in self.act_fields(
            csrf, version, file=("scan.pdf", "application/pdf", pdf())) if f[0] != "csrf"])
        self.assertEqual(r.status, 403, r)
        self.assertEqual(commit_count(s.docs_git), before)

    def test_act_refused_after_the_file_keeps_it_on_the_draft(self):
        s = self.srv
        pid, _ = self.plan_in("regional-approval")
        b = self.browser("appr1")
        csrf, version = self.act_form(b, pid)
        before = commit_count(s.docs_git)
        # A resolution dated after today: the approval is refused, the file stays.
        r = self.upload(b, f"/ui/d/{pid}/act", self.act_fields(
            csrf, version, date="2026-12-31", file=("scan.pdf", "application/pdf", pdf())))
        self.assertEqual(r.status, 422, r)
        self.assertIn("Файл приложен к документу и остаётся в нём", text_of(r.raw))
        self.assertEqual(commit_count(s.docs_git), before + 1)  # the attach only
        doc = s.get("/api/v1/documents/" + pid, "appr1").json
        self.assertEqual(doc["stage"], "regional-approval")
        self.assertEqual([a["name"] for a in doc["attachments"]], ["scan.pdf"])
        # The form shown again is on the new version: sent without a file, it approves.
        version2 = re.search(r'name="version" value="([0-9a-f]{40})"', r.raw).group(1)
        self.assertEqual(version2, doc["version"])
        r = self.upload(b, f"/ui/d/{pid}/act", self.act_fields(csrf, version2))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(s.get("/api/v1/documents/" + pid, "appr1").json["stage"],
                         "ministry-agreement")

    def test_no_upload_for_who_may_not_attach(self):
        # The reviewers' actions record nothing; the chair's transfer form has no file.
        s = self.srv
        r = s.post("/api/v1/documents", case_body("W-0001"), "off11")
        self.assertEqual(r.status, 201, r)
        cid = r.json["id"]
        r = s.act(cid, "start-review", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        b = self.browser("chair11")
        page = b.get(f"/ui/d/{cid}/act?action=transfer").raw
        self.assertIn("fields.transfer.to", page)
        self.assertNotIn('type="file"', page)
        self.assertNotIn("multipart", page)

    # ---- finding 12 and "also": the transfer's reminder and section ------------

    def test_transfer_reminder_and_section(self):
        s = self.srv
        r = s.post("/api/v1/documents", case_body("W-0002"), "off11")
        self.assertEqual(r.status, 201, r)
        cid = r.json["id"]
        r = s.act(cid, "start-review", "off11", r.header("ETag"))
        b = self.browser("chair11")
        page = text_of(b.get(f"/ui/d/{cid}?lang=ru").raw)
        self.assertNotIn("Передача в другой регион", page)  # nothing to show yet
        self.assertIn("Передать в другой регион", page)  # the action still offered
        r = s.act(cid, "transfer", "chair11", r.header("ETag"),
                  fields={"transfer": {"to": "KZ-15", "reason": "Семья переехала"}})
        self.assertEqual(r.status, 200, r)
        page = text_of(b.get(f"/ui/d/{cid}?lang=ru").raw)
        self.assertIn("Передача в другой регион", page)
        self.assertIn("Актюбинская область", page)
        inbox = b.get("/ui/inbox?lang=ru").raw
        line = next(tr for tr in inbox.split("<tr") if f"/ui/d/{cid}\"" in tr)
        self.assertIn("Ожидает решения о передаче", line)
        self.assertNotIn("Подходит срок проверки", line)
        kk = b.get("/ui/inbox?lang=kk").raw
        self.assertIn("Беру туралы шешімді күтуде", kk)
        en = b.get("/ui/inbox?lang=en").raw
        self.assertIn("Transfer awaiting decision", en)

    # ---- finding 13: the public execution report names its plan ---------------

    def test_public_execution_names_its_plan(self):
        s = self.srv
        plan = in_force_plan(s, "KZ-11")
        doc = s.get("/api/v1/documents/" + plan, "aud").json
        title = doc["title"]
        body = execution_body(plan, year=doc["fields"]["period"], half="1", rows=[
            {"measure": 1, "actual": 10, "spent_kzt": 0, "status": "done"}])
        r = s.post("/api/v1/documents", body, "off11")
        self.assertEqual(r.status, 201, r)
        eid = r.json["id"]
        r = s.act(eid, "submit", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        r = s.act(eid, "accept", "rev1", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "accepted"), r)
        for lang in ("ru", "kk"):
            page = s.request("GET", f"/public/{eid}?lang={lang}").raw
            self.assertIn(f'<a href="/public/{plan}">{title}</a>', page)
            self.assertNotIn(plan, text_of(page))

    # ---- finding 18: the agency's name in the header; kk edition dates --------

    def test_agency_officer_header_names_the_agency(self):
        b = self.browser("agp1")
        page = text_of(b.get("/ui/inbox?lang=ru").raw)
        # The agency's name places it: no region repeated after it.
        self.assertIn("Специалист ведомства, Инспекция по делам несовершеннолетних Департамента "
                      "полиции Акмолинской области Выйти", page)
        kk = text_of(b.get("/ui/inbox?lang=kk").raw)
        self.assertRegex(kk, r"Ведомство маманы, Ақмола облысы Полиция департаментінің[^()]* Шығу")

    def test_kk_edition_headings_official_dates(self):
        s = self.srv
        plan = in_force_plan(s, "KZ-11")
        etag = s.get("/api/v1/documents/" + plan, "off11").header("ETag")
        r = s.act(plan, "amend", "off11", etag, comment="Новая мера")
        self.assertEqual(r.status, 200, r)
        walk_chain(s, plan, r.header("ETag"), act=ACT)
        b = self.browser("off11")
        kk = text_of(b.get(f"/ui/d/{plan}/history?lang=kk").raw)
        self.assertIn("2026 жылғы 10 шілдеден бастап 2026 жылғы 10 шілдеге дейін күшінде болды",
                      kk)
        self.assertIn("2026 жылғы 10 шілдеден бастап күшінде", kk)
        ru = text_of(b.get(f"/ui/d/{plan}/history?lang=ru").raw)
        self.assertIn("действовала с 10.07.2026 по 10.07.2026", ru)

    # ---- also: /me and the attach right; 413 as a page -------------------------

    def test_me_lists_the_attach_right(self):
        me = self.srv.get("/api/v1/me", "appr1").json["documents"]
        self.assertEqual(me["regional-plan"]["attach"], "own-region")
        self.assertEqual(me["commission-roster"]["attach"], "own-region")
        self.assertIs(me["plan-execution"]["attach"], False)
        rev = self.srv.get("/api/v1/me", "rev1").json["documents"]
        self.assertIs(rev["regional-plan"]["attach"], False)
        self.assertEqual(self.srv.get("/api/v1/me", "adm").json["documents"]
                         ["regional-plan"]["attach"], "all")

    def too_big(self, path, cookie="", lang="kk"):
        """A POST announcing 50 MB and sending none of it: the answer's
        status line, headers and body as text."""
        with socket.create_connection(("127.0.0.1", self.srv.port), timeout=120) as c:
            c.sendall((f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 52428800\r\n"
                       f"Content-Type: multipart/form-data; boundary=x\r\n"
                       f"Cookie: kenes_lang={lang}{cookie}\r\n\r\n").encode())
            data = b""
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    break
                data += chunk
        return data.decode("utf-8", "replace")

    def test_upload_far_over_the_limit_is_a_page(self):
        s = self.srv
        pid, _ = self.plan_in("draft")
        b = self.browser("off11", lang="kk")
        before = commit_count(s.docs_git)
        cookie = "; kenes_session=" + b.jar["kenes_session"]
        for tail in ("attach", "act"):
            raw = self.too_big(f"/ui/d/{pid}/{tail}", cookie)
            self.assertTrue(raw.startswith("HTTP/1.1 413"), raw[:200])
            self.assertIn("Content-Type: text/html", raw)
            self.assertIn("Content-Security-Policy:", raw)
            self.assertIn("Файл тым үлкен", raw)
            self.assertIn("10 МБ", raw)
            self.assertIn(f'href="/ui/d/{pid}"', raw)
        # Any other page route: the general sentence, still a page.
        raw = self.too_big("/ui/new/regional-plan", cookie, lang="ru")
        self.assertTrue(raw.startswith("HTTP/1.1 413"), raw[:200])
        self.assertIn("Отправлено слишком много данных", raw)
        # The API keeps its JSON.
        raw = self.too_big(f"/api/v1/documents/{pid}/attachments?name=a.pdf")
        self.assertIn("application/json", raw)
        self.assertIn('"attachment_too_big"', raw)
        self.assertEqual(commit_count(s.docs_git), before)


if __name__ == "__main__":
    unittest.main()
