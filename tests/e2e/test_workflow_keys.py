"""Issue 15's workflow keys, on test workflows of their own
(tests/data/workflows/e2e-keys15/, types from tests/plugins/keys15_type.c):
records (the API body's "fields", not_recorded, the merged document
validated, written in the transition's commit; recorded_by_action on create
and edit), clears, back, moves (region_unknown / region_same), the scopes
named-region and own-agency in reading, acting, lists, the inbox and /me,
the agency of an agency officer (users.yaml, `kenes user add --agency`,
checked against content/agencies.yaml), and former stages mapped at start.
Every refusal leaves the repositories as they were."""
import glob
import os
import re
import shutil
import tempfile
import unittest

from kenes_harness import (KENES, PASSWORD, SOURCE, USERS, Server, commit_count, doc_path, git,
                           run_cli)

DATA = os.path.join(SOURCE, "tests", "data")

USERS15 = USERS + [
    ("chair11", "commission-chair", "KZ-11"),
    ("chair15", "commission-chair", "KZ-15"),
    ("chair71", "commission-chair", "KZ-71"),
    ("appr1", "akimat-approver", "KZ-11"),
    ("appr2", "akimat-approver", "KZ-15"),
]
# name, region, agency: added with --agency before the server starts.
AGENCY_USERS = [("agp1", "KZ-11", "kz11-police"), ("ags1", "KZ-11", "kz11-school"),
                ("agp15", "KZ-15", "kz15-police")]


def test_dirs(tmp, old=False):
    """The shipped plugins and workflows, the test types, and content/ with
    the test agencies; old: the earlier version of k15-plan."""
    build = os.path.dirname(KENES)
    plugins, workflows, content = (os.path.join(tmp, n) for n in ("plugins", "workflows", "content"))
    os.makedirs(plugins)
    os.makedirs(workflows)
    for so in glob.glob(os.path.join(build, "plugins", "*.so")):
        shutil.copy(so, plugins)
    shutil.copy(os.path.join(build, "tests", "plugins", "keys15_type.so"), plugins)
    for wf in glob.glob(os.path.join(SOURCE, "workflows", "*.yaml")):
        shutil.copy(wf, workflows)
    use_workflows(workflows, old)
    shutil.copytree(os.path.join(SOURCE, "content"), content)
    if not os.path.exists(os.path.join(content, "agencies.yaml")):
        shutil.copy(os.path.join(DATA, "content15", "agencies.yaml"), content)
    return workflows, f"paths:\n  plugins: {plugins}\n  workflows: {workflows}\n  content: {content}\n"


def use_workflows(folder, old):
    for wf in glob.glob(os.path.join(DATA, "workflows", "e2e-keys15", "*.yaml")):
        shutil.copy(wf, folder)
    if old:
        shutil.copy(os.path.join(DATA, "workflows", "e2e-keys15-old", "k15-plan.yaml"), folder)


def add_agency_users(data, users=AGENCY_USERS):
    for name, region, agency in users:
        code, out, err = run_cli("user", "add", "--data", data, "--name", name, "--role",
                                 "agency-officer", "--region", region, "--agency", agency,
                                 "--password-stdin", stdin=PASSWORD + "\n")
        # agp1 and ags1 are the harness's USERS too (part refer), with these agencies.
        assert code == 0 or "exists already" in err, err


def plan(n, region="KZ-11", **fields):
    return {"type": "k15-plan", "region": region, "title": f"План {n}", "body": "# План\n",
            "fields": dict(n=n, **fields)}


def case(n, region="KZ-11", **fields):
    return {"type": "k15-case", "region": region, "title": f"Дело {n}", "body": "# Дело\n",
            "fields": dict(n=n, **fields)}


class Keys15(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kenes-keys15-")
        cls.workflows, config = test_dirs(cls.tmp)
        cls.srv = Server(users=USERS15, extra_config=config)
        add_agency_users(cls.srv.data)
        cls.srv.start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # --- helpers ---
    def counts(self):
        return commit_count(self.srv.docs_git), commit_count(self.srv.cases_git)

    def refused(self, r, status=422, reason="validation"):
        """{path: [code]} of a refusal."""
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.json["error"]["code"], reason, r)
        out = {}
        for p in r.json["error"].get("fields") or []:
            out.setdefault(p["path"], []).append(p["code"])
        return out

    def create(self, body, user):
        r = self.srv.post("/api/v1/documents", body, user)
        self.assertEqual(r.status, 201, r)
        return r.json["id"], r.header("ETag")

    def act(self, doc_id, action, user, etag, comment=None, fields=None, status=200):
        body = {"action": action}
        if comment is not None:
            body["comment"] = comment
        if fields is not None:
            body["fields"] = fields
        r = self.srv.post(f"/api/v1/documents/{doc_id}/transitions", body, user, etag)
        self.assertEqual(r.status, status, r)
        return r

    def file_at(self, repo, doc_id, rev="main"):
        return git(repo, "show", f"{rev}:{doc_path(doc_id)}")

    def ids(self, path, user):
        r = self.srv.get(path, user)
        self.assertEqual(r.status, 200, r)
        return {d["id"] for d in r.json.get("documents", r.json.get("items", []))}

    # --- records ---
    def test_records_the_act_with_the_approval(self):
        s = self.srv
        pid, etag = self.create(plan(1), "off11")
        etag = self.act(pid, "submit", "off11", etag).header("ETag")
        before = self.counts()
        # Another region's approver: not theirs.
        self.refused(self.act(pid, "approve", "appr2", etag, fields={"act": {"number": "№ 1"}},
                              status=403), 403, "forbidden")
        # Without the act the guard (which sees the recorded fields) refuses.
        r = self.act(pid, "approve", "appr1", etag, status=422)
        self.assertEqual(self.refused(r, reason="guard"), {"": ["k15_act_missing"]})
        # A field the action does not record, beside one it does.
        self.assertEqual(self.refused(self.act(pid, "approve", "appr1", etag, status=422,
                                               fields={"act": {"number": "№ 7"}, "n": 5,
                                                       "title": "x"})),
                         {"fields.n": ["not_recorded"], "fields.title": ["not_recorded"]})
        # The merged document goes through the type's validate.
        self.assertEqual(self.refused(self.act(pid, "approve", "appr1", etag, status=422,
                                               fields={"act": {"number": ""}})),
                         {"fields.act.number": ["act_number_required"]})
        self.assertEqual(self.refused(self.act(pid, "approve", "appr1", etag, status=422,
                                               fields=["act"])),
                         {"fields": ["not_object"]})
        self.assertEqual(self.counts(), before)
        r = self.act(pid, "approve", "appr1", etag,
                     fields={"act": {"number": "№ 7", "date": "2026-03-02"}})
        self.assertEqual(r.json["stage"], "agreement")
        self.assertEqual(r.json["fields"]["act"], {"number": "№ 7", "date": "2026-03-02"})
        self.assertEqual(r.json["fields"]["n"], 1)
        # One commit: the stage and the act together.
        self.assertEqual(self.counts(), (before[0] + 1, before[1]))
        text = self.file_at(s.docs_git, pid)
        self.assertIn("№ 7", text)
        self.assertIn("agreement", text)
        self.assertIn("Kenes-Action: approve", git(s.docs_git, "log", "-1", "--format=%B"))

    def test_fields_on_an_action_that_records_nothing(self):
        pid, etag = self.create(plan(2), "off11")
        before = self.counts()
        self.assertEqual(self.refused(self.act(pid, "submit", "off11", etag, status=422,
                                               fields={"act": {"number": "№ 1"}})),
                         {"fields.act": ["not_recorded"]})
        self.assertEqual(self.counts(), before)
        # An empty "fields" says nothing.
        r = self.act(pid, "submit", "off11", etag, fields={})
        self.assertEqual(r.json["stage"], "approval")

    def test_create_and_edit_may_not_write_a_recorded_field(self):
        s = self.srv
        before = self.counts()
        r = s.post("/api/v1/documents", plan(3, act={"number": "№ 3"}), "off11")
        self.assertEqual(self.refused(r), {"fields.act": ["recorded_by_action"]})
        self.assertEqual(self.counts(), before)
        pid, etag = self.create(plan(3), "off11")
        etag = self.act(pid, "submit", "off11", etag).header("ETag")
        etag = self.act(pid, "approve", "appr1", etag, fields={"act": {"number": "№ 3"}}).header("ETag")
        etag = self.act(pid, "return", "rev1", etag, comment="Уточнить сроки").header("ETag")
        before = self.counts()
        r = s.put("/api/v1/documents/" + pid, {"fields": {"n": 3, "act": {"number": "№ 4"}}},
                  "off11", etag)
        self.assertEqual(self.refused(r), {"fields.act": ["recorded_by_action"]})
        r = s.put("/api/v1/documents/" + pid, {"fields": {"n": 3, "act": None}}, "off11", etag)
        self.assertEqual(self.refused(r), {"fields.act": ["recorded_by_action"]})
        self.assertEqual(self.counts(), before)
        # An edit that leaves the act out (the form does not show it) keeps it;
        # one that repeats it unchanged is no change of it.
        r = s.put("/api/v1/documents/" + pid, {"title": "План 3, вторая редакция",
                                               "fields": {"n": 3}}, "off11", etag)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["fields"]["act"], {"number": "№ 3"})
        r = s.put("/api/v1/documents/" + pid, {"fields": {"n": 3, "act": {"number": "№ 3"}},
                                               "body": "# План\n\nИзменён.\n"}, "off11",
                  r.header("ETag"))
        self.assertEqual(r.status, 200, r)

    # --- back ---
    def test_back_returns_to_the_stage_it_came_from(self):
        pid, etag = self.create(plan(4), "off11")
        r = self.act(pid, "hold", "off11", etag)
        self.assertEqual(r.json["stage"], "hold")
        r = self.act(pid, "resume", "off11", r.header("ETag"))
        self.assertEqual(r.json["stage"], "draft")
        r = self.act(pid, "submit", "off11", r.header("ETag"))
        r = self.act(pid, "hold", "off11", r.header("ETag"))
        r = self.act(pid, "resume", "off11", r.header("ETag"))
        self.assertEqual(r.json["stage"], "approval")
        hist = self.srv.get(f"/api/v1/documents/{pid}/history", "off11").json["versions"]
        self.assertEqual([(v.get("from"), v["to"]) for v in hist][:2],
                         [("hold", "approval"), ("approval", "hold")])

    # --- moves, clears, named-region ---
    def test_transfer_accepted_moves_the_case(self):
        s = self.srv
        cid, etag = self.create(case(1), "chair11")
        before = self.counts()
        # The transfer is recorded by its action only.
        r = s.post("/api/v1/documents", case(2, transfer={"to": "KZ-15"}), "chair11")
        self.assertEqual(self.refused(r), {"fields.transfer": ["recorded_by_action"]})
        self.assertEqual(self.counts(), before)
        r = self.act(cid, "transfer", "chair11", etag, fields={"transfer": {"to": "KZ-15",
                                                                            "reason": "Переезд"}})
        self.assertEqual(r.json["stage"], "transfer-requested")
        etag = r.header("ETag")
        # The receiving region's chair reads it and finds it in lists and the
        # inbox; a third region's does not.
        self.assertEqual(s.get("/api/v1/documents/" + cid, "chair15").status, 200)
        self.assertEqual(s.get("/api/v1/documents/" + cid, "chair71").status, 403)
        self.assertIn(cid, self.ids("/api/v1/documents?type=k15-case", "chair15"))
        self.assertNotIn(cid, self.ids("/api/v1/documents?type=k15-case", "chair71"))
        inbox15 = {i["id"]: i for i in s.get("/api/v1/inbox", "chair15").json["items"]}
        self.assertEqual(sorted(inbox15[cid]["actions"]), ["accept-transfer", "decline-transfer"])
        inbox11 = {i["id"]: i for i in s.get("/api/v1/inbox", "chair11").json["items"]}
        self.assertEqual(inbox11[cid]["actions"], [])  # withdraw-transfer is inbox: false
        self.assertTrue(inbox11[cid]["reminder"])
        self.assertNotIn(cid, {i["id"] for i in s.get("/api/v1/inbox", "chair71").json["items"]})
        # The sending chair cannot accept it: named-region is the other region.
        before = self.counts()
        self.refused(self.act(cid, "accept-transfer", "chair11", etag, status=403), 403, "forbidden")
        self.refused(self.act(cid, "accept-transfer", "chair71", etag, status=403), 403, "forbidden")
        self.assertEqual(self.counts(), before)
        r = self.act(cid, "accept-transfer", "chair15", etag)
        self.assertEqual(r.json["region"], "KZ-15")
        self.assertEqual(r.json["stage"], "open")
        self.assertEqual(r.json["id"], cid)
        self.assertNotIn("transfer", r.json["fields"])
        self.assertEqual(self.counts(), (before[0], before[1] + 1))
        # Scopes and lists follow the new region at once.
        self.assertEqual(s.get("/api/v1/documents/" + cid, "chair11").status, 403)
        self.assertEqual(s.get("/api/v1/documents/" + cid, "chair15").status, 200)
        self.assertIn(cid, self.ids("/api/v1/documents?region=KZ-15&type=k15-case", "aud"))
        self.assertNotIn(cid, self.ids("/api/v1/documents?region=KZ-11&type=k15-case", "aud"))
        r = s.put("/api/v1/documents/" + cid, {"title": "Дело 1"}, "chair15", r.header("ETag"))
        self.assertEqual(r.status, 200, r)

    def test_transfer_declined_goes_back_and_clears(self):
        s = self.srv
        cid, etag = self.create(case(3), "chair11")
        etag = self.act(cid, "transfer", "chair11", etag,
                        fields={"transfer": {"to": "KZ-15"}}).header("ETag")
        before = self.counts()
        r = self.act(cid, "decline-transfer", "chair15", etag, status=422)
        self.assertEqual(r.json["error"]["code"], "guard", r)
        self.assertEqual(self.counts(), before)
        r = self.act(cid, "decline-transfer", "chair15", etag, comment="Ребёнок остаётся в регионе")
        self.assertEqual(r.json["stage"], "open")
        self.assertEqual(r.json["region"], "KZ-11")
        self.assertNotIn("transfer", r.json["fields"])
        # The sending chair withdraws the next one (back as well).
        etag = self.act(cid, "transfer", "chair11", r.header("ETag"),
                        fields={"transfer": {"to": "KZ-15"}}).header("ETag")
        r = self.act(cid, "withdraw-transfer", "chair11", etag)
        self.assertEqual(r.json["stage"], "open")
        self.assertNotIn("transfer", r.json["fields"])
        self.assertEqual(s.get("/api/v1/documents/" + cid, "chair15").status, 403)

    def test_moves_refuses_no_region_and_its_own(self):
        cid, etag = self.create(case(4), "chair11")
        etag = self.act(cid, "transfer", "chair11", etag,
                        fields={"transfer": {"to": "KZ-11"}}).header("ETag")
        before = self.counts()
        # KZ-11 is named: its chair is the named region's, and the move is to itself.
        self.assertEqual(self.refused(self.act(cid, "accept-transfer", "chair11", etag, status=422)),
                         {"fields.transfer.to": ["region_same"]})
        etag = self.act(cid, "withdraw-transfer", "chair11", etag).header("ETag")
        etag = self.act(cid, "transfer", "chair11", etag,
                        fields={"transfer": {"to": "KZ-99"}}).header("ETag")
        before = self.counts()
        self.assertEqual(self.refused(self.act(cid, "accept-transfer", "adm", etag, status=422)),
                         {"fields.transfer.to": ["region_unknown"]})
        self.assertEqual(self.counts(), before)

    # --- own-agency ---
    def test_agency_officer_sees_and_reports_its_own_agency_only(self):
        s = self.srv
        mine, etag = self.create(case(10, agency="kz11-police"), "chair11")
        other, _ = self.create(case(11, agency="kz11-school"), "chair11")
        self.assertEqual(s.get("/api/v1/documents/" + mine, "agp1").status, 200)
        self.assertEqual(s.get("/api/v1/documents/" + other, "agp1").status, 403)
        self.assertEqual(s.get("/api/v1/documents/" + mine, "ags1").status, 403)
        # kz15-police's officer: another region, whatever the case names.
        self.assertEqual(s.get("/api/v1/documents/" + mine, "agp15").status, 403)
        listed = self.ids("/api/v1/documents?type=k15-case", "agp1")
        self.assertIn(mine, listed)
        self.assertNotIn(other, listed)
        self.assertEqual({i["id"] for i in s.get("/api/v1/inbox", "agp1").json["items"]}, {mine})
        before = self.counts()
        self.refused(self.act(mine, "report", "ags1", etag, fields={"outcome": "Проведено"},
                              status=403), 403, "forbidden")
        self.assertEqual(self.refused(self.act(mine, "report", "agp1", etag, status=422,
                                               fields={"outcome": 5})),
                         {"fields.outcome": ["not_text"]})
        self.assertEqual(self.counts(), before)
        r = self.act(mine, "report", "agp1", etag, fields={"outcome": "Беседа проведена"})
        self.assertEqual(r.json["stage"], "closed")
        # An agency officer creates, edits and reads no plan.
        self.refused(s.post("/api/v1/documents", plan(20), "agp1"), 403, "forbidden")

    def test_me_shows_agency_and_the_scopes(self):
        me = self.srv.get("/api/v1/me", "agp1").json
        self.assertEqual((me["role"], me["region"], me["agency"]),
                         ("agency-officer", "KZ-11", "kz11-police"))
        self.assertEqual(me["documents"]["k15-case"]["read"], "own-agency")
        self.assertEqual(me["documents"]["k15-case"]["actions"]["report"], "own-agency")
        me = self.srv.get("/api/v1/me", "chair15").json
        self.assertIsNone(me["agency"])
        self.assertEqual(me["documents"]["k15-case"]["actions"]["accept-transfer"], "named-region")

    def test_workflow_json_shows_the_keys(self):
        wfs = {w["type"]: w for w in self.srv.get("/api/v1/workflows", "aud").json["workflows"]}
        c = wfs["k15-case"]
        self.assertEqual((c["region_field"], c["agency_field"]), ("transfer.to", "agency"))
        accept = [t for t in c["transitions"] if t["action"] == "accept-transfer"][0]
        self.assertTrue(accept["moves"])
        self.assertEqual(accept["clears"], ["transfer"])
        p = wfs["k15-plan"]
        self.assertEqual(p["former"]["stages"], {"approved": "in-force", "review": "agreement"})
        self.assertEqual(p["attach"]["stages"], ["draft", "approval"])
        self.assertNotIn("review", [f for t in p["transitions"] for f in t["from"]])


class Agencies(unittest.TestCase):
    """An agency officer's agency: required, only theirs, one of the region's."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kenes-agency-")
        _, self.config = test_dirs(self.tmp)
        self.srv = Server(users=[("aud", "auditor", None)], extra_config=self.config)

    def tearDown(self):
        self.srv.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def add(self, *args):
        return run_cli("user", "add", "--data", self.srv.data, "--password-stdin", *args,
                       stdin=PASSWORD + "\n")

    def test_user_add_checks_the_agency(self):
        code, _, err = self.add("--name", "ag", "--role", "agency-officer", "--region", "KZ-11")
        self.assertEqual(code, 2)
        self.assertIn("needs --agency", err)
        code, _, err = self.add("--name", "ag", "--role", "agency-officer", "--region", "KZ-11",
                                "--agency", "kz15-police")
        self.assertEqual(code, 2)
        self.assertIn("user 'ag': agency 'kz15-police' is not one of KZ-11's in", err)
        self.assertIn("agencies.yaml", err)
        code, _, err = self.add("--name", "of", "--role", "regional-official", "--region", "KZ-11",
                                "--agency", "kz11-police")
        self.assertEqual(code, 2)
        self.assertIn("only an agency-officer has an agency", err)
        code, out, err = self.add("--name", "ag", "--role", "agency-officer", "--region", "KZ-11",
                                  "--agency", "kz11-police")
        self.assertEqual(code, 0, err)
        with open(os.path.join(self.srv.data, "users.yaml")) as f:
            self.assertIn('agency: "kz11-police"', f.read())

    def test_start_refuses_an_unknown_agency(self):
        code, _, err = self.add("--name", "ag", "--role", "agency-officer", "--region", "KZ-11",
                                "--agency", "kz11-police")
        self.assertEqual(code, 0, err)
        path = os.path.join(self.srv.data, "users.yaml")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace('"kz11-police"', '"kz11-polise"'))
        self.assertEqual(self.srv.start(expect_fail=True), 1)
        log = self.srv.read_log()
        self.assertIn("user 'ag': agency 'kz11-polise' is not one of KZ-11's in", log)
        with open(path, "w") as f:
            f.write(re.sub(r'(?m)^ *agency: "kz11-police"\n', "", text))
        self.assertEqual(self.srv.start(expect_fail=True), 1)
        self.assertIn("user 'ag': role agency-officer needs an agency", self.srv.read_log())


class FormerStages(unittest.TestCase):
    """Plans written under the workflow's earlier version are read under
    today's stage names; their next commit writes the new name."""

    def test_former_stages_map_at_start(self):
        tmp = tempfile.mkdtemp(prefix="kenes-former-")
        try:
            workflows, config = test_dirs(tmp, old=True)
            srv = Server(users=USERS15, extra_config=config, env={"KENES_NOW": "2026-03-01T09:00:00Z"})
            srv.start()
            ids = []
            for n in (1, 2):
                r = srv.post("/api/v1/documents", plan(n), "off11")
                self.assertEqual(r.status, 201, r)
                r = srv.act(r.json["id"], "submit", "off11", r.header("ETag"))
                ids.append(r.json["id"])
            r = srv.act(ids[0], "approve", "rev1",
                        srv.get("/api/v1/documents/" + ids[0], "off11").header("ETag"))
            self.assertEqual(r.json["stage"], "approved")
            srv.stop()
            use_workflows(workflows, old=False)
            srv.start()
            approved, review = ids
            r = srv.get("/api/v1/documents/" + approved, "off11")
            self.assertEqual(r.json["stage"], "in-force")
            self.assertEqual(srv.get("/api/v1/documents/" + review, "off11").json["stage"],
                             "agreement")
            self.assertEqual(self_ids(srv, "/api/v1/documents?stage=in-force&type=k15-plan"),
                             {approved})
            self.assertIn("stage: approved", git(srv.docs_git, "show", f"main:{approved}.md"))
            # Nothing offers a former transition; today's take over.
            inbox = {i["id"]: i["actions"] for i in srv.get("/api/v1/inbox", "rev1").json["items"]}
            self.assertEqual(inbox, {review: ["agree", "return"]})
            inbox = {i["id"]: i["actions"] for i in srv.get("/api/v1/inbox", "off11").json["items"]}
            self.assertEqual(inbox[approved], ["amend"])
            before = commit_count(srv.docs_git)
            self.assertEqual(srv.act(review, "approve", "rev1", srv.get(
                "/api/v1/documents/" + review, "off11").header("ETag")).status, 403)
            self.assertEqual(commit_count(srv.docs_git), before)
            r = srv.act(approved, "amend", "off11", r.header("ETag"))
            self.assertEqual(r.status, 200, r)
            self.assertIn("stage: draft", git(srv.docs_git, "show", f"main:{approved}.md"))
            self.assertIn("Kenes-Stage: in-force -> draft", git(srv.docs_git, "log", "-1", "--format=%B"))
            r = srv.act(review, "agree", "rev1", srv.get("/api/v1/documents/" + review, "off11").header("ETag"))
            self.assertEqual(r.json["stage"], "agreement")
            r = srv.act(review, "agree", "rev2", r.header("ETag"))
            self.assertEqual(r.json["stage"], "in-force")
            hist = srv.get(f"/api/v1/documents/{review}/history", "off11").json["versions"]
            self.assertEqual([v["to"] for v in hist], ["in-force", "agreement", "review", "draft"])
            # kenes verify accepts the former transitions and today's after them.
            srv.stop()
            code, out, err = run_cli("verify", "--data", srv.data)
            self.assertEqual(code, 0, out + err)
            srv.cleanup()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def self_ids(srv, path):
    return {d["id"] for d in srv.get(path, "aud").json["documents"]}


if __name__ == "__main__":
    unittest.main()
