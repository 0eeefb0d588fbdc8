"""The access matrix: every role over every endpoint and document type.

Permitted writes are sent so that they fail after the permission check
(a stale If-Match gives 412, an invalid body 422), so one table covers
every cell and nothing is written; refused ones answer 403, and without a
token 401."""
import unittest

from kenes_harness import USERS, ServerTest, commit_count, plan_body, roster_body
from test_cases import case_body

USERS_M = USERS + [("chair11", "commission-chair", "KZ-11"), ("chair15", "commission-chair", "KZ-15"),
                   ("sec11", "commission-secretary", "KZ-11"), ("sec15", "commission-secretary", "KZ-15")]
ROLES = ["off11", "off15", "appr1", "appr2", "chair11", "chair15", "sec11", "sec15", "rev1", "aud",
         "adm", None]
STALE = '"' + "0" * 40 + '"'

# Who may do what on documents of region KZ-11 (None: no token).
ALL = set(ROLES) - {None}
MATRIX = {
    "regional-plan": {
        "read": ALL, "create": {"off11", "adm"}, "edit": {"off11", "adm"},
        # The chain: the akimat of the region approves (or returns), the
        # ministry agrees (or returns), the region amends what is in force.
        "actions": {"submit": {"off11", "adm"}, "approve": {"appr1", "adm"},
                    "return": {"appr1", "rev1", "adm"}, "agree": {"rev1", "adm"},
                    "amend": {"off11", "adm"}},
        "erase": set(),
    },
    "commission-roster": {
        "read": ALL, "create": {"off11", "adm"}, "edit": {"off11", "adm"},
        # The chain: the akimat of the region approves (or returns), the
        # ministry agrees (or returns), the region amends what is in force.
        "actions": {"submit": {"off11", "adm"}, "approve": {"appr1", "adm"},
                    "return": {"appr1", "rev1", "adm"}, "agree": {"rev1", "adm"},
                    "amend": {"off11", "adm"}},
        "erase": set(),
    },
    "case-review": {
        "read": {"off11", "chair11", "aud", "adm"}, "create": {"off11", "adm"},
        "edit": {"off11", "adm"},
        "actions": {"start-review": {"off11", "adm"}, "approve-plan": {"chair11", "adm"},
                    "begin-accompaniment": {"off11", "adm"}, "request-closure": {"off11", "adm"},
                    "close": {"chair11", "adm"}, "reopen": {"chair11", "adm"}},
        "erase": {"adm"},
    },
}
ROUTES = {  # path -> who gets 200
    "/api/v1/me": ALL, "/api/v1/workflows": ALL, "/api/v1/regions": ALL,
    "/api/v1/templates/regional-plan?lang=kk": ALL, "/api/v1/documents": ALL,
    "/api/v1/audit/access": {"aud", "adm"}, "/api/v1/audit": {"aud", "adm"},
}


class AccessMatrix(ServerTest):
    users = USERS_M

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        cls.docs = {}
        for body in (plan_body(), roster_body(), case_body()):
            r = s.post("/api/v1/documents", body, "off11")
            assert r.status == 201, r
            cls.docs[body["type"]] = r.json["id"]
        # A secretary reads cases of its own region where the workflow gives it
        # that (issue 14's case-review does); it creates and decides nothing here.
        wf = {w["type"]: w for w in s.get("/api/v1/workflows", "aud").json["workflows"]}
        cls.secretary_reads_cases = any(
            "commission-secretary" in rule["roles"] and rule["scope"] == "own-region"
            for rule in wf["case-review"]["read"])
        if cls.secretary_reads_cases:
            MATRIX["case-review"]["read"] = MATRIX["case-review"]["read"] | {"sec11"}

    def call(self, user, method, path, body=None, headers=None):
        s = self.srv
        return s.request(method, path, body, token=s.token(user) if user else None, headers=headers)

    def expect(self, user, allowed, r, ok_status, what):
        want = 401 if user is None else ok_status if user in allowed else 403
        self.assertEqual(r.status, want, f"{what} as {user}: {r}")

    def test_routes(self):
        for path, allowed in ROUTES.items():
            for user in ROLES:
                self.expect(user, allowed, self.call(user, "GET", path), 200, path)
        for user in ROLES:  # no token needed
            self.assertEqual(self.call(user, "GET", "/healthz").status, 200, user)

    def test_documents(self):
        s = self.srv
        before = (commit_count(s.docs_git), commit_count(s.cases_git))
        for t, rules in MATRIX.items():
            doc_id = self.docs[t]
            base = f"/api/v1/documents/{doc_id}"
            first = s.get(base + "/history", "adm").json["versions"][-1]["commit"]
            for user in ROLES:
                for sub in ("", "/history", f"/versions/{first}", f"/diff?from={first}&to={first}"):
                    self.expect(user, rules["read"], self.call(user, "GET", base + sub), 200, t + sub)
                # create: an invalid document of this type in KZ-11 -> 422 when permitted
                bad = {"type": t, "region": "KZ-11", "title": "x", "fields": {"colour": "red"}}
                self.expect(user, rules["create"], self.call(user, "POST", "/api/v1/documents", bad),
                            422, f"create {t}")
                self.expect(user, rules["edit"] & rules["read"],
                            self.call(user, "PUT", base, {"title": "x"}, {"If-Match": STALE}),
                            412, f"edit {t}")
                for action, allowed in rules["actions"].items():
                    self.expect(user, allowed & rules["read"],
                                self.call(user, "POST", base + "/transitions", {"action": action},
                                          {"If-Match": STALE}), 412, f"{action} {t}")
                self.expect(user, rules["erase"],
                            self.call(user, "DELETE", base, {"reason": "retention ended"},
                                      {"If-Match": STALE}), 412, f"erase {t}")
            # Lists hold exactly what the caller may read.
            for user in ALL:
                listed = {d["id"] for d in self.call(user, "GET", "/api/v1/documents").json["documents"]}
                self.assertEqual(doc_id in listed, user in rules["read"], (t, user))
        self.assertEqual((commit_count(s.docs_git), commit_count(s.cases_git)), before)

    def test_other_region_documents(self):
        """An official or chair of KZ-15 acting on KZ-15's own documents is allowed,
        the same people on KZ-11's are not: the scope, not only the role."""
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-15"), "off15")
        self.assertEqual(r.status, 201, r)
        r = s.post("/api/v1/documents", case_body(region="KZ-15"), "off15")
        self.assertEqual(r.status, 201, r)
        cid = r.json["id"]
        self.assertEqual(self.call("chair15", "GET", "/api/v1/documents/" + cid).status, 200)
        self.assertEqual(self.call("chair11", "GET", "/api/v1/documents/" + cid).status, 403)
        self.assertEqual(self.call("off15", "PUT", "/api/v1/documents/plan/KZ-15/2026", {"title": "x"},
                                   {"If-Match": STALE}).status, 412)
        self.assertEqual(self.call("off11", "PUT", "/api/v1/documents/plan/KZ-15/2026", {"title": "x"},
                                   {"If-Match": STALE}).status, 403)

    def test_me_says_what_the_caller_may_do(self):
        me = self.call("off11", "GET", "/api/v1/me").json
        self.assertEqual((me["user"], me["role"], me["region"]), ("off11", "regional-official", "KZ-11"))
        self.assertEqual(me["documents"]["regional-plan"]["create"], "own-region")
        self.assertEqual(me["documents"]["regional-plan"]["actions"]["approve"], False)
        self.assertEqual(me["documents"]["case-review"]["read"], "own-region")
        rev = self.call("rev1", "GET", "/api/v1/me").json
        self.assertEqual(rev["documents"]["case-review"]["read"], False)
        self.assertEqual(rev["documents"]["regional-plan"]["actions"]["approve"], False)
        self.assertEqual(rev["documents"]["regional-plan"]["actions"]["agree"], "all")
        appr = self.call("appr1", "GET", "/api/v1/me").json
        self.assertEqual((appr["role"], appr["region"]), ("akimat-approver", "KZ-11"))
        self.assertEqual(appr["documents"]["regional-plan"]["actions"]["approve"], "own-region")
        self.assertEqual(appr["documents"]["commission-roster"]["actions"]["approve"], "own-region")
        self.assertEqual(appr["documents"]["regional-plan"]["actions"]["agree"], False)
        self.assertEqual(appr["documents"]["regional-plan"]["create"], False)
        self.assertEqual(appr["documents"]["case-review"]["read"], False)
        aud = self.call("aud", "GET", "/api/v1/me").json
        self.assertEqual(aud["documents"]["case-review"]["read"], "all")
        routes = {(r["method"], r["path"]): r["allowed"] for r in aud["routes"]}
        self.assertIs(routes[("GET", "/api/v1/audit/access")], True)
        routes = {(r["method"], r["path"]): r["allowed"] for r in rev["routes"]}
        self.assertIs(routes[("GET", "/api/v1/audit/access")], False)

    def test_secretary(self):
        """The commission's secretary acts for one region: it reads what the
        workflows give it and creates no plan, roster or case."""
        me = self.call("sec11", "GET", "/api/v1/me").json
        self.assertEqual((me["role"], me["region"]), ("commission-secretary", "KZ-11"))
        for t in ("regional-plan", "commission-roster", "case-review"):
            self.assertIs(me["documents"][t]["create"], False, t)
            self.assertIs(me["documents"][t]["edit"], False, t)
            self.assertFalse(any(me["documents"][t]["actions"].values()), t)
        self.assertEqual(me["documents"]["regional-plan"]["read"], "all")
        self.assertEqual(me["documents"]["case-review"]["read"],
                         "own-region" if self.secretary_reads_cases else False)
        # Its inbox holds nothing of plans and rosters: it acts on none.
        items = self.call("sec11", "GET", "/api/v1/inbox").json["items"]
        self.assertEqual([i for i in items if i["type"] in ("regional-plan", "commission-roster")], [])


# ---- part refer (issue 15): agency officers × referrals, and the case's
# transfer actions.  An agency officer reads and acts on the referrals
# addressed to its own agency only, never on the case they come from.
class ReferralAccess(ServerTest):
    users = USERS_M + [("agp15", "agency-officer", "KZ-15")]
    roles = ROLES[:-1] + ["agp1", "ags1", "agp15", None]
    everyone = set(roles) - {None}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        body = case_body()
        body["fields"]["measures"] = [{"what": "Беседы", "due": "2027-01-15"}]
        r = s.post("/api/v1/documents", body, "off11")
        assert r.status == 201, r
        cls.case = r.json["id"]
        pseudonym = r.json["fields"]["child"]["pseudonym"]
        r = s.post("/api/v1/documents", {
            "type": "referral", "region": "KZ-11",
            "fields": {"case": cls.case, "measure": 1, "agency": "kz11-police",
                       "due": "2027-01-10", "pseudonym": pseudonym,
                       "task": "Профилактическая беседа"}}, "chair11")
        assert r.status == 201, r
        cls.referral = r.json["id"]

    def call(self, user, method, path, body=None, headers=None):
        s = self.srv
        return s.request(method, path, body, token=s.token(user) if user else None, headers=headers)

    def expect(self, user, allowed, r, ok_status, what):
        want = 401 if user is None else ok_status if user in allowed else 403
        self.assertEqual(r.status, want, f"{what} as {user}: {r}")

    def test_referral(self):
        s = self.srv
        before = (commit_count(s.docs_git), commit_count(s.cases_git))
        read = {"off11", "chair11", "sec11", "aud", "adm", "agp1"}
        base = "/api/v1/documents/" + self.referral
        first = s.get(base + "/history", "adm").json["versions"][-1]["commit"]
        actions = {"accept": {"agp1", "adm"}, "decline": {"agp1", "adm"},
                   "report": {"agp1", "adm"}, "withdraw": {"chair11", "adm"}}
        for user in self.roles:
            for sub in ("", "/history", f"/versions/{first}"):
                self.expect(user, read, self.call(user, "GET", base + sub), 200, "referral" + sub)
            bad = {"type": "referral", "region": "KZ-11", "fields": {"colour": "red"}}
            self.expect(user, {"chair11", "sec11", "adm"},
                        self.call(user, "POST", "/api/v1/documents", bad), 422, "create referral")
            for action, allowed in actions.items():
                self.expect(user, allowed,
                            self.call(user, "POST", base + "/transitions", {"action": action},
                                      {"If-Match": STALE}), 412, f"{action} referral")
        for user in self.everyone:
            listed = {d["id"] for d in self.call(user, "GET", "/api/v1/documents").json["documents"]}
            self.assertEqual(self.referral in listed, user in read, user)
        self.assertEqual((commit_count(s.docs_git), commit_count(s.cases_git)), before)

    def test_agency_officer_and_the_case(self):
        """The case the referral comes from is closed to every agency officer;
        so is every other type's confidential document and every write."""
        base = "/api/v1/documents/" + self.case
        for user in ("agp1", "ags1", "agp15"):
            for sub in ("", "/history"):
                self.assertEqual(self.call(user, "GET", base + sub).status, 403, (user, sub))
            listed = {d["type"] for d in self.call(user, "GET", "/api/v1/documents").json["documents"]}
            self.assertNotIn("case-review", listed, user)
            for t in ("regional-plan", "commission-roster", "case-review"):
                bad = {"type": t, "region": "KZ-11", "title": "x", "fields": {"colour": "red"}}
                self.assertEqual(self.call(user, "POST", "/api/v1/documents", bad).status, 403,
                                 (user, t))
        me = self.call("agp1", "GET", "/api/v1/me").json
        self.assertEqual((me["role"], me["region"], me["agency"]),
                         ("agency-officer", "KZ-11", "kz11-police"))
        self.assertIs(me["documents"]["case-review"]["read"], False)

    def test_transfer_actions(self):
        """Who may transfer a case of KZ-11 (its chair), withdraw it (the same);
        accepting and declining are the named region's chair's, and no region
        is named while no transfer is requested."""
        s = self.srv
        before = commit_count(s.cases_git)
        base = "/api/v1/documents/" + self.case + "/transitions"
        rules = {"transfer": {"chair11", "adm"}, "withdraw-transfer": {"chair11", "adm"},
                 "accept-transfer": {"adm"}, "decline-transfer": {"adm"}}
        for user in self.roles:
            for action, allowed in rules.items():
                self.expect(user, allowed,
                            self.call(user, "POST", base, {"action": action}, {"If-Match": STALE}),
                            412, action)
        self.assertEqual(commit_count(s.cases_git), before)

# ---- part core (issue 15): the two new roles on real documents, with a
# version that is current (not a stale If-Match): the akimat's approver
# acts on its own region's plans and rosters only and agrees nothing; an
# agency officer writes no plan, roster, case or meeting and reads no case.
class NewRolesAccess(unittest.TestCase):
    AGENCY = [("agp1", "KZ-11", "kz11-police")]

    @classmethod
    def setUpClass(cls):
        import os
        import shutil
        import tempfile
        from kenes_harness import PASSWORD, SOURCE, Server, run_cli, walk_chain
        cls.tmp = tempfile.mkdtemp(prefix="kenes-roles15-")
        content = os.path.join(cls.tmp, "content")
        shutil.copytree(os.path.join(SOURCE, "content"), content)
        if not os.path.exists(os.path.join(content, "agencies.yaml")):
            shutil.copy(os.path.join(SOURCE, "tests", "data", "content15", "agencies.yaml"), content)
        s = cls.srv = Server(users=USERS_M, extra_config=f"paths:\n  content: {content}\n")
        for name, region, agency in cls.AGENCY:
            code, _, err = run_cli("user", "add", "--data", s.data, "--name", name, "--role",
                                   "agency-officer", "--region", region, "--agency", agency,
                                   "--password-stdin", stdin=PASSWORD + "\n")
            # agp1 and ags1 are the harness's USERS too (part refer).
            assert code == 0 or "exists already" in err, err
        s.start()
        r = s.post("/api/v1/documents", plan_body(), "off11")
        assert r.status == 201, r
        cls.plan = r.json["id"]
        cls.plan_etag = walk_chain(s, cls.plan, r.header("ETag"), until="regional-approval").header("ETag")
        r = s.post("/api/v1/documents", case_body(), "off11")
        assert r.status == 201, r
        cls.case = r.json["id"]

    @classmethod
    def tearDownClass(cls):
        import shutil
        cls.srv.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def counts(self):
        return commit_count(self.srv.docs_git), commit_count(self.srv.cases_git)

    def test_approver_acts_in_its_region_only(self):
        s = self.srv
        before = self.counts()
        act = {"number": "№ 15", "date": "2026-02-05"}
        for action in ("approve", "return"):
            r = s.post(f"/api/v1/documents/{self.plan}/transitions",
                       {"action": action, "comment": "Нет", "fields": {"act": act}}
                       if action == "approve" else {"action": action, "comment": "Нет"},
                       "appr2", self.plan_etag)
            self.assertEqual(r.status, 403, (action, r))
        for action in ("agree", "submit", "amend"):
            r = s.act(self.plan, action, "appr1", self.plan_etag, comment="Нет")
            self.assertEqual(r.status, 403, (action, r))
        self.assertEqual(s.put("/api/v1/documents/" + self.plan, {"title": "x"}, "appr1",
                               self.plan_etag).status, 403)
        for body in (plan_body(region="KZ-11", period=2031), roster_body()):
            self.assertEqual(s.post("/api/v1/documents", body, "appr1").status, 403)
        self.assertEqual(s.get("/api/v1/documents/" + self.case, "appr1").status, 403)
        self.assertEqual(self.counts(), before)
        me = s.get("/api/v1/me", "appr2").json
        self.assertEqual(me["documents"]["regional-plan"]["actions"]["approve"], "own-region")
        self.assertIs(me["documents"]["regional-plan"]["actions"]["agree"], False)

    def test_agency_officer_writes_and_reads_no_case(self):
        s = self.srv
        before = self.counts()
        self.assertEqual(s.get("/api/v1/documents/" + self.case, "agp1").status, 403)
        self.assertEqual(s.get(f"/api/v1/documents/{self.case}/history", "agp1").status, 403)
        listed = {d["type"] for d in s.get("/api/v1/documents", "agp1").json["documents"]}
        self.assertNotIn("case-review", listed)
        self.assertNotIn("commission-meeting", listed)
        for body in (plan_body(period=2032), roster_body(), case_body(),
                     {"type": "commission-meeting", "region": "KZ-11", "fields": {}}):
            self.assertEqual(s.post("/api/v1/documents", body, "agp1").status, 403, body["type"])
        for action in ("submit", "approve", "return", "agree", "amend"):
            self.assertEqual(s.act(self.plan, action, "agp1", self.plan_etag, comment="x").status,
                             403, action)
        self.assertEqual(s.act(self.case, "start-review", "agp1", STALE).status, 403)
        self.assertEqual(self.counts(), before)
        me = s.get("/api/v1/me", "agp1").json
        self.assertEqual(me["agency"], "kz11-police")
        for t in ("regional-plan", "commission-roster", "case-review", "commission-meeting"):
            self.assertIs(me["documents"][t]["create"], False, t)
            self.assertIs(me["documents"][t]["edit"], False, t)
            self.assertFalse([a for a, v in me["documents"][t]["actions"].items() if v], t)
        self.assertIs(me["documents"]["case-review"]["read"], False)
        self.assertIs(me["documents"]["commission-meeting"]["read"], False)

    def test_execution_reports_are_the_officials(self):
        # A plan execution report is written by the region's official and judged
        # by the ministry: the akimat's approver and an agency officer write none,
        # and a reviewer only accepts or returns (ACCESS per /me and per request).
        s = self.srv
        before = self.counts()
        body = {"type": "plan-execution", "region": "KZ-11", "fields": {}}
        for who in ("appr1", "agp1", "rev1", "aud"):
            self.assertEqual(s.post("/api/v1/documents", body, who).status, 403, who)
            me = s.get("/api/v1/me", who).json["documents"]["plan-execution"]
            self.assertIs(me["create"], False, who)
            self.assertIs(me["edit"], False, who)
        me = s.get("/api/v1/me", "rev1").json["documents"]["plan-execution"]
        self.assertEqual({a for a, v in me["actions"].items() if v}, {"accept", "return"})
        me = s.get("/api/v1/me", "off11").json["documents"]["plan-execution"]
        self.assertEqual(me["create"], "own-region")
        self.assertEqual({a for a, v in me["actions"].items() if v}, {"submit"})
        self.assertEqual(self.counts(), before)


if __name__ == "__main__":
    unittest.main()
