"""The akimat→ministry chain for regional plans and commission rosters
(issue 15): the region's official sends the document to the akimat, whose
approver approves it by a resolution recorded with the approval, and two
ministry reviewers agree; either may return it with a comment; a document
in force is amended through the same chain.

Every refusal says why (403, 409 or 422 with the path and code) and writes
nothing: documents.git's commit count stays as it was.  A data folder
written under the workflows before issue 15 (draft/returned →
ministry-review → approved) loads under the new names, can be amended, and
passes kenes verify."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from kenes_harness import (PLAN_ACT, ROSTER_ACT, SOURCE, Browser, DocumentsRefusals, Server,
                           ServerTest, commit_count, git, in_force_plan, plan_body, roster_body,
                           run_cli, approved_roster, walk_chain, stop_and_verify)

NEW_ACT = {"number": "№ 48", "date": "2026-06-10"}


class Chain(DocumentsRefusals, ServerTest):
    def created(self, body, user):
        r = self.srv.post("/api/v1/documents", body, user)
        self.assertEqual(r.status, 201, r)
        self.before = commit_count(self.srv.docs_git)
        return r.json["id"], r.header("ETag")

    def step(self, r, stage):
        """r went through to stage; the count moves on past it."""
        self.assertEqual((r.status, r.json["stage"]), (200, stage), r)
        self.before = commit_count(self.srv.docs_git)
        return r.header("ETag")

    # ---- the chain, end to end --------------------------------------------

    def walk(self, doc_id, etag, act):
        s = self.srv
        self.assertEqual(s.request("GET", "/public/" + doc_id).status, 404)
        etag = self.step(s.act(doc_id, "submit", "off11", etag), "regional-approval")
        r = s.act(doc_id, "approve", "appr1", etag, fields={"act": act})
        etag = self.step(r, "ministry-agreement")
        self.assertEqual(r.json["fields"]["act"], act)
        self.assertEqual(s.request("GET", "/public/" + doc_id).status, 404)  # not in force yet
        r = s.act(doc_id, "agree", "rev1", etag)
        etag = self.step(r, "ministry-agreement")  # one of two
        r = s.act(doc_id, "agree", "rev2", etag)
        self.step(r, "in-force")
        self.assertEqual(s.request("GET", "/public/" + doc_id).status, 200)
        # Who did what, in git: the official, the akimat's approver, two reviewers.
        log = git(s.docs_git, "log", "-5", "--format=%an|%(trailers:key=Kenes-Action,valueonly,"
                  "separator=)|%(trailers:key=Kenes-Role,valueonly,separator=)", "main")
        self.assertEqual([l for l in log.splitlines() if l],
                         ["rev2|agree|ministry-reviewer", "rev1|agree|ministry-reviewer",
                          "appr1|approve|akimat-approver", "off11|submit|regional-official",
                          "off11|create|regional-official"])
        # The approval's own commit wrote the act; nothing before it had one.
        path = doc_id + ".md"
        self.assertIn(act["date"], git(s.docs_git, "show", f"main~2:{path}"))
        self.assertNotIn(act["date"], git(s.docs_git, "show", f"main~3:{path}"))
        return r

    def test_a_plan_through_the_chain(self):
        pid, etag = self.created(plan_body(period=2026), "off11")
        r = self.walk(pid, etag, PLAN_ACT)
        # The public record shows the akimat's resolution under its label.
        page = self.srv.request("GET", "/public/" + pid).raw
        self.assertIn("Постановление акимата", page)
        self.assertIn("№ 15 от 5 февраля 2026 г.", page)
        # in_force_plan finds it rather than making another.
        self.assertEqual(in_force_plan(self.srv, "KZ-11"), pid)
        self.assertEqual(r.json["fields"]["act"], PLAN_ACT)

    def test_a_roster_through_the_chain(self):
        rid, etag = self.created(roster_body(order_date="2026-05-02"), "off11")
        self.walk(rid, etag, ROSTER_ACT)
        self.assertEqual(approved_roster(self.srv, "KZ-11"), rid)

    def test_the_workflows_say_so(self):
        wf = {w["type"]: w for w in self.srv.get("/api/v1/workflows", "aud").json["workflows"]}
        for t in ("regional-plan", "commission-roster"):
            w = wf[t]
            self.assertEqual([st["name"] for st in w["stages"]],
                             ["draft", "regional-approval", "ministry-agreement", "in-force"])
            by = {(tr["action"], tuple(tr["from"])): tr for tr in w["transitions"]
                  if not tr.get("former")}
            self.assertEqual(by[("approve", ("regional-approval",))]["records"], ["act"])
            self.assertEqual(by[("agree", ("ministry-agreement",))]["approvals"], 2)
            self.assertEqual(by[("amend", ("in-force",))]["roles"], ["regional-official"])
            self.assertIn("former", w)

    # ---- returns ------------------------------------------------------------

    def test_the_akimat_returns_with_a_comment(self):
        s = self.srv
        pid, etag = self.created(plan_body(period=2027), "off11")
        etag = self.step(s.act(pid, "submit", "off11", etag), "regional-approval")
        self.assertRefused(s.act(pid, "return", "appr1", etag), 422, "guard")
        self.assertRefused(s.act(pid, "return", "appr1", etag, comment="  "), 422, "guard")
        comment = "Приложите расчёт финансирования по направлению «Здоровье»."
        etag = self.step(s.act(pid, "return", "appr1", etag, comment=comment), "draft")
        v = s.get(f"/api/v1/documents/{pid}/history", "aud").json["versions"][0]
        self.assertEqual((v["action"], v["from"], v["to"], v["comment"], v["author"]),
                         ("return", "regional-approval", "draft", comment, "appr1"))
        # The draft is the official's again: edited, sent again.
        r = s.put("/api/v1/documents/" + pid, {"title": "План KZ-11 на 2027 год (доработан)"},
                  "off11", etag)
        etag = self.step(r, "draft")
        self.step(s.act(pid, "submit", "off11", etag), "regional-approval")

    def test_the_ministry_returns_with_a_comment(self):
        s = self.srv
        rid, etag = self.created(roster_body(order_date="2026-06-02"), "off11")
        r = walk_chain(s, rid, etag, until="ministry-agreement")
        etag = self.step(r, "ministry-agreement")
        r = s.act(rid, "agree", "rev1", etag)
        etag = self.step(r, "ministry-agreement")
        self.assertRefused(s.act(rid, "return", "rev2", etag), 422, "guard")
        comment = "В составе нет представителя общественного совета района."
        etag = self.step(s.act(rid, "return", "rev2", etag, comment=comment), "draft")
        v = s.get(f"/api/v1/documents/{rid}/history", "aud").json["versions"][0]
        self.assertEqual((v["from"], v["to"], v["comment"]), ("ministry-agreement", "draft", comment))
        # The return cleared the resolution: the next approval records its own.
        self.assertNotIn("act", s.get("/api/v1/documents/" + rid, "aud").json["fields"])
        etag = self.step(s.act(rid, "submit", "off11", etag), "regional-approval")
        self.before = commit_count(self.srv.docs_git)
        self.assertRefused(s.act(rid, "approve", "appr1", etag), 422, "guard")
        r = s.act(rid, "return", "appr1", etag, comment="Нужно новое постановление.")
        etag = self.step(r, "draft")
        # Back through the chain: rev1's earlier agreement no longer counts.
        r = walk_chain(s, rid, etag, until="ministry-agreement")
        r = s.act(rid, "agree", "rev1", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "ministry-agreement"), r)

    # ---- who may act at each stage -----------------------------------------

    def test_wrong_people_at_regional_approval(self):
        s = self.srv
        pid, etag = self.created(plan_body(period=2028), "off11")
        etag = self.step(s.act(pid, "submit", "off11", etag), "regional-approval")
        fields = {"act": PLAN_ACT}
        self.assertRefused(s.act(pid, "approve", "off11", etag, fields=fields), 403)  # the official
        self.assertRefused(s.act(pid, "approve", "appr2", etag, fields=fields), 403)  # another akimat
        self.assertRefused(s.act(pid, "approve", "rev1", etag, fields=fields), 403)   # the ministry
        self.assertRefused(s.act(pid, "approve", "aud", etag, fields=fields), 403)
        self.assertRefused(s.act(pid, "return", "rev1", etag, comment="Нет"), 403)
        self.assertRefused(s.act(pid, "return", "appr2", etag, comment="Нет"), 403)
        self.assertRefused(s.act(pid, "return", "off11", etag, comment="Нет"), 403)
        self.assertRefused(s.act(pid, "agree", "appr1", etag), 403)
        self.assertRefused(s.act(pid, "agree", "rev1", etag), 409, "wrong_stage")
        self.assertRefused(s.act(pid, "submit", "off11", etag), 409, "wrong_stage")
        # Nobody edits what the akimat is looking at.
        self.assertRefused(s.put("/api/v1/documents/" + pid, {"title": "x"}, "off11", etag), 409,
                           "wrong_stage")
        self.assertRefused(s.put("/api/v1/documents/" + pid, {"title": "x"}, "appr1", etag), 403)

    def test_wrong_people_at_ministry_agreement(self):
        s = self.srv
        pid, etag = self.created(plan_body(period=2029), "off11")
        etag = self.step(walk_chain(s, pid, etag, until="ministry-agreement"), "ministry-agreement")
        self.assertRefused(s.act(pid, "agree", "appr1", etag), 403)   # the approver
        self.assertRefused(s.act(pid, "agree", "off11", etag), 403)   # the author
        self.assertRefused(s.act(pid, "agree", "aud", etag), 403)
        self.assertRefused(s.act(pid, "agree", "adm", etag), 403, "admin_cannot_approve")
        self.assertRefused(s.act(pid, "return", "appr1", etag, comment="Нет"), 403)
        self.assertRefused(s.act(pid, "approve", "appr1", etag, fields={"act": PLAN_ACT}), 409,
                           "wrong_stage")
        self.assertRefused(s.put("/api/v1/documents/" + pid, {"title": "x"}, "off11", etag), 409,
                           "wrong_stage")
        r = s.act(pid, "agree", "rev1", etag)
        etag = self.step(r, "ministry-agreement")
        self.assertRefused(s.act(pid, "agree", "rev1", etag), 409, "already_approved")
        self.step(s.act(pid, "agree", "rev2", etag), "in-force")

    def test_the_admin_who_wrote_it_cannot_agree(self):
        # The admin writes and sends a plan (acting for an official), the
        # akimat approves it: the admin is an author, and no reviewer's
        # second pair of eyes either way.
        s = self.srv
        pid, etag = self.created(plan_body(region="KZ-15", period=2030), "adm")
        r = walk_chain(s, pid, etag, official="adm", until="ministry-agreement")
        etag = self.step(r, "ministry-agreement")
        self.assertRefused(s.act(pid, "agree", "adm", etag), 403, "author_cannot_approve")

    # ---- the act: recorded by the approval, and only by it ------------------

    def test_the_act_is_recorded_by_the_approval(self):
        s = self.srv
        # Nobody types it into the text: create and edit are refused.
        self.assertRefused(s.post("/api/v1/documents", plan_body(region="KZ-15", period=2028,
                                                                 act=True), "off15"),
                           422, "recorded_by_action", "fields.act")
        pid, etag = self.created(plan_body(region="KZ-15", period=2028), "off15")
        fields = s.get("/api/v1/documents/" + pid, "off15").json["fields"]
        self.assertRefused(s.put("/api/v1/documents/" + pid,
                                 {"fields": dict(fields, act=PLAN_ACT)}, "off15", etag),
                           422, "recorded_by_action", "fields.act")
        # A transition that records nothing takes no fields.
        self.assertRefused(s.act(pid, "submit", "off15", etag, fields={"act": PLAN_ACT}),
                           422, "not_recorded", "fields.act")
        etag = self.step(s.act(pid, "submit", "off15", etag), "regional-approval")
        # The approval without the act, with a wrong one, or with another field.
        r = s.act(pid, "approve", "appr2", etag)
        self.assertRefused(r, 422)
        self.assertIn("act_missing", [f["code"] for f in r.json["error"]["fields"]], r)
        self.assertRefused(s.act(pid, "approve", "appr2", etag, fields={}), 422)
        self.assertRefused(s.act(pid, "approve", "appr2", etag,
                                 fields={"act": {"number": "№ 3", "date": "05.02.2026"}}),
                           422, "not_date", "fields.act.date")
        # An act is recorded once adopted: not dated after today.
        self.assertRefused(s.act(pid, "approve", "appr2", etag,
                                 fields={"act": {"number": "№ 3", "date": "2099-01-01"}}),
                           422, "date_in_future", "fields.act.date")
        self.assertRefused(s.act(pid, "approve", "appr2", etag,
                                 fields={"act": {"number": "№ 3"}}),
                           422, "required", "fields.act.date")
        self.assertRefused(s.act(pid, "approve", "appr2", etag,
                                 fields={"act": {"number": "№ 3\nпункт 2", "date": "2026-02-05"}}),
                           422, "act_number", "fields.act.number")
        self.assertRefused(s.act(pid, "approve", "appr2", etag,
                                 fields={"act": PLAN_ACT, "period": 2029}),
                           422, "not_recorded", "fields.period")
        self.assertRefused(s.act(pid, "approve", "appr2", etag, fields={"act": "№ 3"}), 422)
        # With it: one commit, the act in the document.
        r = s.act(pid, "approve", "appr2", etag, fields={"act": PLAN_ACT})
        self.step(r, "ministry-agreement")
        self.assertEqual(r.json["fields"]["act"], PLAN_ACT)
        doc = s.get("/api/v1/documents/" + pid, "aud").json
        self.assertEqual(doc["fields"]["act"], PLAN_ACT)

    # ---- amendments -----------------------------------------------------------

    def test_a_plan_in_force_is_amended_through_the_chain(self):
        s = self.srv
        pid, etag = self.created(plan_body(region="KZ-15", period=2026), "off15")
        etag = walk_chain(s, pid, etag).header("ETag")
        self.before = commit_count(s.docs_git)
        self.assertRefused(s.act(pid, "amend", "off15", etag), 422, "guard")
        self.assertRefused(s.act(pid, "amend", "off11", etag, comment="Новые меры"), 403)
        self.assertRefused(s.act(pid, "amend", "rev1", etag, comment="Новые меры"), 403)
        self.assertRefused(s.act(pid, "amend", "appr2", etag, comment="Новые меры"), 403)
        self.assertRefused(s.put("/api/v1/documents/" + pid, {"title": "x"}, "off15", etag), 409,
                           "wrong_stage")
        r = s.act(pid, "amend", "off15", etag,
                  comment="Добавляем меры по профилактике онлайн-мошенничества.")
        etag = self.step(r, "draft")
        # The amendment needs the akimat's new resolution: the old one is gone.
        self.assertNotIn("act", r.json["fields"])
        fields = r.json["fields"]
        fields["local_specifics"] += " Новые меры против онлайн-мошенничества."
        etag = self.step(s.put("/api/v1/documents/" + pid, {"fields": fields}, "off15", etag),
                         "draft")
        r = walk_chain(s, pid, etag, act=NEW_ACT)
        self.assertEqual(r.json["fields"]["act"], NEW_ACT)
        actions = [v["action"] for v in s.get(f"/api/v1/documents/{pid}/history",
                                              "aud").json["versions"]]
        self.assertEqual(actions[:7], ["agree", "agree", "approve", "submit", "edit", "amend",
                                       "agree"])
        # The amendment is not the inbox's to-do: nobody owes one.
        inbox = s.get("/api/v1/inbox", "off15").json["items"]
        self.assertNotIn(pid, [i["id"] for i in inbox])

    # ---- the inbox follows the chain --------------------------------------------

    def test_each_step_is_in_the_right_inbox(self):
        s = self.srv

        def waiting(user):
            return {i["id"]: i["actions"] for i in s.get("/api/v1/inbox", user).json["items"]}

        rid, etag = self.created(roster_body(order_date="2026-07-02"), "off11")
        self.assertIn("submit", waiting("off11").get(rid, []))
        etag = self.step(s.act(rid, "submit", "off11", etag), "regional-approval")
        self.assertIn("approve", waiting("appr1").get(rid, []))
        self.assertNotIn(rid, waiting("appr2"))
        self.assertNotIn(rid, waiting("rev1"))
        self.assertNotIn(rid, waiting("off11"))
        r = s.act(rid, "approve", "appr1", etag, fields={"act": ROSTER_ACT})
        self.step(r, "ministry-agreement")
        self.assertIn("agree", waiting("rev1").get(rid, []))
        self.assertNotIn(rid, waiting("appr1"))


class WebAct(ServerTest):
    """The approver's act form: the document page's button opens it, its
    inputs are the recorded fields' (from the schema), and what is sent goes
    as the transition's fields."""

    def form(self, html):
        return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))

    def test_approve_with_the_act_in_the_form(self):
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(period=2026), "off11")
        pid = r.json["id"]
        walk_chain(s, pid, r.header("ETag"), until="regional-approval")
        b = Browser(s).signed_in("appr1")
        page = b.get("/ui/d/" + pid)
        self.assertEqual(page.status, 200, page)
        self.assertIn('value="approve">Утвердить постановлением акимата</button>', page.raw)
        self.assertIn('value="return">Вернуть на доработку</button>', page.raw)
        hidden = self.form(page.raw)
        before = commit_count(s.docs_git)
        # The button: the act form, nothing written.
        r = b.post(f"/ui/d/{pid}/act", {"csrf": hidden["csrf"], "version": hidden["version"],
                                        "action": "approve", "comment": "На заседании акимата"})
        self.assertEqual(r.status, 200, r)
        for name in ("fields.act.number", "fields.act.date"):
            self.assertIn(f'name="{name}"', r.raw)
            self.assertIn('<label for="f-%s">' % name.replace(".", "-"), r.raw)
        self.assertIn("Номер постановления", r.raw)
        self.assertIn("Постановление акимата", r.raw)
        self.assertIn(">На заседании акимата</textarea>", r.raw)
        self.assertEqual(commit_count(s.docs_git), before)
        # A date that is no date: the form again, the problem beside its input.
        sent = self.form(r.raw)
        bad = dict(sent, comment="На заседании акимата", **{"fields.act.number": "№ 15",
                                                            "fields.act.date": "5 февраля"})
        r = b.post(f"/ui/d/{pid}/act", bad)
        self.assertEqual(r.status, 422, r)
        self.assertIn('aria-invalid="true"', r.raw)
        self.assertIn('value="№ 15"', r.raw)
        self.assertEqual(commit_count(s.docs_git), before)
        # Filled in: approved, with the act, and the comment in the history.
        good = dict(self.form(r.raw), comment="На заседании акимата",
                    **{"fields.act.number": "№ 15", "fields.act.date": "2026-02-05"})
        r = b.post(f"/ui/d/{pid}/act", good)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), f"/ui/d/{pid}?done=approve&to=ministry-agreement")
        self.assertEqual(commit_count(s.docs_git), before + 1)
        doc = s.get("/api/v1/documents/" + pid, "aud").json
        self.assertEqual((doc["stage"], doc["fields"]["act"]), ("ministry-agreement", PLAN_ACT))
        v = s.get(f"/api/v1/documents/{pid}/history", "aud").json["versions"][0]
        self.assertEqual(v["comment"], "На заседании акимата")
        page = b.get(r.header("Location"))
        self.assertIn("Документ переведён на этап «На согласовании в министерстве»", page.raw)
        self.assertIn("Постановление акимата", page.raw)
        # The official's edit form never shows the act.
        off = Browser(s).signed_in("off11")
        r = s.post("/api/v1/documents", plan_body(period=2027), "off11")
        self.assertNotIn("fields.act", off.get(f"/ui/d/{r.json['id']}/edit").raw)
        self.assertNotIn("fields.act", off.get("/ui/new/regional-plan").raw)


def old_workflows(tmp):
    """The workflows folder as it was before issue 15: plans and rosters
    from the skeleton's commit (6ad6bb9), everything else as shipped."""
    folder = os.path.join(tmp, "workflows-old")
    os.makedirs(folder)
    for name in os.listdir(os.path.join(SOURCE, "workflows")):
        shutil.copy(os.path.join(SOURCE, "workflows", name), folder)
    for name in ("regional-plan.yaml", "commission-roster.yaml"):
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            f.write(OLD[name])
    return folder


def old_text(name):
    p = subprocess.run(["git", "-C", SOURCE, "show", f"6ad6bb9:workflows/{name}"],
                       capture_output=True, text=True, timeout=120)
    return p.stdout if p.returncode == 0 else None


OLD = {name: old_text(name) for name in ("regional-plan.yaml", "commission-roster.yaml")}


@unittest.skipUnless(all(OLD.values()), "the source tree's git history is not at hand")
class OldDataFolder(unittest.TestCase):
    """Documents written under the workflows before issue 15 load under the
    new stage names and go on through the chain."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kenes-chain-old-")
        folder = old_workflows(self.tmp)
        self.s = Server(extra_config=f"paths:\n  workflows: {folder}\n")

    def tearDown(self):
        self.s.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_old_documents_load_in_force_and_can_be_amended(self):
        s = self.s
        s.start()
        # Under the old workflows: the official typed the act, the ministry approved.
        old_plan = plan_body(act=True)
        r = s.post("/api/v1/documents", old_plan, "off11")
        self.assertEqual(r.status, 201, r)
        r = s.act("plan/KZ-11/2026", "submit", "off11", r.header("ETag"))
        r = s.act("plan/KZ-11/2026", "approve", "rev1", r.header("ETag"))
        r = s.act("plan/KZ-11/2026", "approve", "rev2", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "approved"), r)
        r = s.post("/api/v1/documents", roster_body(act=True), "off11")
        r = s.act("roster/KZ-11/2026-02", "submit", "off11", r.header("ETag"))
        r = s.act("roster/KZ-11/2026-02", "approve", "rev1", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "approved"), r)
        r = s.post("/api/v1/documents", plan_body(region="KZ-15", act=True), "off15")
        r = s.act("plan/KZ-15/2026", "submit", "off15", r.header("ETag"))
        r = s.act("plan/KZ-15/2026", "return", "rev1", r.header("ETag"), comment="Доработать")
        self.assertEqual((r.status, r.json["stage"]), (200, "returned"), r)
        plan27 = plan_body(period=2027, act=True)
        plan27["fields"]["act"]["date"] = "2026-11-20"  # adopted before the plan's year, not after today
        r = s.post("/api/v1/documents", plan27, "off11")
        self.assertEqual(r.status, 201, r)
        r = s.act("plan/KZ-11/2027", "submit", "off11", r.header("ETag"))
        r = s.act("plan/KZ-11/2027", "approve", "rev1", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "ministry-review"), r)
        self.assertEqual(s.stop(), 0)

        # The same folder under the chain.
        cfg = os.path.join(s.data, "kenes.yaml")
        with open(cfg, encoding="utf-8") as f:
            text = f.read()
        with open(cfg, "w", encoding="utf-8") as f:
            f.write(re.sub(r"\npaths:\n  workflows: .*\n", "\n", text))
        s.start()
        s.tokens.clear()
        stage = {d["id"]: d["stage"] for d in s.get("/api/v1/documents", "aud").json["documents"]}
        self.assertEqual(stage, {"plan/KZ-11/2026": "in-force", "roster/KZ-11/2026-02": "in-force",
                                 "plan/KZ-15/2026": "draft", "plan/KZ-11/2027": "ministry-agreement"})
        self.assertEqual(s.request("GET", "/public/plan/KZ-11/2026").status, 200)
        self.assertEqual(approved_roster(s, "KZ-11"), "roster/KZ-11/2026-02")
        # Nothing offers a former action.
        r = s.get("/api/v1/documents/plan/KZ-11/2027", "rev2")
        self.assertEqual(r.json["stage"], "ministry-agreement")
        before = commit_count(s.docs_git)

        # The plan in force is amended and goes the chain.
        etag = s.get("/api/v1/documents/plan/KZ-11/2026", "off11").header("ETag")
        r = s.act("plan/KZ-11/2026", "amend", "off11", etag, comment="Изменения по итогам года")
        self.assertEqual((r.status, r.json["stage"]), (200, "draft"), r)
        self.assertIn("\nstage: draft\n", git(s.docs_git, "show", "main:plan/KZ-11/2026.md"))
        walk_chain(s, "plan/KZ-11/2026", r.header("ETag"), act=NEW_ACT)
        # The returned plan is a draft: edited and sent to the akimat.
        etag = s.get("/api/v1/documents/plan/KZ-15/2026", "off15").header("ETag")
        r = s.put("/api/v1/documents/plan/KZ-15/2026", {"title": "План KZ-15 (доработан)"},
                  "off15", etag)
        self.assertEqual((r.status, r.json["stage"]), (200, "draft"), r)
        r = s.act("plan/KZ-15/2026", "submit", "off15", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "regional-approval"), r)
        # The plan under the old ministry review is agreed to.
        etag = s.get("/api/v1/documents/plan/KZ-11/2027", "rev2").header("ETag")
        r = s.act("plan/KZ-11/2027", "agree", "rev2", etag)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(commit_count(s.docs_git), before + 8, "one commit a step")
        history = s.get("/api/v1/documents/plan/KZ-11/2026/history", "aud").json["versions"]
        self.assertEqual([v["action"] for v in history],
                         ["agree", "agree", "approve", "submit", "amend", "approve", "approve",
                          "submit", "create"])
        out = stop_and_verify(self, s)
        self.assertIn(" 0 faults", out)


if __name__ == "__main__":
    unittest.main()
