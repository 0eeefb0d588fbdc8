"""Issue 17, item 5: lists as CSV and XLSX (README, "Exports").

Plans' measures, rosters' members and the case releases as published, read
back with python's csv and zipfile + XML: the BOM, the quoting, a
formula-looking title neutralised, Cyrillic intact, the header row bold and
frozen, dates as dates; the access matrix (the public gets what is in
force, a region's official its own region's current edition only); and a
marker typed into a case never in any export."""
import csv
import http.client
import io
import re
import unittest
import urllib.parse
import zipfile
import xml.etree.ElementTree as ET

from kenes_harness import (Browser, ServerTest, approved_roster, commit_count, git, in_force_plan,
                           plan_body, plan_measure)
from test_cases import USERS_C, case_body
from test_execution import execution_body

FEB = "2026-02-10T09:00:00Z"
MARCH = "2026-03-02T09:00:00Z"
FORMULA = '=HYPERLINK("http://example.invalid/x","Нажмите")'
LEAD = 'ГУ "Отдел образования", г. Кокшетау'
CASE_MARKER = "ЗАКРЫТО-Маркер-Альфа"
DRAFT_MARKER = "Черновик-Маркер-КЗ15"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def measures():
    m = [plan_measure("safety", FORMULA, "2026-Q2", 12500000),
         plan_measure("education", "Обучение педагогов\nпрофилактике буллинга", "2026-09-01"),
         plan_measure("health", "Школьные психологи: супервизия", "2026-Q3", 4000000),
         plan_measure("family-social-protection", "-1 семья в трудной ситуации", "2026-Q4")]
    m[0]["lead_agency"] = LEAD
    return m


def fetch(srv, path, token=None, headers=None):
    """(status, headers, raw bytes): an export is bytes, not text."""
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=120)
    try:
        c.request("GET", path, headers=h)
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def read_csv(raw):
    """The rows of a CSV export: BOM first, CRLF line ends."""
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:10]
    text = raw[3:].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def read_xlsx(raw):
    """(rows as {column letter: value}, the sheet's XML root, styles root):
    shared strings resolved, numbers as floats."""
    z = zipfile.ZipFile(io.BytesIO(raw))
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
    sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.find("m:sheetData", NS).findall("m:row", NS):
        cells = {}
        for c in row.findall("m:c", NS):
            col = re.match(r"[A-Z]+", c.get("r")).group(0)
            v = c.find("m:v", NS)
            if c.find("m:f", NS) is not None:
                raise AssertionError("a formula in an export: " + c.get("r"))
            if c.get("t") == "s":
                cells[col] = (shared[int(v.text)], c.get("s"))
            elif v is not None:
                cells[col] = (float(v.text), c.get("s"))
        rows.append(cells)
    return rows, sheet, ET.fromstring(z.read("xl/styles.xml")), z


def xlsx_text(raw):
    """Every XML part of a workbook, as text (for what must not be in it)."""
    z = zipfile.ZipFile(io.BytesIO(raw))
    return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


class Exports(ServerTest):
    users = USERS_C
    env = {"KENES_NOW": FEB}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        cls.plan = in_force_plan(s, "KZ-11", measures=measures())
        cls.roster = approved_roster(s, "KZ-11")
        # Its execution report for the first half, accepted.
        r = s.post("/api/v1/documents", execution_body(cls.plan), "off11")
        assert r.status == 201, r
        r = s.act(r.json["id"], "submit", "off11", r.header("ETag"))
        assert r.status == 200, r
        r = s.act(r.json["id"], "accept", "rev2", r.header("ETag"))
        assert r.status == 200 and r.json["stage"] == "accepted", r
        # KZ-15: a draft only, never in force.
        body = plan_body(region="KZ-15")
        body["fields"]["measures"][0]["title"] = DRAFT_MARKER
        r = s.post("/api/v1/documents", body, "off15")
        assert r.status == 201, r
        # A case in February, with a marker in what its official typed.
        child = {"pseudonym": "K11-0099", "full_name": CASE_MARKER + " Ребёнок",
                 "birth_date": "2013-04-05", "address": "ул. " + CASE_MARKER,
                 "school": "Школа " + CASE_MARKER}
        r = s.post("/api/v1/documents", case_body(child=child, decision=CASE_MARKER), "off11")
        assert r.status == 201, r
        # March: February's release is published.
        s.restart_at(MARCH)
        r = s.request("POST", "/api/v1/reports/generate", token=s.token("adm"))
        assert r.status == 200 and "cases.md" in r.json["changed"], r
        cls.today = MARCH[:10]

    def get(self, path, user=None, headers=None):
        return fetch(self.srv, path, self.srv.token(user) if user else None, headers)

    def assertNoFile(self, status, headers, raw, want, code=None):
        """A refusal: the status, a JSON error, nothing to save."""
        self.assertEqual(status, want, raw[:300])
        self.assertNotIn("content-disposition", headers)
        self.assertTrue(headers["content-type"].startswith("application/json"), headers)
        if code:
            self.assertIn(f'"code":"{code}"'.encode(), raw.replace(b" ", b""))

    # ---- CSV ----

    def test_plans_csv_of_a_region(self):
        status, h, raw = self.get("/api/v1/exports/plans.csv?region=KZ-11&lang=ru")
        self.assertEqual(status, 200, raw[:300])
        self.assertEqual(h["content-type"], "text/csv; charset=utf-8; header=present")
        # An ASCII name for old clients, the reader's words in filename*.
        self.assertIn(f'filename="kenes-plans-KZ-11-{self.today}.csv"', h["content-disposition"])
        name = "Меры региональных планов KZ-11 " + self.today + ".csv"
        self.assertIn("filename*=UTF-8''" + urllib.parse.quote(name, safe=""),
                      h["content-disposition"].replace("%20", "%20"))
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"))
        self.assertTrue(raw.endswith(b"\r\n"))
        rows = read_csv(raw)
        head = rows[0]
        self.assertEqual(head[:4], ["Регион", "Документ", "Этап", "Действует с"])
        for column in ("Наименование меры", "Ответственный исполнитель", "Срок исполнения",
                       "Направление", "Исполнение"):
            self.assertIn(column, head)
        body = [dict(zip(head, r)) for r in rows[1:]]
        self.assertEqual(len(body), 4)
        first = body[0]
        self.assertEqual(first["Регион"], "Акмолинская область")
        self.assertEqual(first["Документ"], self.plan)
        self.assertEqual(first["Этап"], "Действует")
        self.assertEqual(first["Действует с"], FEB[:10])
        self.assertEqual(first["Номер постановления"], "№ 15")
        self.assertEqual(first["Дата постановления"], "2026-02-05")
        # The formula is text: a leading ' keeps a spreadsheet from running it.
        self.assertEqual(first["Наименование меры"], "'" + FORMULA)
        self.assertEqual(first["Ответственный исполнитель"], LEAD)  # quotes and comma intact
        self.assertEqual(first["Срок исполнения"], "2-й квартал 2026 г.")
        self.assertEqual(first["Направление"], "Безопасность")
        self.assertEqual(first["Сумма финансирования, тенге"], "12500000")
        self.assertEqual(first["Соисполнители"], "Департамент полиции; Управление здравоохранения")
        self.assertEqual(body[1]["Наименование меры"], "Обучение педагогов\nпрофилактике буллинга")
        self.assertEqual(body[1]["Срок исполнения"], "2026-09-01")
        self.assertEqual(body[3]["Наименование меры"], "'-1 семья в трудной ситуации")
        self.assertEqual([r["№"] for r in body], ["1", "2", "3", "4"])
        # Each measure's status from the accepted execution report.
        self.assertEqual([r["Отчёт об исполнении"] for r in body], ["2026, I полугодие"] * 4)
        self.assertEqual([r["Исполнение"] for r in body],
                         ["Выполнено", "нет данных", "В работе", "Не выполнено"])
        self.assertEqual(body[0]["Фактическое значение показателя"], "85.5")
        self.assertEqual(body[3]["Причина"], "Финансирование не выделено")
        # The raw bytes: the title's quotes doubled inside a quoted field.
        self.assertIn(b'"\'=HYPERLINK(""http://example.invalid/x"",""', raw)

    def test_country_has_what_is_in_force_only(self):
        status, h, raw = self.get("/api/v1/exports/plans.csv")
        self.assertEqual(status, 200)
        text = raw.decode("utf-8")
        self.assertIn("Акмолинская область", text)
        self.assertNotIn(DRAFT_MARKER, text)   # KZ-15's plan is a draft
        self.assertNotIn("plan/KZ-15", text)
        self.assertIn('filename="kenes-plans-' + self.today + '.csv"', h["content-disposition"])

    def test_rosters_csv_and_the_language(self):
        status, _, raw = self.get("/api/v1/exports/rosters.csv?region=KZ-11",
                                  headers={"Accept-Language": "kk, ru;q=0.5"})
        self.assertEqual(status, 200)
        rows = read_csv(raw)
        head = rows[0]
        self.assertEqual(head[0], "Өңір")
        members = [dict(zip(head, r)) for r in rows[1:]]
        self.assertEqual(len(members), 7)
        self.assertEqual(members[0]["Өңір"], "Ақмола облысы")
        self.assertEqual(members[0]["Тегі, аты, әкесінің аты"], "Серикова Айжан")
        self.assertEqual(members[0]["Комиссиядағы рөлі"], "Төраға")
        self.assertIn("ҮЕҰ", [m["Кімнің өкілі"] for m in members])
        # ?lang= wins over the header.
        _, _, raw = self.get("/api/v1/exports/rosters.csv?region=KZ-11&lang=ru",
                             headers={"Accept-Language": "kk"})
        rows = read_csv(raw)
        self.assertEqual(rows[0][0], "Регион")
        self.assertIn("НПО", [r[rows[0].index("Кого представляет")] for r in rows[1:]])

    # ---- XLSX ----

    def test_plans_xlsx(self):
        status, h, raw = self.get("/api/v1/exports/plans.xlsx?region=KZ-11&lang=kk")
        self.assertEqual(status, 200, raw[:300])
        self.assertEqual(h["content-type"],
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertIn(f'filename="kenes-plans-KZ-11-{self.today}.xlsx"', h["content-disposition"])
        rows, sheet, styles, _ = read_xlsx(raw)
        head = {col: v for col, (v, _) in rows[0].items()}
        self.assertEqual(head["A"], "Өңір")
        cols = {v: col for col, v in head.items()}
        # The header is bold, and frozen (a pane below row 1).
        fonts = styles.find("m:fonts", NS).findall("m:font", NS)
        xfs = styles.find("m:cellXfs", NS).findall("m:xf", NS)
        style = int(rows[0]["A"][1])
        self.assertIsNotNone(fonts[int(xfs[style].get("fontId"))].find("m:b", NS))
        pane = sheet.find("m:sheetViews/m:sheetView/m:pane", NS)
        self.assertEqual((pane.get("ySplit"), pane.get("state")), ("1", "frozen"))
        # Widths set per column.
        self.assertGreaterEqual(len(sheet.find("m:cols", NS).findall("m:col", NS)), len(head))
        self.assertEqual(len(rows), 5)
        first = rows[1]
        self.assertEqual(first["A"][0], "Ақмола облысы")
        # The formula-looking title is a string cell (no <f>: read_xlsx checks).
        self.assertEqual(first[cols["Іс-шараның атауы"]][0], FORMULA)
        self.assertEqual(first[cols["Жауапты орындаушы"]][0], LEAD)
        # Dates as dates: a serial number in a dd.mm.yyyy style.
        since, since_style = first[cols["Күшіне енген күні"]]
        self.assertEqual(since, 46063.0)  # 2026-02-10
        numfmt = xfs[int(since_style)].get("numFmtId")
        fmts = {f.get("numFmtId"): f.get("formatCode")
                for f in styles.find("m:numFmts", NS).findall("m:numFmt", NS)}
        self.assertEqual(fmts[numfmt], "dd.mm.yyyy")
        self.assertEqual(rows[2][cols["Орындау мерзімі"]][0], 46266.0)  # 2026-09-01
        self.assertEqual(first[cols["Орындау мерзімі"]][0], "2026 жылғы 2-тоқсан")
        self.assertEqual(first[cols["Қаржыландыру сомасы, теңге"]][0], 12500000.0)

    # ---- where the pages offer them ----

    def test_links_on_the_list_and_the_reports(self):
        s = self.srv
        page = Browser(s, "kk").signed_in("off11").get("/ui/list?type=regional-plan&region=KZ-11").raw
        self.assertIn('href="/api/v1/exports/plans.csv?lang=kk&amp;region=KZ-11"', page)
        self.assertIn('href="/api/v1/exports/plans.xlsx?lang=kk&amp;region=KZ-11"', page)
        self.assertIn("Кестемен жүктеп алу", page)
        self.assertNotIn("/api/v1/exports/rosters", page)  # another type chosen
        page = Browser(s, "ru").signed_in("aud").get("/ui/list").raw
        self.assertIn("/api/v1/exports/rosters.csv?lang=ru", page)
        self.assertIn("Действующие составы комиссий", page)
        # The landing page, for anyone: plans, rosters and the case releases.
        r = s.request("GET", "/?lang=kk")
        self.assertEqual(r.status, 200)
        for lst in ("plans", "rosters", "cases"):
            self.assertIn(f'href="/api/v1/exports/{lst}.csv?lang=kk"', r.raw)
        self.assertIn("Істер бойынша жарияланған жиынтық деректер", r.raw)
        for path, lang, words in (("/reports/", "ru", "Таблицы для скачивания"),
                                  ("/reports/kk/", "kk", "Жүктеп алуға арналған кестелер")):
            r = s.request("GET", path)
            self.assertEqual(r.status, 200)
            self.assertIn(words, r.raw)
            for lst in ("plans", "rosters", "cases"):
                self.assertIn(f'href="/api/v1/exports/{lst}.xlsx?lang={lang}"', r.raw)

    # ---- the access matrix ----

    def test_current_edition_by_role(self):
        path = "/api/v1/exports/plans.csv?edition=current"
        # The public: what is in force only.
        self.assertNoFile(*self.get(path), 401, "unauthorized")
        # KZ-15's official gets its own draft; KZ-11's does not get it.
        status, _, raw = self.get(path, "off15")
        self.assertEqual(status, 200)
        self.assertIn(DRAFT_MARKER, raw.decode())
        self.assertIn("Черновик".encode(), raw)
        status, _, raw = self.get(path, "off11")
        self.assertEqual(status, 200)
        self.assertNotIn(DRAFT_MARKER.encode(), raw)
        self.assertIn(self.plan.encode(), raw)
        self.assertNoFile(*self.get(path + "&region=KZ-15", "off11"), 403, "forbidden")
        self.assertNoFile(*self.get(path + "&region=KZ-15", "chair11"), 403, "forbidden")
        # The ministry sees every region's.
        status, _, raw = self.get(path + "&region=KZ-15", "rev1")
        self.assertEqual(status, 200)
        self.assertIn(DRAFT_MARKER.encode(), raw)

    def test_bad_input_gives_no_file(self):
        before = commit_count(self.srv.docs_git)
        self.assertNoFile(*self.get("/api/v1/exports/plans.csv?region=KZ-99"), 404,
                          "region_unknown")
        self.assertNoFile(*self.get("/api/v1/exports/plans.pdf"), 404, "unknown_format")
        self.assertNoFile(*self.get("/api/v1/exports/plans"), 404, "unknown_format")
        self.assertNoFile(*self.get("/api/v1/exports/cases-full.csv"), 404, "not_found")
        self.assertNoFile(*self.get("/api/v1/exports/plans.csv?edition=draft"), 400,
                          "bad_request")
        self.assertNoFile(*self.get("/api/v1/exports/cases.csv?edition=current", "aud"), 400,
                          "bad_request")
        self.assertNoFile(*fetch(self.srv, "/api/v1/exports/plans.csv", "not-a-token"), 401,
                          "unauthorized")
        self.assertEqual(commit_count(self.srv.docs_git), before)

    def test_exports_asked_together_all_come(self):
        # One is made at a time; the others wait their turn and are answered.
        import concurrent.futures
        paths = [f"/api/v1/exports/{l}.{f}?lang={g}" for l in ("plans", "rosters")
                 for f in ("csv", "xlsx") for g in ("ru", "kk")]
        with concurrent.futures.ThreadPoolExecutor(len(paths)) as pool:
            answers = list(pool.map(lambda p: fetch(self.srv, p), paths))
        for path, (status, h, raw) in zip(paths, answers):
            self.assertEqual(status, 200, path)
            self.assertIn("attachment", h["content-disposition"])
            self.assertTrue(raw)

    # ---- the case releases ----

    def test_cases_as_published(self):
        md = git(self.srv.docs_git, "show", "main:reports/cases.md")
        md = re.sub(r"\\(.)", r"\1", md)  # Markdown's escapes, as a reader sees the cells
        status, h, raw = self.get("/api/v1/exports/cases.csv?lang=ru")
        self.assertEqual(status, 200)
        rows = read_csv(raw)
        self.assertEqual(rows[0], ["Выпуск (месяц)", "Таблица", "Строка", "Графа", "Значение"])
        body = rows[1:]
        self.assertTrue(body)
        self.assertTrue(all(r[0].startswith("2026-02") for r in body), body[:3])
        # Each cell is the published one, "< 5" as it stands.
        by_region = {r[2]: r[4] for r in body if r[1] == "Новые дела по регионам"}
        self.assertEqual(by_region["Акмолинская область"], "< 5")
        self.assertEqual(by_region["Всего"], "< 5")
        self.assertEqual(by_region["область Абай"], "0")
        for r in body:
            self.assertRegex(md, r"\| (\*\*)?" + re.escape(r[2]) + r"(\*\*)? \| " +
                             re.escape(r[4]) + r" \|")
        # The same in XLSX, in English: a "< 5" is text, a 0 a number.
        status, _, raw = self.get("/api/v1/exports/cases.xlsx?lang=en")
        self.assertEqual(status, 200)
        rows, _, _, _ = read_xlsx(raw)
        values = {(r["C"][0], r.get("E", (None,))[0]) for r in rows[1:] if "C" in r}
        self.assertIn(("Akmola Region", "< 5"), values)
        self.assertIn(("Abai Region", 0.0), values)

    def test_no_case_content_in_any_export(self):
        s = self.srv
        seen = 0
        for lst in ("plans", "rosters", "cases"):
            for fmt in ("csv", "xlsx"):
                for lang in ("ru", "kk", "en"):
                    for user, edition in ((None, ""), ("aud", "&edition=current"),
                                          ("off11", "&edition=current")):
                        if lst == "cases" and edition:
                            continue
                        status, _, raw = self.get(
                            f"/api/v1/exports/{lst}.{fmt}?lang={lang}{edition}", user)
                        self.assertEqual(status, 200, (lst, fmt, lang, user))
                        text = raw.decode("utf-8") if fmt == "csv" else xlsx_text(raw)
                        for secret in (CASE_MARKER, "K11-0099", "2013-04-05", "case/"):
                            self.assertNotIn(secret, text, (lst, fmt, lang, user))
                        seen += 1
        self.assertEqual(seen, 42)
        # Exports are reads of public or region-wide data: the access log,
        # which records every read of a case, holds none of them.
        r = s.get("/api/v1/audit/access", "aud")
        self.assertFalse([e for e in r.json["events"] if "export" in e["action"]])


if __name__ == "__main__":
    unittest.main()
