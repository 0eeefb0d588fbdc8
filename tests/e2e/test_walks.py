"""Walks over many documents that read no document on the loop (issue 16,
item 4): a search of bodies reads the files on the thread pool (a plan
whose type is not resident, so its body is in no memory: the search must
read it), never a confidential document's body; bounded per search
(README, "Lists and search").  Runs under KENES_TEST_DROP=1 too
(e2e_drop_test_walks)."""
import shutil
import tempfile
import unittest
import urllib.parse

from kenes_harness import ServerTest, Browser, commit_count, hold_meeting, plan_body
from test_cases import USERS_C, case_body
from test_inbox_keys import workflows_folder

BODY = "# План\n\nШкольные МЕДИАТОРЫ, выездные бригады; проект Kenes.\n"


def not_resident(name, text):
    """The shipped workflows, the plan's type not resident: its JSON leaves memory."""
    return text.replace("resident: true\n", "") if name == "regional-plan.yaml" else text


class BodySearch(ServerTest):
    users = USERS_C
    env = {"KENES_NOW": "2026-03-25T09:00:00Z"}

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kenes-walks-")
        cls.extra_config = f"paths:\n  workflows: {workflows_folder(cls.tmp, not_resident)}\n"
        super().setUpClass()
        s = cls.srv
        r = s.post("/api/v1/documents", plan_body(body=BODY), "off11")
        assert r.status == 201, r
        cls.plan = r.json["id"]
        r = s.post("/api/v1/documents", plan_body(region="KZ-11", period=2027,
                                                  title="Второй план"), "off11")
        assert r.status == 201, r
        cls.other = r.json["id"]
        # A case whose text holds the same words: never found by them.
        case = case_body()
        case["body"] = "# Рассмотрение\n\nМедиаторы школы, проект Kenes.\n"
        r = s.post("/api/v1/documents", case, "off11")
        assert r.status == 201, r
        cls.case = r.json["id"]

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def found(self, q, user="off11"):
        r = self.srv.get("/api/v1/documents?q=" + urllib.parse.quote(q), user)
        self.assertEqual(r.status, 200, r)
        return [d["id"] for d in r.json["documents"]]

    def test_body_words_found_on_the_pool(self):
        before = (commit_count(self.srv.docs_git), commit_count(self.srv.cases_git))
        self.assertEqual(self.found("медиаторы"), [self.plan])
        self.assertEqual(self.found("МЕДИАТ"), [self.plan])  # a word's start
        self.assertEqual(self.found("едиаторы"), [])  # not its middle
        self.assertEqual(self.found("ВЫЕЗДНЫЕ,   бригады"), [self.plan])
        self.assertEqual(self.found("ＫＥＮＥＳ"), [self.plan])  # NFKC
        # Titles still match from the index; both plans, in id order.
        self.assertEqual(self.found("план"), sorted([self.plan, self.other]))
        # The words of the default body: the second plan only.
        self.assertEqual(self.found("профилактике"), [self.other])
        # Nothing matches: an empty list.
        self.assertEqual(self.found("несуществующееслово"), [])
        # The filters still apply before a body is read.
        r = self.srv.get("/api/v1/documents?type=case-review&q=" + urllib.parse.quote("медиаторы"),
                         "off11")
        self.assertEqual((r.status, r.json["documents"]), (200, []))
        # The same on the list page.
        page = Browser(self.srv).signed_in("off11").get("/ui/list?q=" + urllib.parse.quote("медиаторы"))
        self.assertEqual(page.status, 200)
        self.assertIn(f'href="/ui/d/{self.plan}"', page.raw)
        self.assertNotIn(f'href="/ui/d/{self.other}"', page.raw)
        self.assertNotIn(self.case, page.raw)
        # A search writes nothing.
        self.assertEqual((commit_count(self.srv.docs_git), commit_count(self.srv.cases_git)), before)

    def test_confidential_body_never_searched(self):
        # The case's text holds "медиаторы" and "kenes": only the plan is found.
        self.assertNotIn(self.case, self.found("медиаторы"))
        self.assertNotIn(self.case, self.found("kenes"))
        self.assertNotIn(self.case, self.found("Рассмотрение"))
        # Its pseudonym (what its list entry shows) still finds it.
        self.assertEqual(self.found("K11-0042"), [self.case])

    def test_bad_query_refused_and_nothing_written(self):
        before = commit_count(self.srv.docs_git)
        r = self.srv.get("/api/v1/documents?q=%zz", "off11")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["error"]["code"], "bad_request")
        self.assertEqual(commit_count(self.srv.docs_git), before)

    def test_edit_searched_at_its_new_version(self):
        """A body changed is searched as it stands: the pool reads the current version."""
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-11", period=2028,
                                                  body="# План\n\nСтарые слова.\n"), "off11")
        self.assertEqual(r.status, 201, r)
        pid, etag = r.json["id"], r.header("ETag")
        self.assertIn(pid, self.found("старые"))
        body = plan_body(region="KZ-11", period=2028, body="# План\n\nНовые слова: волонтёры.\n")
        r = s.put("/api/v1/documents/" + pid, {"title": body["title"], "body": body["body"],
                                               "fields": body["fields"]}, "off11", etag)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.found("ВОЛОНТЁРЫ"), [pid])
        self.assertNotIn(pid, self.found("старые"))


class ReferencedBy(ServerTest):
    """A document GET's referenced_by, kept per document and reader between
    commits (core/api/prepared.c): a commit anywhere (a new referrer, a
    referrer's new stage) shows at once; each reader sees what they may."""
    users = USERS_C
    env = {"KENES_NOW": "2026-03-25T09:00:00Z"}

    def refs(self, cid, user):
        r = self.srv.get("/api/v1/documents/" + cid, user)
        self.assertEqual(r.status, 200, r)
        return [(x["id"], x["stage"]) for x in r.json["referenced_by"]]

    def test_kept_until_a_commit(self):
        s = self.srv
        r = s.post("/api/v1/documents", case_body(), "off11")
        self.assertEqual(r.status, 201, r)
        cid = r.json["id"]
        s.login("aud")
        for _ in range(2):
            self.assertEqual(self.refs(cid, "chair11"), [])
        mid = hold_meeting(s, "KZ-11", {cid: "approve-plan"}, sign=False)
        for _ in range(2):  # the second from what was kept
            self.assertEqual(self.refs(cid, "chair11"), [(mid, "held")])
        self.assertEqual(self.refs(cid, "aud"), [(mid, "held")])
        r = s.get("/api/v1/documents/" + mid, "chair11")
        r = s.act(mid, "sign", "chair11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        # The referrer's commit moved it: not the kept text.
        for who in ("chair11", "aud"):
            self.assertEqual(self.refs(cid, who), [(mid, "signed")], who)
        # Another region's official may not read the case at all.
        r = s.get("/api/v1/documents/" + cid, "off15")
        self.assertEqual(r.status, 403, r)


if __name__ == "__main__":
    unittest.main()
