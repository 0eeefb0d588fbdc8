"""Amendments (issue 15): a plan or roster in force is amended through the
same chain, and until the amendment is agreed the version in force stays
what the public sees and what the reports count: /public/<id>, the landing
page's list, the national and regional reports, the meetings' roster.  A
signed-in reader gets the draft with "in_force"; the history numbers the
editions.  A returned amendment leaves the version in force alone, a
restart mid-amendment still shows it (read back from git), and amending a
document that is not in force is refused with nothing written."""
import html
import http.client
import re
import unittest

from kenes_harness import (USERS, Browser, ServerTest, commit_count,
                           plan_body, plan_measure, approved_roster, today_of,
                           walk_chain, with_commission)

NEW_ACT = {"number": "№ 48", "date": "2026-06-10"}
FIRST = "Службы примирения в школах — первая редакция"
AMENDED = "Службы примирения и медиации в каждой школе — изменения № 1"


def measures(first):
    """A plan's four measures, the first one titled first."""
    return [plan_measure("safety", first, "2026-Q2", 12500000),
            plan_measure("education", "Обучение педагогов профилактике буллинга", "2026-09-01"),
            plan_measure("health", "Школьные психологи: супервизия", "2026-Q3", 4000000),
            plan_measure("family-social-protection", "Сопровождение семей в трудной ситуации",
                         "2026-Q4")]


def fetch(srv, path):
    """GET path without a login: status and body as text."""
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        c.close()


class Base(ServerTest):
    def plan_in_force(self, region, period=2026, first=FIRST):
        """A plan of region for period, its first measure titled first,
        walked through the chain: its id."""
        body = plan_body(region=region, period=period)
        body["fields"]["measures"] = measures(first)
        r = self.srv.post("/api/v1/documents", body, "off" + region[3:].lstrip("0"))
        self.assertEqual(r.status, 201, r)
        walk_chain(self.srv, r.json["id"], r.header("ETag"))
        return r.json["id"]

    def publish(self):
        r = self.srv.request("POST", "/api/v1/reports/generate", token=self.srv.token("adm"))
        self.assertEqual(r.status, 200, r)

    def report(self, name):
        status, text = fetch(self.srv, "/reports/" + name)
        self.assertEqual(status, 200, name)
        return text

    def amend(self, doc_id, user, first=AMENDED):
        """doc_id amended by user and its first measure retitled: its new ETag."""
        s = self.srv
        r = s.get("/api/v1/documents/" + doc_id, user)
        in_force = r.header("ETag")
        r = s.act(doc_id, "amend", user, in_force, comment="Уточняем меры по итогам полугодия")
        self.assertEqual((r.status, r.json["stage"]), (200, "draft"), r)
        self.assertEqual(r.json["in_force"]["version"], in_force.strip('"'), r)
        fields = r.json["fields"]
        fields["measures"][0]["title"] = first
        fields.pop("act", None)  # the act is the approver's to record
        r = s.put("/api/v1/documents/" + doc_id, {"fields": fields}, user, r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        return r.header("ETag"), in_force.strip('"')

    def assertPublicShows(self, doc_id, shown, hidden):
        status, page = fetch(self.srv, "/public/" + doc_id)
        self.assertEqual(status, 200)
        self.assertIn(html.escape(shown, quote=False), page)
        self.assertNotIn(html.escape(hidden, quote=False), page)


class Amendments(Base):
    def test_amendment_while_the_version_in_force_stays_public(self):
        s = self.srv
        pid = self.plan_in_force("KZ-11")
        self.publish()
        self.assertIn(FIRST, self.report("regions/KZ-11.md"))
        self.assertPublicShows(pid, FIRST, AMENDED)

        etag, in_force = self.amend(pid, "off11")
        # Signed in: the draft, with the version in force beside it.
        doc = s.get("/api/v1/documents/" + pid, "aud").json
        self.assertEqual(doc["stage"], "draft")
        self.assertEqual(doc["fields"]["measures"][0]["title"], AMENDED)
        self.assertEqual(doc["in_force"]["version"], in_force)
        self.assertEqual(doc["in_force"]["stage"], "in-force")
        self.assertRegex(doc["in_force"]["since"], r"^\d{4}-\d\d-\d\dT")
        entry = next(d for d in s.get("/api/v1/documents?type=regional-plan", "aud")
                     .json["documents"] if d["id"] == pid)
        self.assertEqual((entry["stage"], entry["in_force"]), ("draft", True))

        def still_in_force():
            self.assertPublicShows(pid, FIRST, AMENDED)
            status, landing = fetch(s, "/")
            self.assertIn("/public/" + pid, landing)
            self.publish()
            region = self.report("regions/KZ-11.md")
            self.assertIn(FIRST, region)
            self.assertNotIn(AMENDED, region)
            self.assertIn("№ 15", region)  # the act of the version in force
            self.assertNotIn("№ 48", region)
            national = self.report("en/national.md")
            self.assertRegex(national, r"\| Akmola Region \| 2026 \| In force \|")

        still_in_force()
        # Through the chain: approved by the akimat with a new act, one agreement...
        r = walk_chain(s, pid, etag, act=NEW_ACT, until="ministry-agreement")
        still_in_force()
        r = s.act(pid, "agree", "rev1", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "ministry-agreement"), r)
        self.assertEqual(r.json["in_force"]["version"], in_force)
        still_in_force()
        # ...and the second: the amendment is the version in force everywhere.
        r = s.act(pid, "agree", "rev2", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "in-force"), r)
        self.assertNotIn("in_force", r.json)
        self.assertPublicShows(pid, AMENDED, FIRST)
        self.publish()
        region = self.report("regions/KZ-11.md")
        self.assertIn(AMENDED, region)
        self.assertNotIn(FIRST, region)
        self.assertIn("№ 48", region)
        entry = next(d for d in s.get("/api/v1/documents?type=regional-plan", "aud")
                     .json["documents"] if d["id"] == pid)
        self.assertNotIn("in_force", entry)

        # History: editions 0 and 1, each with the version that put it in force.
        versions = s.get(f"/api/v1/documents/{pid}/history", "aud").json["versions"]
        oldest_first = list(reversed(versions))
        editions = [v["edition"] for v in oldest_first]
        amend_at = next(i for i, v in enumerate(oldest_first) if v["action"] == "amend")
        self.assertEqual(editions, [0] * amend_at + [1] * (len(editions) - amend_at))
        entered = [(v["edition"], v["action"]) for v in oldest_first if v["in_force_from"]]
        self.assertEqual(entered, [(0, "agree"), (1, "agree")])

        # The web history: the two editions under their headings.
        for lang, original, amendment, since in (
                ("ru", "Первоначальная редакция", "Изменения № 1", "действуют с"),
                ("kk", "Бастапқы редакция", "№ 1 өзгерістер", "бастап күшінде"),
                ("en", "Original text", "Amendment 1", "in force since")):
            page = Browser(s, lang).signed_in("off11").get(f"/ui/d/{pid}/history").raw
            headings = re.findall(r'data-kenes="edition">([^<]*)<', page)
            self.assertEqual(len(headings), 2, page[-2000:])
            self.assertTrue(headings[0].startswith(html.escape(amendment)), headings)
            self.assertIn(since, headings[0])
            self.assertTrue(headings[1].startswith(html.escape(original)), headings)

    def test_returned_amendment_leaves_the_version_in_force(self):
        s = self.srv
        pid = self.plan_in_force("KZ-15")
        etag, in_force = self.amend(pid, "off15")
        r = walk_chain(s, pid, etag, official="off15", until="regional-approval")
        r = s.act(pid, "return", "appr2", r.header("ETag"), comment="Нет расчёта затрат")
        self.assertEqual((r.status, r.json["stage"]), (200, "draft"), r)
        self.assertEqual(r.json["in_force"]["version"], in_force)
        self.assertPublicShows(pid, FIRST, AMENDED)
        self.publish()
        self.assertIn(FIRST, self.report("regions/KZ-15.md"))
        self.assertNotIn(AMENDED, self.report("regions/KZ-15.md"))
        # The document page says which version stays in force, with links.
        page = Browser(s, "ru").signed_in("off15").get("/ui/d/" + pid).raw
        self.assertIn('data-kenes="in-force"', page)
        self.assertIn(f'href="/public/{pid}"', page)
        self.assertIn(f"history?version={in_force}", page)
        # The history: edition 1 is still being worked on.
        hist = Browser(s, "ru").signed_in("off15").get(f"/ui/d/{pid}/history").raw
        headings = re.findall(r'data-kenes="edition">([^<]*)<', hist)
        self.assertEqual(len(headings), 2, hist[-2000:])
        self.assertIn("в работе", headings[0])
        self.assertIn("действует с", headings[1])

class NotInForce(Base):
    """Only a document in force is amended, by its region's official, with a comment."""

    def test_amending_what_is_not_in_force_is_refused(self):
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-11", period=2028), "off11")
        self.assertEqual(r.status, 201, r)
        before = commit_count(s.docs_git)
        r2 = s.act(r.json["id"], "amend", "off11", r.header("ETag"), comment="Изменения")
        self.assertEqual(r2.status, 409, r2)
        self.assertEqual(r2.json["error"]["code"], "wrong_stage", r2)
        self.assertEqual(commit_count(s.docs_git), before, "a refusal wrote a commit")
        # In force, but amended by the ministry, or without a comment: refused too.
        pid = self.plan_in_force("KZ-11", period=2029)
        etag = s.get("/api/v1/documents/" + pid, "aud").header("ETag")
        before = commit_count(s.docs_git)
        r = s.act(pid, "amend", "rev1", etag, comment="Изменения")
        self.assertEqual(r.status, 403, r)
        r = s.act(pid, "amend", "off15", etag, comment="Изменения")  # another region's
        self.assertEqual(r.status, 403, r)
        r = s.act(pid, "amend", "off11", etag)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(commit_count(s.docs_git), before, "a refusal wrote a commit")
        self.assertEqual(s.get("/api/v1/documents/" + pid, "aud").json["stage"], "in-force")


class Restart(Base):
    """The version in force is read back from git at start."""

    def test_restart_mid_amendment_still_shows_the_version_in_force(self):
        s = self.srv
        pid = self.plan_in_force("KZ-11")
        etag, in_force = self.amend(pid, "off11")
        r = walk_chain(s, pid, etag, act=NEW_ACT, until="ministry-agreement")
        self.assertEqual(s.stop(), 0)
        s.start()
        self.assertPublicShows(pid, FIRST, AMENDED)
        doc = s.get("/api/v1/documents/" + pid, "aud").json
        self.assertEqual((doc["stage"], doc["in_force"]["version"]),
                         ("ministry-agreement", in_force))
        self.publish()
        self.assertIn(FIRST, self.report("regions/KZ-11.md"))
        self.assertIn("№ 15", self.report("regions/KZ-11.md"))
        for reviewer in ("rev1", "rev2"):
            r = s.act(pid, "agree", reviewer, r.header("ETag"))
            self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "in-force")
        self.assertPublicShows(pid, AMENDED, FIRST)
        # And after another restart, nothing stale is kept.
        self.assertEqual(s.stop(), 0)
        s.start()
        self.assertNotIn("in_force", s.get("/api/v1/documents/" + pid, "aud").json)
        self.assertPublicShows(pid, AMENDED, FIRST)


class RosterAmendment(Base):
    """Meetings count their quorum against the roster in force while an
    amendment of it is drafted."""
    users = with_commission(USERS)

    def test_meeting_quorum_keeps_the_roster_in_force(self):
        s = self.srv
        rid = approved_roster(s, "KZ-11")
        roster = s.get("/api/v1/documents/" + rid, "aud")
        members = [m["full_name"] for m in roster.json["fields"]["members"]]
        self.assertEqual(len(members), 7)
        r = s.act(rid, "amend", "off11", roster.header("ETag"), comment="Новый состав")
        self.assertEqual((r.status, r.json["stage"]), (200, "draft"), r)
        fields = r.json["fields"]
        fields.pop("act", None)
        newcomers = [f"Новый Член Комиссии {i}" for i in range(1, 6)]
        for name in newcomers:
            fields["members"].append({"full_name": name, "position": "Специалист",
                                      "organisation": "Управление", "role": "member",
                                      "category": "education"})
        r = s.put("/api/v1/documents/" + rid, {"fields": fields}, "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)

        def meeting(number, attendance):
            return {"type": "commission-meeting", "region": "KZ-11", "body": "# Заседание\n",
                    "fields": {"number": number, "date": today_of(s), "place": "Зал акимата",
                               "attendance": attendance,
                               "agenda": [{"kind": "matter", "matter": "О летнем отдыхе детей",
                                           "decision_text": "Принять к сведению",
                                           "vote": {"for": len(attendance), "against": 0,
                                                    "abstained": 0}}]}}
        # A draft-only member is on no roster in force: refused, nothing written.
        before = commit_count(s.cases_git)
        r = s.post("/api/v1/documents", meeting(1, members[:3] + newcomers[:1]), "sec11")
        self.assertEqual(r.status, 422, r)
        self.assertIn(("fields.attendance[3]", "not_on_roster"),
                      [(f["path"], f["code"]) for f in r.json["error"]["fields"]])
        self.assertEqual(commit_count(s.cases_git), before)
        # Four of the seven in force are a quorum (the draft's twelve would need seven).
        r = s.post("/api/v1/documents", meeting(1, members[:4]), "sec11")
        self.assertEqual(r.status, 201, r)
        mid = r.json["id"]
        r = s.act(mid, "record", "sec11", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "held"), r)
        r = s.act(mid, "sign", "chair11", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "signed"), r)
        # The meeting form suggests the names in force, not the draft's.
        page = Browser(s, "ru").signed_in("sec11").get("/ui/new/commission-meeting").raw
        options = [html.unescape(v) for v in re.findall(r'<option value="([^"]*)">', page)]
        for name in members:
            self.assertIn(name, options)
        for name in newcomers:
            self.assertNotIn(name, options)


if __name__ == "__main__":
    unittest.main()
