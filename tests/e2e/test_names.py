"""Issue 11, item 10: a case's pseudonym holding a date, a school number or an
address, and a title holding the child's name joined or in full-width
letters, are refused with 422 at the field, an answer that repeats none of
it, and nothing written."""
import os
import re
import unittest

from kenes_harness import ServerTest, commit_count
from test_cases import USERS_C, case_body

NAME = "Zzyzx Qwertyuiop"
BIRTH = "2013-04-07"
SCHOOL = "School No. 913"
ADDRESS = "Vexbrow street 12, flat 47"
CHILD = {"pseudonym": "K11-0042", "full_name": NAME, "birth_date": BIRTH,
         "address": ADDRESS, "school": SCHOOL}
SECRETS = (NAME, "Zzyzx", "Qwertyuiop", BIRTH, "Vexbrow", "913")


def body(title=None, **child):
    b = case_body(child=dict(CHILD, **child))
    if title is not None:
        b["title"] = title
    return b


class Names(ServerTest):
    users = USERS_C
    env = {"KENES_NOW": "2026-03-25T09:00:00Z"}

    def written(self):
        """What a refused write must leave as it was: the commits of both
        repositories and the journal."""
        s = self.srv
        journal = os.path.join(s.data, "index", "cases.jsonl")
        size = os.path.getsize(journal) if os.path.exists(journal) else 0
        return commit_count(s.cases_git), commit_count(s.docs_git), size

    def refused_at(self, path, r, before, *values):
        self.assertEqual(r.status, 422, r)
        self.assertEqual([f["path"] for f in r.json["error"]["fields"]], [path], r)
        self.assertEqual(self.written(), before)
        for secret in SECRETS + values:
            self.assertNotIn(secret, r.raw)

    def create_refused_at(self, path, b, *values):
        before = self.written()
        r = self.srv.post("/api/v1/documents", b, "off11")
        self.refused_at(path, r, before, *values)

    def test_pseudonym_with_date_school_and_address(self):
        # The same child with a pseudonym and title that give nothing away
        # is accepted: what is refused below is refused for what it holds.
        r = self.srv.post("/api/v1/documents", body(title="Профилактика буллинга"), "off11")
        self.assertEqual(r.status, 201, r)
        p = "Schoolvexbrow-913-2013-04-07"
        self.create_refused_at("fields.child.pseudonym", body(pseudonym=p), p)

    def test_pseudonym_spellings(self):
        for p in ("Vexbrow-K11", "K11-913", "K11-0913", "K-20130407", "K-07-04-2013",
                  "K-7-4-13", "Fox-2013", "K-47", "K11-2019-5-6", "Qwerty-uiop"):
            with self.subTest(pseudonym=p):
                self.create_refused_at("fields.child.pseudonym", body(pseudonym=p), p)

    def test_title_with_the_name_joined_or_full_width(self):
        for t in ("ZzyzxQwertyuiop", "Ｚｚｙｚｘ", "ＱＷＥＲＴＹＵＩＯＰ ＺＺＹＺＸ",
                  "Дело qwertyuiopzzyzx", "Zzy-zx"):
            with self.subTest(title=t):
                self.create_refused_at("title", body(title=t), t)

    def test_an_edit_cannot_put_the_name_in(self):
        s = self.srv
        r = s.post("/api/v1/documents", body(), "off11")
        self.assertEqual(r.status, 201, r)
        cid, etag = r.json["id"], r.header("ETag")
        for change in ({"title": "ＺｚｙｚｘＱｗｅｒｔｙｕｉｏｐ"},
                       {"fields": body(pseudonym="K-2013-04-07")["fields"]}):
            with self.subTest(change=list(change)):
                before = self.written()
                r = s.put("/api/v1/documents/" + cid, change, "off11", etag)
                self.refused_at("title" if "title" in change else "fields.child.pseudonym",
                                r, before)
        r = s.get("/api/v1/documents/" + cid, "off11")
        self.assertEqual(r.header("ETag"), etag)

    def test_nothing_of_it_in_the_log(self):
        self.create_refused_at("title", body(title="ZzyzxQwertyuiop"))
        # Commit ids and case uuids are random hex: a secret of three digits
        # ("913") turns up in one now and then, and says nothing of the child.
        log = re.sub(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|"
                     r"-> [0-9a-f]{12}\b", "<id>", self.srv.read_log())
        for secret in SECRETS + ("ZzyzxQwertyuiop", "Schoolvexbrow"):
            self.assertNotIn(secret, log)


if __name__ == "__main__":
    unittest.main()
