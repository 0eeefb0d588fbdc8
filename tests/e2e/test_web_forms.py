"""The create and edit forms (/ui/new/{type}, /ui/d/{id}/edit), as a browser
without JavaScript uses them: plain HTTP, cookies by hand, forms read with
html.parser and posted back urlencoded.  Every refused form writes nothing:
the repository's commit count is the judge."""
import html.parser
import json
import os
import re
import shutil
import tempfile
import unittest

from kenes_harness import (SOURCE, USERS, Browser, Server, ServerTest, commit_count,
                            plan_body)
from test_fourth_type import fourth_type_dirs

USERS_F = USERS + [("chair11", "commission-chair", "KZ-11")]

CYRILLIC = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")
KAZAKH_ONLY = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")
LATIN = re.compile(r"[A-Za-z]")


class Form(html.parser.HTMLParser):
    """The inputs of a page's forms: fields [(name, value)] of the form
    whose action is `action` (or the first with class docform), and every
    element's attributes by name, with the texts of elements by id."""

    def __init__(self, page, action=None):
        super().__init__(convert_charrefs=True)
        self.want_action = action
        self.in_form = False
        self.fields = []
        self.attrs_by_name = {}
        self.ids = {}
        self.text_by_id = {}
        self.options = {}  # select name -> [(value, label)]
        self._select = None
        self._option = None
        self._textarea = None
        self._open_ids = []
        self.action = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids[a["id"]] = (tag, a)
            self._open_ids.append([a["id"], tag, ""])
        if tag == "form" and not self.action:
            cls = a.get("class") or ""
            if (self.want_action and a.get("action") == self.want_action) or \
               (not self.want_action and "docform" in cls):
                self.in_form = True
                self.action = a.get("action")
            return
        if not self.in_form:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            self.fields.append((a["name"], a.get("value", "")))
            self.attrs_by_name[a["name"]] = a
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
            self.attrs_by_name[a["name"]] = a
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], None]
            self.options[a["name"]] = []
            self.attrs_by_name[a["name"]] = a
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value", ""), ""]
            if "selected" in a:
                self._select[1] = a.get("value", "")

    def handle_data(self, data):
        for o in self._open_ids:
            o[2] += data
        if self._textarea is not None:
            self._textarea[1] += data
        if self._option is not None:
            self._option[1] += data

    def handle_endtag(self, tag):
        for i in range(len(self._open_ids) - 1, -1, -1):
            if self._open_ids[i][1] == tag:
                ident, _, text = self._open_ids.pop(i)
                self.text_by_id[ident] = text
                break
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            self.options[self._select[0]].append(tuple(self._option))
            self._option = None
        elif tag == "select" and self._select is not None:
            name, chosen = self._select
            if chosen is None:
                opts = self.options[name]
                chosen = opts[0][0] if opts else ""
            self.fields.append((name, chosen))
            self._select = None

    def values(self):
        return dict(self.fields)


def sentences(lang):
    """content/ui/strings/validation.yaml: code -> its sentence in lang."""
    with open(os.path.join(SOURCE, "content", "ui", "strings", "validation.yaml")) as f:
        text = f.read()
    out = {}
    for m in re.finditer(r'^([a-z_]+):\n((?:  [a-z]{2}: ".*"\n)+)', text, re.M):
        for lm in re.finditer(r'  ([a-z]{2}): "(.*)"', m.group(2)):
            if lm.group(1) == lang:
                out[m.group(1)] = lm.group(2)
    return out


def alert_text(page):
    m = re.search(r'<div[^>]*role="alert"[^>]*>(.*?)</div>', page, re.S)
    return re.sub(r"<[^>]+>", " ", m.group(1)) if m else None


def plan_form_pairs(form, period="2026", directions=("safety", "education", "health",
                                                       "family-social-protection"),
                    title="План Акмолинской области на 2026 год"):
    """The form's own fields, filled as an official would: one measure per
    direction given, the rows the form has."""
    v = form.values()
    v["title"] = title
    v["body"] = "# План\n\nМеры по профилактике.\n"
    v["fields.period"] = period
    v["fields.local_specifics"] = "Сельские районы далеко от центров помощи."
    for i, d in enumerate(directions):
        p = f"fields.measures[{i}]."
        v[p + "title"] = f"Мера {i + 1}"
        v[p + "direction"] = d
        v[p + "lead_agency"] = "Управление образования"
        v[p + "co_executors[0]"] = "Департамент полиции"
        v[p + "deadline"] = "2026-Q3"
        v[p + "funding.source"] = "местный бюджет"
        v[p + "funding.amount_kzt"] = "12 500 000"
        v[p + "indicator"] = "Доля школ, %"
        v[p + "baseline"] = "40"
        v[p + "target"] = "90"
    return [(k, val) for k, val in v.items() if not k.startswith("_")]


class WebForms(ServerTest):
    users = USERS_F

    def browser(self, user, lang=None):
        return Browser(self.srv, lang).signed_in(user)

    def open_new_plan(self, b, rows=4):
        """The new plan's form with `rows` measures, added through its _add button."""
        r = b.get("/ui/new/regional-plan")
        self.assertEqual(r.status, 200, r)
        form = Form(r.raw)
        before = commit_count(self.srv.docs_git)
        while sum(1 for k in form.values() if re.fullmatch(r"fields\.measures\[\d+\]\.title", k)) < rows:
            r = b.post("/ui/new/regional-plan", form.fields + [("_add", "fields.measures")])
            self.assertEqual(r.status, 200, r)
            form = Form(r.raw)
        self.assertEqual(commit_count(self.srv.docs_git), before)
        return form

    def test_new_plan_through_the_form(self):
        s = self.srv
        b = self.browser("off11")
        r = b.get("/ui/new/regional-plan")
        self.assertEqual(r.status, 200, r)
        self.assertIn('<html lang="ru">', r.raw)
        # The heading names the type as its workflow does, not by its code.
        self.assertIn("<h1>Новый документ: Региональный план</h1>", r.raw)
        self.assertIn("<h1>Жаңа құжат: Өңірлік жоспар</h1>",
                      b.get("/ui/new/regional-plan?lang=kk").raw)
        b.get("/ui/new/regional-plan?lang=ru")
        form = Form(r.raw)
        names = form.values()
        # The schema's inputs, named by their JSON path, each with its label.
        for name in ("region", "title", "body", "fields.period", "fields.measures[0].title",
                     "fields.measures[0].direction", "fields.measures[0].funding.amount_kzt",
                     "fields.measures[0].co_executors[0]", "fields.local_specifics"):
            self.assertIn(name, names)
        for name, attrs in form.attrs_by_name.items():
            if "id" in attrs:
                self.assertRegex(r.raw, f'<label for="{re.escape(attrs["id"])}"')
        # The akimat's resolution is not the official's to type: its approver
        # records it with the approval (the document page's act form).
        self.assertNotIn("fields.act.number", names)
        self.assertNotIn("fields.act.date", names)
        # A template prefills the body; enums are selects with labels, no codes.
        self.assertIn("Дети Казахстана", names["body"])
        labels = [label for _, label in form.options["fields.measures[0].direction"]]
        self.assertTrue(all(not LATIN.search(label) for label in labels), labels)
        self.assertEqual(form.attrs_by_name["fields.measures[0].deadline"].get("type"), "text")

        form = self.open_new_plan(b, rows=4)
        before = commit_count(s.docs_git)
        r = b.post("/ui/new/regional-plan", plan_form_pairs(form))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/ui/d/plan/KZ-11/2026")
        self.assertEqual(commit_count(s.docs_git), before + 1)
        doc = s.get("/api/v1/documents/plan/KZ-11/2026", "aud").json
        self.assertEqual(doc["region"], "KZ-11")
        self.assertEqual(doc["fields"]["period"], 2026)
        m = doc["fields"]["measures"]
        self.assertEqual([x["direction"] for x in m],
                         ["safety", "education", "health", "family-social-protection"])
        self.assertEqual(m[0]["funding"], {"source": "местный бюджет", "amount_kzt": 12500000})
        self.assertEqual(m[0]["co_executors"], ["Департамент полиции"])
        self.assertEqual(m[0]["baseline"], 40)

    def test_bad_plan_is_shown_with_its_errors_and_nothing_written(self):
        s = self.srv
        # The same plan through the API says which code each problem has.
        bad = plan_body(region="KZ-15", period=2031)
        bad["fields"]["measures"] = bad["fields"]["measures"][:3]
        api = s.post("/api/v1/documents", bad, "off15")
        self.assertEqual(api.status, 422, api)
        codes = {p["path"]: p["code"] for p in api.json["error"]["fields"]}
        for lang in ("ru", "kk"):
            b = self.browser("off15", lang)
            r = b.get("/ui/new/regional-plan")
            form = self.open_new_plan(b, rows=4)
            before = commit_count(s.docs_git)
            pairs = plan_form_pairs(form, period="2031",
                                    directions=("safety", "education", "health"),
                                    title="План с ошибками")
            r = b.post("/ui/new/regional-plan", pairs)
            self.assertEqual(r.status, 422, r)
            self.assertEqual(commit_count(s.docs_git), before)
            self.assertIn(f'<html lang="{lang}">', r.raw)
            alert = alert_text(r.raw)
            self.assertIsNotNone(alert, "no role=alert summary")
            back = Form(r.raw)
            attrs = back.attrs_by_name["fields.period"]
            self.assertEqual(attrs.get("aria-invalid"), "true")
            # The sentence beside the input, in the user's language, never the English message.
            err_id = next(i for i in attrs["aria-describedby"].split() if i.endswith("-err"))
            sentence = back.text_by_id[err_id].strip()
            self.assertRegex(sentence, CYRILLIC)
            self.assertNotRegex(sentence, LATIN)
            if lang == "kk":
                self.assertRegex(sentence, KAZAKH_ONLY)
            self.assertEqual(sentence, sentences(lang)[codes["fields.period"]])
            self.assertIn(sentence.split(".")[0], alert)
            # The summary links to the input.
            self.assertIn(f'href="#{attrs["id"]}"', r.raw)
            # The missing direction is reported at the measures' fieldset.
            self.assertRegex(r.raw, r'<fieldset id="f-fields-measures"[^>]*aria-describedby="[^"]*f-fields-measures-err')
            self.assertIn(sentences(lang)[codes["fields.measures"]],
                          back.text_by_id["f-fields-measures-err"])
            # Every value is kept.
            v = back.values()
            self.assertEqual(v["fields.period"], "2031")
            self.assertEqual(v["title"], "План с ошибками")
            self.assertEqual(v["fields.measures[2].direction"], "health")
            self.assertEqual(v["fields.measures[0].funding.amount_kzt"], "12500000")

        # A number that is no number is kept as typed and marked.
        b = self.browser("off15")
        form = self.open_new_plan(b, rows=4)
        before = commit_count(s.docs_git)
        pairs = [(k, "двадцать" if k == "fields.period" else v)
                 for k, v in plan_form_pairs(form, title="План")]
        r = b.post("/ui/new/regional-plan", pairs)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(Form(r.raw).values()["fields.period"], "двадцать")
        self.assertEqual(Form(r.raw).attrs_by_name["fields.period"].get("aria-invalid"), "true")
        self.assertEqual(commit_count(s.docs_git), before)

    def test_rows_added_and_removed_write_nothing(self):
        s = self.srv
        b = self.browser("off11")
        form = self.open_new_plan(b, rows=4)
        before = commit_count(s.docs_git)
        pairs = plan_form_pairs(form, directions=("safety", "education", "health"))
        # A second co-executor in the second measure.
        r = b.post("/ui/new/regional-plan", pairs + [("_add", "fields.measures[1].co_executors")])
        self.assertEqual(r.status, 200, r)
        v = Form(r.raw).values()
        self.assertEqual(v["fields.measures[1].co_executors[1]"], "")
        self.assertEqual(v["fields.measures[1].title"], "Мера 2")
        # Remove the first measure: the others move up, their values kept.
        r = b.post("/ui/new/regional-plan", pairs + [("_remove", "fields.measures[0]")])
        self.assertEqual(r.status, 200, r)
        v = Form(r.raw).values()
        self.assertEqual(v["fields.measures[0].title"], "Мера 2")
        self.assertEqual(v["fields.measures[1].title"], "Мера 3")
        self.assertEqual(v["fields.measures[2].title"], "")
        self.assertNotIn("fields.measures[3].title", v)
        self.assertEqual(v["fields.period"], "2026")
        # Each row has its remove button, each list its add button.
        self.assertIn('name="_remove" value="fields.measures[1]"', r.raw)
        self.assertIn('name="_add" value="fields.measures"', r.raw)
        # Paths that are no list or row of this form change nothing and break nothing.
        for extra in (("_add", "fields.__proto__"), ("_remove", "fields.measures[99999999]"),
                      ("_add", "fields.period")):
            r = b.post("/ui/new/regional-plan", pairs + [extra])
            self.assertEqual(r.status, 200, (extra, r))
        # A row number no form has is refused.
        r = b.post("/ui/new/regional-plan", pairs + [("fields.measures[99999999].title", "x")])
        self.assertEqual(r.status, 400, r)
        self.assertEqual(commit_count(s.docs_git), before)

    def test_form_without_csrf_is_refused(self):
        s = self.srv
        b = self.browser("off11")
        form = self.open_new_plan(b, rows=4)
        pairs = [(k, v) for k, v in plan_form_pairs(form, title="Без токена") if k != "csrf"]
        before = commit_count(s.docs_git)
        r = b.post("/ui/new/regional-plan", pairs)
        self.assertEqual(r.status, 403, r)
        self.assertIn("text/html", r.header("Content-Type"))
        self.assertIn('role="alert"', r.raw)
        r = b.post("/ui/new/regional-plan", pairs + [("csrf", "x" * 43)])
        self.assertEqual(r.status, 403, r)
        self.assertEqual(commit_count(s.docs_git), before)

    def test_region_is_fixed_for_an_official(self):
        s = self.srv
        b = self.browser("off11")
        form = self.open_new_plan(b, rows=4)
        self.assertEqual(form.values()["region"], "KZ-11")
        self.assertEqual(form.attrs_by_name["region"].get("type"), "hidden")
        self.assertNotIn("region", form.options)  # no choice of region
        self.assertIn("Акмолинская область", form.ids["f-region"][1].get("value", ""))
        before = commit_count(s.docs_git)
        pairs = [(k, "KZ-15" if k == "region" else v)
                 for k, v in plan_form_pairs(form, period="2027", title="Чужой регион")]
        r = b.post("/ui/new/regional-plan", pairs)
        self.assertEqual(r.status, 403, r)
        self.assertIn("text/html", r.header("Content-Type"))
        self.assertEqual(commit_count(s.docs_git), before)
        # A reviewer may not create plans at all; an unknown type is no page.
        rb = self.browser("rev1")
        self.assertEqual(rb.get("/ui/new/regional-plan").status, 403)
        self.assertEqual(rb.get("/ui/new/no-such-type").status, 404)

    def test_edit_with_a_stale_version_is_refused(self):
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-11", period=2028), "off11")
        self.assertEqual(r.status, 201, r)
        doc_id = r.json["id"]
        etag = r.header("ETag")
        b = self.browser("off11")
        page = b.get(f"/ui/d/{doc_id}/edit")
        self.assertEqual(page.status, 200, page)
        form = Form(page.raw)
        v = form.values()
        self.assertEqual(v["version"], etag.strip('"'))
        self.assertEqual(v["fields.period"], "2028")
        self.assertEqual(v["fields.measures[3].direction"], "family-social-protection")
        self.assertEqual(v["title"], "План KZ-11 на 2028 год")
        self.assertNotIn("fields.act.number", v)  # recorded by the akimat's approval only

        # Someone changes it meanwhile: the form's version is stale.
        e = s.put(f"/api/v1/documents/{doc_id}", {"title": "Изменено через API"}, "off11", etag)
        self.assertEqual(e.status, 200, e)
        before = commit_count(s.docs_git)
        pairs = [(k, "Моя правка" if k == "title" else val) for k, val in form.fields]
        r = b.post(f"/ui/d/{doc_id}/edit", pairs)
        self.assertEqual(r.status, 409, r)
        self.assertIn('role="alert"', r.raw)
        self.assertEqual(commit_count(s.docs_git), before)
        self.assertEqual(s.get(f"/api/v1/documents/{doc_id}", "aud").json["title"],
                         "Изменено через API")

        # With the new version the edit goes through.
        form = Form(b.get(f"/ui/d/{doc_id}/edit").raw)
        pairs = [(k, "Моя правка" if k == "title" else val) for k, val in form.fields]
        r = b.post(f"/ui/d/{doc_id}/edit", pairs)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), f"/ui/d/{doc_id}")
        self.assertEqual(commit_count(s.docs_git), before + 1)
        doc = s.get(f"/api/v1/documents/{doc_id}", "aud").json
        self.assertEqual(doc["title"], "Моя правка")
        self.assertNotIn("act", doc["fields"])
        self.assertEqual(doc["fields"]["measures"],
                         plan_body(region="KZ-11", period=2028)["fields"]["measures"])

        # A bad edit: 422, the form again, nothing written.
        form = Form(b.get(f"/ui/d/{doc_id}/edit").raw)
        before = commit_count(s.docs_git)
        pairs = [(k, "" if k == "fields.measures[0].title" else val) for k, val in form.fields]
        r = b.post(f"/ui/d/{doc_id}/edit", pairs)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(Form(r.raw).attrs_by_name["fields.measures[0].title"].get("aria-invalid"),
                         "true")
        self.assertEqual(commit_count(s.docs_git), before)

    def test_edit_only_where_the_workflow_allows(self):
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-11", period=2029), "off11")
        self.assertEqual(r.status, 201, r)
        doc_id = r.json["id"]
        self.assertEqual(self.browser("rev1").get(f"/ui/d/{doc_id}/edit").status, 403)
        other = self.browser("off15")
        self.assertEqual(other.get(f"/ui/d/{doc_id}/edit").status, 403)
        # Its form, taken from the official's page, is refused too.
        b = self.browser("off11")
        form = Form(b.get(f"/ui/d/{doc_id}/edit").raw)
        before = commit_count(s.docs_git)
        csrf_other = Form(other.get("/ui/new/regional-plan").raw).values()["csrf"]
        pairs = [(k, csrf_other if k == "csrf" else v) for k, v in form.fields]
        self.assertEqual(other.post(f"/ui/d/{doc_id}/edit", pairs).status, 403)
        # Submitted, it is no longer editable.
        a = s.act(doc_id, "submit", "off11", r.header("ETag"))
        self.assertEqual(a.status, 200, a)
        self.assertEqual(b.get(f"/ui/d/{doc_id}/edit").status, 403)
        self.assertEqual(b.post(f"/ui/d/{doc_id}/edit", form.fields).status, 403)
        self.assertEqual(b.get("/ui/d/plan/KZ-11/1999/edit").status, 404)
        self.assertEqual(commit_count(s.docs_git), before + 1)  # the submit alone

    def test_case_form_is_a_logged_read(self):
        from test_cases import case_body
        s = self.srv
        r = s.post("/api/v1/documents", case_body(), "off11")
        self.assertEqual(r.status, 201, r)
        cid = r.json["id"]
        log_path = os.path.join(s.data, "access.log")

        def reads():
            with open(log_path) as f:
                return [json.loads(line) for line in f if line.strip()]

        n = len(reads())
        # Who may not read the case gets no form and leaves no read.
        self.assertEqual(self.browser("rev1").get(f"/ui/d/{cid}/edit").status, 403)
        self.assertEqual(self.browser("off15").get(f"/ui/d/{cid}/edit").status, 403)
        self.assertEqual(len(reads()), n)
        b = self.browser("off11")
        page = b.get(f"/ui/d/{cid}/edit")
        self.assertEqual(page.status, 200, page)
        got = reads()[n:]
        self.assertEqual([(e["user"], e["action"], e["document"]) for e in got],
                         [("off11", "read", cid)])
        form = Form(page.raw)
        self.assertEqual(form.values().get("fields.child.pseudonym"), "K11-0042")
        # Saved through the form, it stays in cases.git.
        docs_before, cases_before = commit_count(s.docs_git), commit_count(s.cases_git)
        # (The old decision field is hidden from the form: the meetings decide.)
        self.assertNotIn("fields.decision", form.values())
        self.assertFalse([k for k in form.values() if k.startswith("fields.meeting")])
        pairs = [(k, "Педагог-психолог и классный руководитель"
                  if k == "fields.measures[0].who" else v) for k, v in form.fields]
        r = b.post(f"/ui/d/{cid}/edit", pairs)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(commit_count(s.docs_git), docs_before)
        self.assertEqual(commit_count(s.cases_git), cases_before + 1)
        doc = s.get("/api/v1/documents/" + cid, "off11").json
        self.assertEqual(doc["fields"]["measures"][0]["who"],
                         "Педагог-психолог и классный руководитель")
        # A hidden field the case held keeps its value through the form.
        self.assertEqual(doc["fields"]["decision"], case_body()["fields"]["decision"])
        self.assertEqual(doc["fields"]["child"], case_body()["fields"]["child"])


    def test_second_round_probe_findings(self):
        """Issue 13, round 2: what the probe found in the forms."""
        s = self.srv
        b = self.browser("off11")
        form = self.open_new_plan(b, rows=4)
        page = b.get("/ui/new/regional-plan").raw
        # F19/F20: the buttons say what they do, in words a reader would use.
        r = b.post("/ui/new/regional-plan", form.fields + [("_add", "fields.measures")])
        self.assertIn(">Добавить меру</button>", r.raw)
        self.assertIn(">Удалить меру 2</button>", r.raw)
        self.assertIn(">Добавить соисполнителя</button>", r.raw)
        self.assertNotIn("Добавить: Мера", r.raw)
        kk = self.browser("off11", "kk").get("/ui/new/regional-plan").raw
        self.assertIn(">Іс-шара қосу</button>", kk)
        self.assertIn(">1-іс-шараны жою</button>", kk)
        self.assertIn("Атауы", kk)
        self.assertNotIn("Тақырыбы", kk)
        # ...and the funding group's fields do not repeat its word.
        self.assertIn("Источник <span", page)
        self.assertNotIn("Источник финансирования", page)
        # F2: co-executors may be none: no "*" on them, and a row with none given saves.
        self.assertRegex(page, r"<legend>Соисполнители</legend>")
        before = commit_count(s.docs_git)
        pairs = [(k, v) for k, v in plan_form_pairs(form, period="2030",
                                                    title="План без соисполнителей")
                 if "co_executors" not in k]
        r = b.post("/ui/new/regional-plan", pairs)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(commit_count(s.docs_git), before + 1)
        doc_id = r.header("Location").rsplit("/ui/d/", 1)[1]
        doc = s.get("/api/v1/documents/" + doc_id.replace("%2F", "/"), "off11").json
        self.assertEqual(doc["fields"]["measures"][0]["co_executors"], [])

        # F3: a blank new plan refused keeps its four measure rows, each with its
        # co-executor input; F15: the summary names the row.
        b = self.browser("off15")
        form = self.open_new_plan(b, rows=4)
        before = commit_count(s.docs_git)
        v = form.values()
        v["title"] = "Пустой план"
        r = b.post("/ui/new/regional-plan", list(v.items()))
        self.assertEqual(r.status, 422, r)
        self.assertEqual(commit_count(s.docs_git), before)
        back = Form(r.raw).values()
        for i in range(4):
            self.assertIn(f"fields.measures[{i}].title", back)
            self.assertIn(f"fields.measures[{i}].co_executors[0]", back)
        self.assertNotIn("fields.measures[4].title", back)
        for i in range(4):
            v[f"fields.measures[{i}].title"] = f"Мера {i + 1}"
        v["fields.measures[3].funding.source"] = "местный бюджет"
        r = b.post("/ui/new/regional-plan", list(v.items()))
        self.assertEqual(r.status, 422, r)
        self.assertEqual(commit_count(s.docs_git), before)
        alert = alert_text(r.raw)
        self.assertIn("Мера 1 — Направление", alert)
        self.assertIn("Мера 1 — Финансирование:", alert)
        self.assertIn("Мера 4 — Финансирование — Сумма, тенге:", alert)
        # A row added after the refusal has its co-executor input too.
        r = b.post("/ui/new/regional-plan", Form(r.raw).fields + [("_add", "fields.measures")])
        self.assertIn("fields.measures[4].co_executors[0]", Form(r.raw).values())

    def test_too_many_inputs_are_refused_unread(self):
        """F4: a form with more inputs than any form has is a 413 page in the
        user's language; nothing is drawn or written."""
        s = self.srv
        for lang, words in (("ru", "Отправлено слишком много данных"),
                            ("kk", "Тым көп дерек жіберілді")):
            b = self.browser("off11", lang)
            form = self.open_new_plan(b, rows=4)
            before = commit_count(s.docs_git)
            junk = [(f"fields.measures[{i % 200}].co_executors[{i // 200 + 5}]", "x")
                    for i in range(2100)]
            for extra in ([], [("_add", "fields.measures")]):
                r = b.post("/ui/new/regional-plan", form.fields + junk + extra)
                self.assertEqual(r.status, 413, r)
                self.assertIn(f'<html lang="{lang}">', r.raw)
                self.assertIn(words, r.raw)
                self.assertNotIn("fields.measures[1]", r.raw)
                self.assertIn('role="alert"', r.raw)
            self.assertEqual(commit_count(s.docs_git), before)
            # Just under the cap is still a form.
            r = b.post("/ui/new/regional-plan", form.fields + junk[:1500] +
                       [("_add", "fields.measures")])
            self.assertEqual(r.status, 200, r)
            self.assertEqual(commit_count(s.docs_git), before)

    def test_case_title_is_not_marked_required(self):
        """F12: a case review's title may be empty, a plan's may not."""
        b = self.browser("off11")
        case = b.get("/ui/new/case-review")
        self.assertEqual(case.status, 200, case)
        self.assertNotIn("required", Form(case.raw).attrs_by_name["title"])
        self.assertRegex(case.raw, r'<label for="f-title">Заголовок</label>')
        plan = b.get("/ui/new/regional-plan").raw
        self.assertIn("required", Form(plan).attrs_by_name["title"])
        self.assertRegex(plan, r'<label for="f-title">Заголовок <span class="req"')


class FourthTypeForm(unittest.TestCase):
    """A type the interface has never heard of gets its form from its schema."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kenes-4th-form-")
        cls.srv = Server(users=USERS_F, extra_config=fourth_type_dirs(cls.tmp))
        cls.srv.start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_its_form_works(self):
        s = self.srv
        b = Browser(s).signed_in("off11")
        r = b.get("/ui/new/meeting-minutes")
        self.assertEqual(r.status, 200, r)
        form = Form(r.raw)
        v = form.values()
        self.assertIn("fields.date", v)
        before = commit_count(s.docs_git)
        v.update({"title": "Заседание КДН", "fields.date": "2026-03-10"})
        if "fields.present" in v:
            v["fields.present"] = "5"
        r = b.post("/ui/new/meeting-minutes", [(k, x) for k, x in v.items()])
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/ui/d/minutes/KZ-11/2026-03-10")
        self.assertEqual(commit_count(s.docs_git), before + 1)
        # Its validator's errors come back beside its inputs.
        v.update({"fields.date": "10.03.2026"})
        r = b.post("/ui/new/meeting-minutes", [(k, x) for k, x in v.items()])
        self.assertEqual(r.status, 422, r)
        self.assertEqual(Form(r.raw).attrs_by_name["fields.date"].get("aria-invalid"), "true")
        # A validator that refuses without naming a field still gets a sentence.
        v.update({"fields.date": "2026-03-11", "title": "validator-garbage"})
        r = b.post("/ui/new/meeting-minutes", [(k, x) for k, x in v.items()])
        self.assertEqual(r.status, 422, r)
        self.assertRegex(alert_text(r.raw) or "", CYRILLIC)
        self.assertEqual(commit_count(s.docs_git), before + 1)


if __name__ == "__main__":
    unittest.main()
