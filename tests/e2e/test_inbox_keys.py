"""Issue 14's workflow keys as the inbox shows them, and the national orders
the deadlines count from: a stage's remind: puts a document whose check
comes due in the inbox of the roles it names (with no action, as a
reminder); a transition with inbox: false is no to-do (a closed case's
reopen); content/orders.yaml and a workflow naming an order are checked at
start, and a fault stops the start naming file and line."""
import glob
import os
import shutil
import tempfile
import unittest

from kenes_harness import SOURCE, USERS, Browser, Server, ServerTest, commit_count, run_cli

USERS_I = USERS + [("chair11", "commission-chair", "KZ-11"), ("chair15", "commission-chair", "KZ-15")]


def workflows_folder(tmp, edit=lambda name, text: text, extra=()):
    """The shipped workflows, each passed through edit(name, text), plus extra files."""
    folder = os.path.join(tmp, "workflows")
    os.makedirs(folder)
    for path in glob.glob(os.path.join(SOURCE, "workflows", "*.yaml")):
        with open(path, encoding="utf-8") as f:
            text = edit(os.path.basename(path), f.read())
        with open(os.path.join(folder, os.path.basename(path)), "w", encoding="utf-8") as f:
            f.write(text)
    for path in extra:
        shutil.copy(path, folder)
    return folder


def check(due, done=None):
    """A check of the case's one measure (a new check names its measure)."""
    return {"due": due, "measure": 1, "done": done, "outcome": "effective" if done else None,
            "next_steps": ""}


def case_body(pseudonym, region="KZ-11", follow_ups=()):
    return {"type": "case-review", "region": region, "body": "# Рассмотрение\n", "fields": {
        "child": {"pseudonym": pseudonym, "full_name": "Тест Тестов", "birth_date": "2012-03-04"},
        "grounds": ["bullying-victim"],
        "decision": "Назначить сопровождающего",
        "measures": [{"what": "Встречи с психологом", "who": "Психолог школы", "due": "2026-04-30"}],
        "follow_ups": list(follow_ups)}}


class InboxKeys(ServerTest):
    users = USERS_I
    env = {"KENES_NOW": "2026-03-01T09:00:00Z"}

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kenes-inbox14-")
        fixture = os.path.join(SOURCE, "tests", "data", "workflows", "e2e-inbox", "case-review.yaml")
        folder = workflows_folder(cls.tmp, lambda name, text: text)
        shutil.copy(fixture, folder)  # replaces the shipped case-review.yaml
        cls.extra_config = f"paths:\n  workflows: {folder}\n"
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def accompanied(self, pseudonym, due, region="KZ-11", user="off11"):
        s = self.srv
        r = s.post("/api/v1/documents", case_body(pseudonym, region, [check("2026-02-01", "2026-02-01"),
                                                                   check(due)]), user)
        self.assertEqual(r.status, 201, r)
        cid = r.json["id"]
        r = s.act(cid, "begin", user, r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        return cid, r

    def inbox(self, user):
        return {i["id"]: i for i in self.srv.get("/api/v1/inbox", user).json["items"]}

    def test_a_check_coming_due_reminds_the_chair_not_others(self):
        soon, r = self.accompanied("K11-7001", "2026-03-05")
        self.assertEqual(r.json["due"], "2026-03-05T00:00:00Z")
        later, _ = self.accompanied("K11-7002", "2026-04-15")
        late, _ = self.accompanied("K11-7003", "2026-02-20")
        other, _ = self.accompanied("K15-7004", "2026-03-03", region="KZ-15", user="off15")
        box = self.inbox("chair11")
        self.assertEqual((box[soon]["actions"], box[soon]["reminder"]), (["close"], True))
        self.assertEqual((box[late]["reminder"], box[late]["overdue"]), (True, True))
        self.assertFalse(box[later]["reminder"])  # a month away: a to-do, no reminder
        self.assertNotIn(other, box)  # another region's case: the chair may not read it
        self.assertEqual(box[soon]["pseudonym"], "K11-7001")
        self.assertNotIn("fields", box[soon])
        # The auditor acts on nothing, yet is reminded (the fixture names the
        # role): "actions" empty, "reminder" true, every region.
        box = self.inbox("aud")
        self.assertEqual((box[soon]["actions"], box[soon]["reminder"]), ([], True))
        self.assertIn(other, box)
        self.assertNotIn(later, box)
        # The official neither acts nor is named.
        self.assertNotIn(soon, self.inbox("off11"))
        # The web inbox says why the line is there, in each language.
        for lang, words, overdue in (("ru", "Подходит срок проверки", "просрочено"),
                                     ("kk", "Тексеру мерзімі жақындады", "мерзімі өтті"),
                                     ("en", "A check is coming due", "overdue")):
            b = Browser(self.srv, lang=lang)
            b.sign_in("aud")
            page = b.get("/ui/inbox").raw
            self.assertIn(words, page)
            self.assertIn(f'<span class="reminder"><strong class="overdue">{overdue}</strong>', page)

    def test_a_closed_case_is_no_to_do(self):
        s = self.srv
        cid, r = self.accompanied("K11-7005", "2026-03-02")
        r = s.act(cid, "close", "chair11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertNotIn(cid, self.inbox("chair11"))
        # reopen stays open to the chair: only the inbox leaves it out.
        doc = s.get("/api/v1/documents/" + cid, "chair11")
        before = commit_count(s.cases_git)
        r = s.act(cid, "reopen", "chair11", doc.header("ETag"), comment="Новые обстоятельства")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(commit_count(s.cases_git), before + 1)
        self.assertIn(cid, self.inbox("chair11"))  # open again: close is a to-do

    def test_the_workflow_says_so(self):
        wf = [w for w in self.srv.get("/api/v1/workflows", "aud").json["workflows"]
              if w["type"] in ("case-review", "commission-roster")]
        by = {w["type"]: w for w in wf}
        stage = [st for st in by["case-review"]["stages"] if st["name"] == "in-accompaniment"][0]
        self.assertEqual(stage["remind"], {"roles": ["auditor", "commission-chair"],
                                           "user_field": None, "before_hours": 168})
        reopen = [t for t in by["case-review"]["transitions"] if t["action"] == "reopen"][0]
        self.assertFalse(reopen["inbox"])
        draft = [st for st in by["commission-roster"]["stages"] if st["name"] == "draft"][0]
        self.assertEqual(draft["deadline"]["order"], "roster-2026")


class OrdersAtStart(unittest.TestCase):
    """content/orders.yaml and what names it: checked before anything is served."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kenes-orders-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def refused(self, extra_config):
        s = Server(users=[], extra_config=extra_config)
        try:
            code = s.start(expect_fail=True)
            self.assertNotEqual(code, 0)
            return s.read_log(), s.data
        finally:
            s.cleanup()

    def content_with_orders(self, text):
        content = os.path.join(self.tmp, "content")
        shutil.copytree(os.path.join(SOURCE, "content"), content)
        with open(os.path.join(content, "orders.yaml"), "w", encoding="utf-8") as f:
            f.write(text)
        return content

    def test_a_bad_orders_file_refuses_start(self):
        content = self.content_with_orders(
            "orders:\n  - name: roster-2026\n    date: 2026-02-31\n    term_days: 7\n"
            "    title: {ru: Поручение, kk: Тапсырма, en: Instruction}\n")
        log, _ = self.refused(f"paths:\n  content: {content}\n")
        self.assertIn(f"{content}/orders.yaml:3: 'date' must be a date such as 2026-01-31", log)

    def test_an_unknown_order_refuses_start(self):
        folder = workflows_folder(self.tmp, lambda name, text: text.replace(
            "{order: roster-2026", "{order: roster-2099"))
        log, _ = self.refused(f"paths:\n  workflows: {folder}\n")
        self.assertIn("commission-roster.yaml:", log)
        self.assertIn("unknown order 'roster-2099' (not in content/orders.yaml)", log)

    def test_the_order_missing_from_the_file_refuses_start(self):
        content = self.content_with_orders("orders: []\n")
        log, _ = self.refused(f"paths:\n  content: {content}\n")
        self.assertIn("unknown order 'roster-2026'", log)

    def test_verify_reads_the_orders_too(self):
        content = self.content_with_orders("orders: [{name: Bad}]\n")
        s = Server(users=[], extra_config=f"paths:\n  content: {content}\n")
        try:
            code, out, err = run_cli("verify", "--data", s.data)
            self.assertNotEqual(code, 0)
            self.assertIn(f"{content}/orders.yaml:1:", out + err)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
