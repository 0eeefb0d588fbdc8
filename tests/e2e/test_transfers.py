"""Transfers (issue 15): a family moved, so KZ-11's chair transfers a case to
KZ-15 (fields.transfer recorded with the action); both chairs have it in the
inbox; KZ-15's chair reads it and accepts, and the case, its id unchanged,
is KZ-15's from then on (KZ-11's chair 403, the lists follow), its history
whole.  Declining (with a reason) and withdrawing put it back in the stage
it was in.  A transfer to the case's own region, or to no region, is 422
with nothing written; a chair of a third region can neither read nor accept."""
import unittest

from kenes_harness import USERS, Browser, ServerTest, commit_count, with_commission

NOW = "2026-03-02T09:00:00Z"
USERS_T = with_commission(USERS) + [("chair71", "commission-chair", "KZ-71"),
                                    ("off71", "regional-official", "KZ-71")]
CHILD_NAME = "Ая Переездова"


def case_body(pseudonym):
    return {"type": "case-review", "region": "KZ-11", "body": "# Рассмотрение\n",
            "fields": {"child": {"pseudonym": pseudonym, "full_name": CHILD_NAME,
                                 "birth_date": "2012-01-02"},
                       "grounds": ["family"],
                       "measures": [{"what": "Помощь семье", "due": "2026-04-01"}]}}


class Transfers(ServerTest):
    users = USERS_T
    env = {"KENES_NOW": NOW}
    pseudonyms = iter(f"T-{i:04d}" for i in range(1, 1000))

    # ---- helpers -------------------------------------------------------------

    def act(self, doc_id, action, user, etag, comment=None, fields=None):
        body = {"action": action}
        if comment is not None:
            body["comment"] = comment
        if fields is not None:
            body["fields"] = fields
        return self.srv.post(f"/api/v1/documents/{doc_id}/transitions", body, user, etag)

    def case(self, under_review=True):
        r = self.srv.post("/api/v1/documents", case_body(next(self.pseudonyms)), "off11")
        self.assertEqual(r.status, 201, r)
        if under_review:
            r = self.act(r.json["id"], "start-review", "off11", r.header("ETag"))
            self.assertEqual(r.status, 200, r)
        return r.json["id"], r.header("ETag")

    def transfer(self, cid, etag, to="KZ-15", user="chair11"):
        return self.act(cid, "transfer", user, etag,
                        fields={"transfer": {"to": to, "reason": "Семья переехала"}})

    def cases_count(self):
        return commit_count(self.srv.cases_git)

    def inbox(self, user):
        return {i["id"]: i for i in self.srv.get("/api/v1/inbox", user).json["items"]}

    def listed(self, user):
        return {d["id"] for d in
                self.srv.get("/api/v1/documents?type=case-review", user).json["documents"]}

    def refused_at(self, r, path, code):
        self.assertEqual(r.status, 422, r)
        self.assertIn((path, code), [(f["path"], f["code"]) for f in r.json["error"]["fields"]], r)
        self.assertNotIn(CHILD_NAME, r.raw)

    # ---- tests -----------------------------------------------------------------

    def test_transfer_accepted(self):
        s = self.srv
        cid, etag = self.case()
        self.assertEqual(s.get("/api/v1/documents/" + cid, "chair15").status, 403)
        n = self.cases_count()
        r = self.transfer(cid, etag)
        self.assertEqual((r.status, r.json["stage"]), (200, "transfer-requested"), r)
        self.assertEqual(r.json["fields"]["transfer"]["to"], "KZ-15")
        self.assertEqual(r.json["region"], "KZ-11")
        self.assertEqual(r.json["due"], "2026-03-12T09:00:00Z")
        self.assertEqual(self.cases_count(), n + 1)

        # Both chairs have it in the inbox: the receiving one to decide.
        theirs = self.inbox("chair15")
        self.assertEqual(sorted(theirs[cid]["actions"]), ["accept-transfer", "decline-transfer"])
        self.assertIn(cid, self.inbox("chair11"))
        self.assertTrue(self.inbox("chair11")[cid]["reminder"])
        # KZ-15's chair reads it now; its officials, and a third region's chair, do not.
        self.assertEqual(s.get("/api/v1/documents/" + cid, "chair15").status, 200)
        self.assertIn(cid, self.listed("chair15"))
        for user in ("off15", "sec15", "chair71"):
            self.assertEqual(s.get("/api/v1/documents/" + cid, user).status, 403, user)
            self.assertNotIn(cid, self.listed(user), user)
        etag = r.header("ETag")
        # Nobody of the sending side accepts, nor a third region's chair.
        for user in ("chair11", "chair71", "off15"):
            self.assertEqual(self.act(cid, "accept-transfer", user, etag).status, 403, user)
        self.assertEqual(self.cases_count(), n + 1)

        r = self.act(cid, "accept-transfer", "chair15", etag)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["id"], r.json["region"], r.json["stage"]),
                         (cid, "KZ-15", "under-review"))
        self.assertNotIn("transfer", r.json["fields"])
        self.assertEqual(self.cases_count(), n + 2)

        # Access moved with it.
        self.assertEqual(s.get("/api/v1/documents/" + cid, "chair11").status, 403)
        self.assertEqual(s.get("/api/v1/documents/" + cid, "off11").status, 403)
        self.assertNotIn(cid, self.listed("chair11"))
        self.assertNotIn(cid, self.inbox("chair11"))
        for user in ("chair15", "off15", "sec15"):
            self.assertEqual(s.get("/api/v1/documents/" + cid, user).status, 200, user)
            self.assertIn(cid, self.listed(user), user)
        self.assertIn(cid, self.inbox("off15") | self.inbox("sec15"))

        # The history is whole: every version, both regions' actions.
        versions = s.get(f"/api/v1/documents/{cid}/history", "chair15").json["versions"]
        steps = [(v["action"], v["author"], v["to"]) for v in reversed(versions)]
        self.assertEqual(steps, [("create", "off11", "registered"),
                                 ("start-review", "off11", "under-review"),
                                 ("transfer", "chair11", "transfer-requested"),
                                 ("accept-transfer", "chair15", "under-review")])
        for v in versions:
            self.assertEqual(s.get(f"/api/v1/documents/{cid}/versions/{v['commit']}",
                                   "chair15").status, 200)
        # KZ-15's official carries on (a stale edit: allowed, then refused as stale);
        # KZ-11's may not.
        stale = {"If-Match": '"' + "0" * 40 + '"'}
        body = {"title": "x"}
        self.assertEqual(s.request("PUT", "/api/v1/documents/" + cid, body,
                                   token=s.token("off15"), headers=stale).status, 412)
        self.assertEqual(s.request("PUT", "/api/v1/documents/" + cid, body,
                                   token=s.token("off11"), headers=stale).status, 403)

    def test_decline_goes_back(self):
        s = self.srv
        cid, etag = self.case(under_review=False)  # registered
        r = self.transfer(cid, etag)
        self.assertEqual(r.status, 200, r)
        etag = r.header("ETag")
        n = self.cases_count()
        r = self.act(cid, "decline-transfer", "chair15", etag)
        self.assertEqual(r.status, 422, r)
        self.assertEqual([f["code"] for f in r.json["error"]["fields"]], ["comment_required"])
        self.assertEqual(self.cases_count(), n)
        r = self.act(cid, "decline-transfer", "chair15", etag,
                     comment="Семья в регион не прибыла")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["region"], r.json["stage"]), ("KZ-11", "registered"))
        self.assertNotIn("transfer", r.json["fields"])
        self.assertEqual(s.get("/api/v1/documents/" + cid, "chair15").status, 403)
        self.assertNotIn(cid, self.inbox("chair15"))

    def test_withdraw_goes_back(self):
        s = self.srv
        cid, etag = self.case()
        r = self.transfer(cid, etag)
        etag = r.header("ETag")
        self.assertEqual(self.act(cid, "withdraw-transfer", "chair15", etag).status, 403)
        r = self.act(cid, "withdraw-transfer", "chair11", etag)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["region"], r.json["stage"]), ("KZ-11", "under-review"))
        self.assertNotIn("transfer", r.json["fields"])
        self.assertEqual(s.get("/api/v1/documents/" + cid, "chair15").status, 403)

    def test_bad_transfers(self):
        cid, etag = self.case()
        n = self.cases_count()
        self.refused_at(self.transfer(cid, etag, to="KZ-11"), "fields.transfer.to", "region_same")
        self.refused_at(self.transfer(cid, etag, to="KZ-99"), "fields.transfer.to",
                        "region_unknown")
        r = self.act(cid, "transfer", "chair11", etag, fields={"transfer": {"to": "KZ-15"}})
        self.refused_at(r, "fields.transfer.reason", "required")
        # Nothing at all: no region to wait for (guard transfer_named).
        r = self.act(cid, "transfer", "chair11", etag)
        self.assertEqual(r.status, 422, r)
        self.assertEqual([(f["path"], f["code"]) for f in r.json["error"]["fields"]],
                         [("", "transfer_missing")], r)
        # Only what the transition records.
        r = self.act(cid, "transfer", "chair11", etag,
                     fields={"transfer": {"to": "KZ-15", "reason": "Переезд"},
                             "grounds": ["other"]})
        self.assertEqual(r.status, 422, r)
        # Not the official, nor another region's chair.
        self.assertEqual(self.transfer(cid, etag, user="off11").status, 403)
        self.assertEqual(self.transfer(cid, etag, user="chair15").status, 403)
        # An edit does not set it: only the action writes it.
        fields = self.srv.get("/api/v1/documents/" + cid, "off11").json["fields"]
        fields["transfer"] = {"to": "KZ-15", "reason": "Переезд"}
        r = self.srv.put("/api/v1/documents/" + cid, {"fields": fields}, "off11", etag)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(self.cases_count(), n)

    def test_web(self):
        """The case page offers the transfer to its chair with the region as a
        choice, and to the receiving chair the decision, in words."""
        s = self.srv
        cid, etag = self.case()
        r = self.transfer(cid, etag)
        page = Browser(s).signed_in("chair15").get("/ui/d/" + cid)
        self.assertEqual(page.status, 200)
        for words in ("Передаётся в другой регион", "Принять дело", "Отказаться принять",
                      "Актюбинская область", "Семья переехала"):
            self.assertIn(words, page.raw, words)
        page = Browser(s, lang="kk").signed_in("chair11").get("/ui/d/" + cid)
        self.assertIn("Басқа өңірге берілуде", page.raw)
        self.assertIn("Ақтөбе облысы", page.raw)


if __name__ == "__main__":
    unittest.main()
