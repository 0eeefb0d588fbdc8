"""Deadlines that chase the work, and the reports published from it."""
import http.client
import io
import os
import re
import subprocess
import tempfile
import threading
import unittest
import zipfile

from kenes_harness import (APPROVERS, ServerTest, commit_count, git, hold_meeting, plan_body,
                           roster_body, wait_until, walk_chain)
from test_cases import USERS_C, case_body

NOW = "2026-02-12T09:00:00Z"  # ten days after the order of 2 February


def names(i):
    return (f"K15-{i:04d}" if i < 7 else f"K11-{i:04d}", f"Ребёнок Тестовый Номер{i}",
            f"2012-0{1 + i % 9}-1{i % 10}")


def in_force(srv, doc_id, etag, until="in-force"):
    """doc_id (the admin's) through the chain: the region's akimat approver
    (the admin acting for the akimat where the harness has none), two
    reviewers.  The last answer."""
    return walk_chain(srv, doc_id, etag, official="adm",
                      approver=APPROVERS.get(doc_id.split("/")[1], "adm"), until=until)


def fetch(srv, path):
    """GET path without a login: status, headers, body (bytes)."""
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    headers = dict(r.getheaders())
    c.close()
    return r.status, headers, body


class Reports(ServerTest):
    users = USERS_C
    env = {"KENES_NOW": NOW}
    reports = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        # A roster ordered on 2 February, still a draft: overdue since the 9th.
        r = s.post("/api/v1/documents", roster_body(region="KZ-11", order_date="2026-02-02"), "off11")
        assert r.status == 201, r
        # 7 cases in KZ-15 and 3 in KZ-11.
        cls.children = []
        for i in range(10):
            pseudo, name, birth = names(i)
            region = "KZ-15" if i < 7 else "KZ-11"
            off = "off15" if i < 7 else "off11"
            body = case_body(region=region, child={"pseudonym": pseudo, "full_name": name,
                                                  "birth_date": birth, "school": "Лицей №42"},
                             grounds=["truancy"] if i % 2 else ["bullying-victim"])
            r = s.post("/api/v1/documents", body, off)
            assert r.status == 201, r
            cls.children.append((pseudo, name, birth, r.json["id"]))

    def page(self, path):
        return fetch(self.srv, path)

    def publish(self):
        r = self.srv.request("POST", "/api/v1/reports/generate", token=self.srv.token("adm"))
        self.assertEqual(r.status, 200, r)
        return r.json["changed"]

    def test_overdue_roster_in_document_list_and_national_report(self):
        s = self.srv
        doc = s.get("/api/v1/documents/roster/KZ-11/2026-02", "aud").json
        # The national order's term (31 January + 7 days), whatever order_date says.
        self.assertEqual((doc["due"], doc["overdue"]), ("2026-02-07T00:00:00Z", True))
        ids = [d["id"] for d in s.get("/api/v1/documents?overdue=true", "aud").json["documents"]]
        self.assertIn("roster/KZ-11/2026-02", ids)
        self.assertNotIn("roster/KZ-11/2026-02",
                         [d["id"] for d in s.get("/api/v1/documents?overdue=false", "aud").json["documents"]])
        inbox = s.get("/api/v1/inbox", "off11").json["items"]
        self.assertEqual(inbox[0]["id"], "roster/KZ-11/2026-02")  # earliest due first
        self.assertTrue(inbox[0]["overdue"])
        self.assertIn("submit", inbox[0]["actions"])
        self.publish()
        status, _, md = self.page("/reports/national.md")
        self.assertEqual(status, 200)
        row = [l for l in md.decode().splitlines() if "Акмолинская" in l and "|" in l]
        self.assertTrue(any("просроч" in l for l in row), row)

    def test_follow_up_past_due_is_in_the_officials_inbox(self):
        s = self.srv
        # In KZ-15, whose approved roster (for the meeting) leaves KZ-11's
        # overdue draft the one the other tests read.
        r = s.post("/api/v1/documents", case_body(region="KZ-15",
                   child={"pseudonym": "K15-0777", "full_name": "Айдар Проверочный", "birth_date": "2013-01-01"},
                   accompanier={"name": "Оспанова Динара", "organisation": "Центр поддержки"},
                   follow_ups=[{"due": "2026-03-10", "measure": 1}]), "off15")
        self.assertEqual(r.status, 201, r)
        cid = r.json["id"]
        r = s.act(cid, "start-review", "off15", r.header("ETag"))
        hold_meeting(s, "KZ-15", {cid: "approve-plan"}, date="2026-02-05")
        r = s.act(cid, "approve-plan", "chair15", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        r = s.act(cid, "begin-accompaniment", "off15", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        fields = r.json["fields"]
        fields["follow_ups"] = [{"due": "2026-02-10", "measure": 1, "done": None, "outcome": None,
                                 "next_steps": ""},
                                {"due": "2026-03-10", "measure": 1, "done": None, "outcome": None,
                                 "next_steps": ""}]
        r = s.put("/api/v1/documents/" + cid, {"fields": fields}, "off15", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["due"], r.json["overdue"]), ("2026-02-10T00:00:00Z", True))
        item = [i for i in s.get("/api/v1/inbox", "off15").json["items"] if i["id"] == cid][0]
        self.assertTrue(item["overdue"])
        self.assertEqual(item["pseudonym"], "K15-0777")
        self.assertNotIn(cid, [i["id"] for i in s.get("/api/v1/inbox", "off11").json["items"]])
        self.assertNotIn(cid, [i["id"] for i in s.get("/api/v1/inbox", "rev1").json["items"]])

    def test_case_report_small_counts_and_no_child(self):
        s = self.srv
        self.publish()
        status, _, md = self.page("/reports/cases.md")
        self.assertEqual(status, 200)
        text = md.decode()
        # Counted per closed month only (test_case_aggregates.py): February
        # runs, so no count of these cases is out yet.
        self.assertIn("## Дела и контрольные проверки по месяцам", text)
        self.assertIn("Ни один месяц с делами ещё не закончился.", text)
        self.assertNotIn("Актюбинская", text)
        # Nothing of a child anywhere public: report files in git, pages, bundle.
        reports_tree = git(s.docs_git, "log", "-p", "--", "reports/")
        pages = b""
        for p in ["/reports/", "/reports/national", "/reports/cases", "/reports/regions/KZ-11",
                  "/reports/regions/KZ-15", "/reports/cases.md", "/reports/national.md"]:
            status, _, body = self.page(p)
            self.assertEqual(status, 200, p)
            pages += body
        for pseudo, name, birth, cid in self.children:
            for secret in (pseudo, name, birth, cid, "Лицей №42"):
                self.assertNotIn(secret, reports_tree)
                self.assertNotIn(secret.encode(), pages)

    def test_reports_in_git_pages_and_bundle(self):
        s = self.srv
        changed = self.publish()
        before = commit_count(s.docs_git)
        self.assertEqual(self.publish(), [])  # nothing changed: no commit
        self.assertEqual(commit_count(s.docs_git), before)
        log = git(s.docs_git, "log", "--format=%s|%(trailers:key=Kenes-Action,valueonly,separator=)", "--", "reports/")
        self.assertIn("Publish reports|publish", log)
        tree = git(s.docs_git, "ls-tree", "-r", "--name-only", "main", "reports/")
        for name in ("reports/national.md", "reports/cases.md", "reports/regions/KZ-11.md",
                     "reports/regions/KZ-62.md"):
            self.assertIn(name, tree)
        # A region with no documents says so.
        status, _, md = self.page("/reports/regions/KZ-62.md")
        self.assertEqual(status, 200)
        self.assertIn("область Ұлытау", md.decode())
        status, headers, html = self.page("/reports/national")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/html"))
        csp = headers["Content-Security-Policy"]
        self.assertIn("default-src 'none'", csp)
        self.assertIn("style-src 'self'", csp)  # the interface's style sheet, nothing else
        self.assertNotIn("script-src", csp)
        self.assertNotIn("unsafe", csp)
        self.assertIn(b'<div class="table-wrap">\n<table', html)  # wide tables scroll
        self.assertIn(b'<link rel="stylesheet" href="/static/kenes.css">', html)
        # The title once: the report's heading, and the same words in <title>.
        self.assertEqual(html.count(b"<h1"), 1)
        h1 = re.search(rb"<h1>(.*?)</h1>", html).group(1)
        self.assertIn(b"<title>" + h1 + " — Кеңес</title>".encode(), html)
        status, headers, data = self.page("/reports/bundle.zip")
        self.assertEqual(status, 200)
        with tempfile.NamedTemporaryFile(suffix=".zip", delete=False) as f:
            f.write(data)
        try:
            p = subprocess.run(["unzip", "-t", f.name], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        finally:
            os.unlink(f.name)
        self.assertEqual(self.page("/reports/nope")[0], 404)
        self.assertIn(self.page("/reports/../users.yaml")[0], (400, 404))
        self.assertIn(self.page("/reports/regions/../../users")[0], (400, 404))
        r = s.request("POST", "/api/v1/reports/generate", token=s.token("rev1"))
        self.assertEqual(r.status, 403)
        r = s.request("POST", "/api/v1/reports/generate")
        self.assertEqual(r.status, 401)

    def test_pages_follow_what_is_published(self):
        """Pages are kept rendered; a publication must still show at once."""
        s = self.srv
        self.publish()
        status, _, before = self.page("/reports/regions/KZ-31")
        self.assertEqual(status, 200)
        self.assertEqual(self.page("/reports/regions/KZ-31")[2], before)  # the same page again
        self.assertNotIn("Серикова Айжан".encode(), before)

        def bundled(name):
            status, _, data = self.page("/reports/bundle.zip")
            self.assertEqual(status, 200)
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return z.read(name).decode()

        self.assertNotIn("Серикова Айжан", bundled("regions/KZ-31.md"))
        r = s.post("/api/v1/documents", roster_body(region="KZ-31"), "adm")
        r = in_force(s, "roster/KZ-31/2026-02", r.header("ETag"))
        self.assertEqual(self.page("/reports/regions/KZ-31")[2], before)  # not yet published
        self.publish()
        status, _, after = self.page("/reports/regions/KZ-31")
        self.assertEqual(status, 200)
        self.assertIn("Серикова Айжан".encode(), after)
        self.assertIn("Серикова Айжан", bundled("regions/KZ-31.md"))  # the bundle follows too
        status, _, public = self.page("/public/roster/KZ-31/2026-02")
        self.assertEqual(status, 200)
        self.assertEqual(self.page("/public/roster/KZ-31/2026-02")[2], public)

    def test_encodings_of_one_page_are_one_page(self):
        """Percent-encodings of one name are countless: each must not keep a
        page of its own (the cache is keyed by what was published)."""
        s = self.srv
        self.publish()
        name = "regions/KZ-11"
        status, _, want = self.page("/reports/" + name)
        self.assertEqual(status, 200)

        def rss_kb():
            with open(f"/proc/{s.proc.pid}/status") as f:
                return int([l for l in f if l.startswith("VmRSS:")][0].split()[1])

        before = rss_kb()
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
        for i in range(1, 4000):
            path = "".join("%%%02X" % ord(c) if i >> k & 1 else c for k, c in enumerate(name))
            conn.request("GET", "/reports/" + path)
            r = conn.getresponse()
            body = r.read()
            self.assertEqual((r.status, body), (200, want), path)
        conn.close()
        # 4,000 pages of this report kept would be some 16 MB.
        with open(f"/proc/{s.proc.pid}/maps") as f:
            if "libasan" in f.read():
                return  # ASan's quarantine keeps freed memory: RSS says nothing there
        grown = rss_kb() - before
        self.assertLess(grown, 4 * 1024, f"{grown} KiB more")

    def test_a_long_page_renders_while_the_server_answers(self):
        """A 250 KB table takes cmark a good fraction of a second: the server
        answers meanwhile, and the page comes whole.  That the render runs off
        the loop, so that /healthz is answered before the page, is an order of
        events unit_pages shows (a_long_page_renders_off_the_loop): here the
        two would only race."""
        s = self.srv
        body = "|" + "h|" * 20 + "\n|" + "-|" * 20 + "\n" + ("|" + "a|" * 20 + "\n") * 6000
        r = s.post("/api/v1/documents", plan_body(region="KZ-47", body=body), "adm")
        self.assertEqual(r.status, 201, r)
        r = in_force(s, "plan/KZ-47/2026", r.header("ETag"))
        got = {}

        def render():
            status, _, html = self.page("/public/plan/KZ-47/2026")
            got["page"] = (status, html.count(b"<tr>"))

        t = threading.Thread(target=render)
        t.start()
        self.assertEqual(self.page("/healthz")[0], 200)
        t.join()
        # The body's table, the measures' (one table per direction, each
        # with its head: 4 x 2) and the history (create, submit, approve,
        # agree, agree + head).
        self.assertEqual(got["page"], (200, 6001 + 8 + 6))

    def test_public_documents_and_hostile_markdown(self):
        s = self.srv
        hostile = ("<script>alert(1)</script>\n\n[click](javascript:alert(1))\n\n"
                   "[data](data:text/html;base64,PHNjcmlwdD4=)\n\n<img src=x onerror=alert(1)>\n\n"
                   + ">" * 10000 + " deep\n")
        r = s.post("/api/v1/documents", plan_body(region="KZ-75", body=hostile), "adm")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.page("/public/plan/KZ-75/2026")[0], 404)  # a draft is not public
        r = in_force(s, "plan/KZ-75/2026", r.header("ETag"), until="ministry-agreement")
        self.assertEqual(self.page("/public/plan/KZ-75/2026")[0], 404)  # nor one being agreed
        r = s.act("plan/KZ-75/2026", "agree", "rev1", r.header("ETag"))
        r = s.act("plan/KZ-75/2026", "agree", "rev2", r.header("ETag"))
        self.assertEqual(r.json["stage"], "in-force", r)
        # Answered, and whole: the work budget (a count of steps, unit_render)
        # lets it through; how long it takes is bench_render's to measure.
        status, headers, html = self.page("/public/plan/KZ-75/2026")
        self.assertEqual(status, 200)
        low = html.lower()
        # The page's one script is the interface's own file; the body has none.
        self.assertEqual(low.count(b"<script"), 1)
        self.assertIn(b'<script src="/static/kenes.js" defer></script>', low)
        body = low[low.index(b'data-kenes="body"'):low.index(b"</article>")]
        for bad in (b"<script", b"javascript:", b"data:text/html", b"<img", b"onerror="):
            self.assertNotIn(bad, body, bad)
            self.assertEqual(low.count(bad), 1 if bad == b"<script" else 0, bad)
        self.assertIn("История версий".encode(), html)
        self.assertIn(b"deep", html)
        self.assertEqual(self.page("/public/" + self.children[0][3])[0], 404)  # a case, never


LANGS = {"ru": "", "kk": "kk/", "en": "en/"}
CITIES = {"ru": ("город Астана", "город Алматы", "город Шымкент"),
          "kk": ("Астана қаласы", "Алматы қаласы", "Шымкент қаласы"),
          "en": ("Astana", "Almaty", "Shymkent")}


class ReportLanguages(ServerTest):
    """Reports in Russian (reports/), Kazakh (reports/kk/) and English
    (reports/en/), one commit per publication; the terminology of the order;
    the roster deadline is the national order's (31.01.2026 + 7 days), the
    same for every region, whatever order_date a region typed."""
    reports = True
    env = {"KENES_NOW": "2026-02-12T09:00:00Z"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        # Astana's roster: its own order_date a month later moves nothing;
        # in force on the 12th, after the 7th: late.
        r = s.post("/api/v1/documents", roster_body(region="KZ-71", order_date="2026-03-01"), "adm")
        assert r.status == 201, r
        in_force(s, "roster/KZ-71/2026-03", r.header("ETag"))
        # Almaty's, without an order_date (the field is optional now): named
        # by the national order's month, a draft past the deadline.
        body = roster_body(region="KZ-75")
        del body["fields"]["order_date"]
        r = s.post("/api/v1/documents", body, "adm")
        assert r.status == 201, r
        cls.almaty = r.json["id"]
        r = s.post("/api/v1/documents", plan_body(region="KZ-11"), "adm")
        in_force(s, "plan/KZ-11/2026", r.header("ETag"))
        before = commit_count(s.docs_git)
        r = s.request("POST", "/api/v1/reports/generate", token=s.token("adm"))
        assert r.status == 200, r
        cls.changed = r.json["changed"]
        cls.commits = commit_count(s.docs_git) - before

    def page(self, path):
        status, _, body = fetch(self.srv, path)
        return status, body.decode()

    def md(self, lang, name):
        return git(self.srv.docs_git, "show", f"main:reports/{LANGS[lang]}{name}.md")

    def test_every_language_in_one_commit(self):
        self.assertLessEqual(self.commits, 1)
        tree = git(self.srv.docs_git, "ls-tree", "-r", "--name-only", "main", "reports/").split()
        for folder in LANGS.values():
            for name in ("national.md", "cases.md", "regions/KZ-11.md", "regions/KZ-71.md",
                         "regions/KZ-62.md"):
                self.assertIn(f"reports/{folder}{name}", tree)
        self.assertEqual(len(tree), 3 * 22)
        # Each publication writes every language in its one commit.
        for commit in git(self.srv.docs_git, "log", "--format=%H", "--", "reports/").split():
            files = git(self.srv.docs_git, "show", "--name-only", "--format=", commit).split()
            for name in ("national.md", "cases.md", "regions/KZ-11.md", "regions/KZ-71.md"):
                self.assertIn(len([f for f in files if f in [f"reports/{d}{name}" for d in
                                                             LANGS.values()]]), (0, 3),
                              (commit, files))
        msg = git(self.srv.docs_git, "log", "-1", "--format=%B", "main")
        self.assertIn("reports/kk/national.md", msg)
        self.assertIn("Kenes-Action: publish", msg)

    def test_served_in_each_language_with_its_own_headings(self):
        want = {"ru": ("# Национальная сводка: регионы, планы и составы комиссий",
                       "## Региональные планы", "## Составы комиссий по делам несовершеннолетних"),
                "kk": ("# Ұлттық жиынтық: өңірлер, жоспарлар және комиссиялардың құрамы",
                       "## Өңірлік жоспарлар",
                       "## Кәмелетке толмағандардың істері жөніндегі комиссиялардың құрамы"),
                "en": ("# National summary: regions, plans and commission rosters",
                       "## Regional plans", "## Rosters of the commissions on minors' affairs")}
        for lang, headings in want.items():
            with self.subTest(lang=lang):
                md = self.md(lang, "national")
                for h in headings:
                    self.assertIn(h + "\n", md)
                status, html = self.page(f"/reports/{LANGS[lang]}national")
                self.assertEqual(status, 200)
                self.assertIn(f'<html lang="{lang}">', html)
                status, served = self.page(f"/reports/{LANGS[lang]}national.md")
                self.assertEqual((status, served), (200, md))
        # No Russian heading left in the others.
        for lang in ("kk", "en"):
            for name in ("national", "cases", "regions/KZ-11", "regions/KZ-71"):
                md = self.md(lang, name)
                for ru in ("Регион", "Региональн", "Составы", "Состав комиссии", "Отчёт",
                           "Утверждён", "Дела и контрольные"):
                    self.assertNotIn(ru, md, (lang, name))
        # The English summary has no Cyrillic at all (no member is named there).
        self.assertIsNone(re.search("[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]", self.md("en", "national")))
        kk = self.md("kk", "regions/KZ-11")
        self.assertIn("# Өңір бойынша есеп: Ақмола облысы\n", kk)
        self.assertIn("## Өңірлік жоспар\n", kk)
        self.assertIn("#### Қауіпсіздік\n", kk)
        self.assertIn("## Айлар бойынша істер мен бақылау тексерулері\n", self.md("kk", "cases"))
        self.assertIn("## Cases and follow-up checks by month\n", self.md("en", "cases"))

    def test_terminology(self):
        for lang in LANGS:
            for name in ("national", "cases", "regions/KZ-11", "regions/KZ-71", "regions/KZ-75",
                         "regions/KZ-10"):
                md = self.md(lang, name)
                with self.subTest(lang=lang, name=name):
                    self.assertNotIn("НКО", md)
                    self.assertNotIn("№ №", md)
                    self.assertNotIn("No. №", md)
                    for line in md.splitlines():
                        if any(city in line for city in CITIES[lang]):
                            self.assertNotIn("област", line)
                            self.assertNotIn("облыс", line)
        ru = self.md("ru", "national")
        self.assertIn("| Регион | Этап |", ru)
        self.assertIn("| НПО |", ru)
        self.assertIn("| ҮЕҰ |", self.md("kk", "national"))
        self.assertIn("| NGOs |", self.md("en", "national"))
        self.assertIn("| область Абай |", ru)
        self.assertIn("| область Жетісу |", ru)
        self.assertIn("| область Ұлытау |", ru)
        self.assertIn("# Отчёт по региону: город Астана\n", self.md("ru", "regions/KZ-71"))
        self.assertIn("# Отчёт по региону: область Абай\n", self.md("ru", "regions/KZ-10"))
        # The akimat's resolution recorded as «№ 21»: one sign.
        self.assertIn("Утверждён постановлением акимата № 21 от 06.02.2026.",
                      self.md("ru", "regions/KZ-71"))
        self.assertIn("06.02.2026 № 21 әкімдік қаулысымен бекітілді.",
                      self.md("kk", "regions/KZ-71"))
        self.assertIn("Approved by akimat resolution No. 21 of 06.02.2026.",
                      self.md("en", "regions/KZ-71"))
        self.assertIn("№ 15 от 05.02.2026", self.md("ru", "regions/KZ-11"))

    def test_roster_lateness_by_the_national_order(self):
        self.assertEqual(self.almaty, "roster/KZ-75/2026-01")
        late = {"ru": "просрочен", "kk": "мерзімі өтіп кетті", "en": "late"}
        due = {"ru": "до 07.02.2026", "kk": "07.02.2026 ж. дейін", "en": "by 07.02.2026"}
        # The region's report says since when kenes has the roster in force
        # (the ministry's agreement ended the chain): the date the deadline is
        # measured by (the akimat's resolution may be dated in time).
        recorded = {"ru": r"; действует в системе с \d\d\.\d\d\.\d{4} — с опозданием\.",
                    "kk": r"; жүйеде \d\d\.\d\d\.\d{4} бастап күшінде — кешіктірілді\.",
                    "en": r"; in force in kenes since \d\d\.\d\d\.\d{4} — late\."}
        for lang in LANGS:
            with self.subTest(lang=lang):
                md = self.md(lang, "national")
                rosters = md[md.index("\n## ", md.index("| ")):]  # the second section's table
                if "✓" not in rosters:
                    rosters = md[:md.index("\n## ", md.index("| "))]
                rows = {l.split(" | ")[0][2:]: l for l in rosters.splitlines()
                        if l.startswith("| ")}
                astana, almaty, _ = CITIES[lang]
                # In force after the order's deadline, and a draft past it.
                for city in (astana, almaty):
                    self.assertIn(f" | {due[lang]} | {late[lang]} |", rows[city])
                region = self.md(lang, "regions/KZ-71")
                self.assertRegex(region, re.escape(due[lang]) + recorded[lang])
                if lang != "en":  # «просрочен» reads as never approved
                    self.assertNotIn(f"— {late[lang]}.", region)

    def test_order_date_is_optional_but_checked(self):
        s = self.srv
        before = commit_count(s.docs_git)
        r = s.post("/api/v1/documents", roster_body(region="KZ-79", order_date="31.01.2026"), "adm")
        self.assertEqual(r.status, 422, r)
        bad = [(f["path"], f["code"]) for f in r.json["error"]["fields"]]
        self.assertEqual(bad, [("fields.order_date", "not_date")])
        self.assertEqual(commit_count(s.docs_git), before)

    def test_each_index_links_every_language(self):
        for lang, folder in LANGS.items():
            with self.subTest(lang=lang):
                status, html = self.page(f"/reports/{folder}")
                self.assertEqual(status, 200)
                self.assertIn(f'<html lang="{lang}">', html)
                for other in LANGS.values():
                    self.assertIn(f'href="/reports/{other}"', html)
                for name in ("national", "cases", "regions/KZ-71"):
                    self.assertIn(f'href="/reports/{folder}{name}"', html)
                self.assertIn('href="/reports/bundle.zip"', html)
                self.assertIn(CITIES[lang][0], html)
        status, html = self.page("/reports/kk")
        self.assertEqual(status, 200)
        self.assertIn("Есептер", html)
        data = fetch(self.srv, "/reports/bundle.zip")[2]
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            listed = set(z.namelist())
        for name in ("national.md", "kk/national.md", "en/cases.md", "kk/regions/KZ-71.md"):
            self.assertIn(name, listed)
        self.assertEqual(self.page("/reports/kz/national")[0], 404)


class AutoPublish(ServerTest):
    reports = True

    def test_an_agreement_publishes_the_reports(self):
        s = self.srv
        r = s.post("/api/v1/documents", roster_body(region="KZ-43"), "adm")
        # The akimat's approval publishes nothing: the roster is not in force yet.
        r = in_force(s, "roster/KZ-43/2026-02", r.header("ETag"), until="ministry-agreement")
        self.assertNotIn("Publish reports", git(s.docs_git, "log", "--format=%s", "main"))
        r = s.act("roster/KZ-43/2026-02", "agree", "rev1", r.header("ETag"))
        r = s.act("roster/KZ-43/2026-02", "agree", "rev2", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "in-force"), r)
        wait_until(lambda: "Publish reports" in git(s.docs_git, "log", "-3", "--format=%s", "main"),
                   "no publication after the agreement")
        md = git(s.docs_git, "show", "main:reports/regions/KZ-43.md")
        self.assertIn("Кызылординская", md)
        self.assertIn("Серикова Айжан", md)  # the members of a roster in force are public


class DailyPublish(ServerTest):
    """reports.daily_at (UTC): with the clock fixed a second before 05:00 UTC,
    the daily publication comes a second after start."""
    reports = True
    env = {"KENES_NOW": "2026-02-12T04:59:59Z"}

    def test_the_daily_publication_comes(self):
        s = self.srv

        def published():  # an empty repository has no main yet
            return "Publish reports" in git(s.docs_git, "log", "--format=%s", "main", check=False)

        wait_until(published, "no daily publication")
        md = git(s.docs_git, "show", "main:reports/cases.md")
        self.assertIn("Ни один месяц с делами ещё не закончился.", md)


class DeadlineWakeUp(ServerTest):
    """A deadline that a write brings in (a roster is due when the national
    order's term ends, on 7 February at 00:00 UTC) wakes the server when it
    passes: the reports are republished then, not at the next daily
    publication."""
    reports = True
    env = {"KENES_NOW": "2026-02-06T23:59:57Z"}  # three seconds before it

    def test_a_new_deadline_republishes_when_it_passes(self):
        s = self.srv
        r = s.post("/api/v1/documents", roster_body(region="KZ-11", order_date="2026-02-02"), "adm")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["due"], "2026-02-07T00:00:00Z")

        def published():
            return "Publish reports" in git(s.docs_git, "log", "--format=%s", "main", check=False)

        self.assertFalse(published())
        wait_until(published, "no publication when the deadline passed")
        self.assertIn("a deadline passed", s.read_log())


if __name__ == "__main__":
    unittest.main()
