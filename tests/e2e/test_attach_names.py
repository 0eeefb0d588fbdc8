"""Attachment names (probe 15, finding 14): a name holding a character that
shows nothing or turns the text around (bidi embeddings, overrides and
isolates, direction marks, zero-width characters, U+2028/U+2029, the other
format characters the meetings' invisible_char rule refuses) is refused
422 at "name" with code attachment_name, and nothing is written.  The
download's ASCII filename= stands one '_' for each character a client
cannot take, not for each byte, and keeps the extension."""
import unittest
import urllib.parse

from kenes_harness import ServerTest, commit_count, plan_body
import test_attachments as ta  # its helpers; a module import runs none of its tests

HIDDEN = [
    ("right-to-left override", "scan\u202efdp.exe"),
    ("left-to-right embedding", "a\u202ab.pdf"),
    ("pop directional formatting", "a\u202cb.pdf"),
    ("left-to-right override", "a\u202db.pdf"),
    ("right-to-left isolate", "a\u2067b.pdf"),
    ("first strong isolate", "a\u2068b.pdf"),
    ("pop directional isolate", "a\u2069b.pdf"),
    ("left-to-right mark", "\u200eакт.pdf"),
    ("right-to-left mark", "акт\u200f.pdf"),
    ("zero-width space", "акт\u200b.pdf"),
    ("zero-width joiner", "a\u200db.pdf"),
    ("word joiner", "a\u2060b.pdf"),
    ("byte order mark", "\ufeffакт.pdf"),
    ("line separator", "\u2028line.pdf"),
    ("paragraph separator", "a\u2029b.pdf"),
    ("soft hyphen", "Поста\u00adновление.pdf"),
    ("arabic letter mark", "a\u061cb.pdf"),
    ("variation selector", "a\ufe0fb.pdf"),
    ("tag character", "a\U000e0041b.pdf"),
    ("next line (C1)", "a\u0085b.pdf"),
]


class AttachmentNames(ServerTest):

    def setUp(self):
        self.t = ta.Attachments("test_round_trip_detach_and_older_version")
        self.t.srv = self.srv

    def draft(self, region, user):
        r = self.srv.get(f"/api/v1/documents/plan/{region}/2026", user)
        if r.status == 200:
            return r.json["id"], r.header("ETag")
        r = self.srv.post("/api/v1/documents", plan_body(region=region), user)
        self.assertEqual(r.status, 201, r)
        return r.json["id"], r.header("ETag")

    def test_invisible_characters_refused_nothing_written(self):
        s = self.srv
        pid, etag = self.draft("KZ-11", "off11")
        before = commit_count(s.docs_git)
        for what, name in HIDDEN:
            with self.subTest(what):
                r = self.t.upload(pid, ta.pdf(), "off11", etag, name=name)
                self.assertEqual(r.status, 422, r)
                self.assertEqual(r.json["error"]["code"], "attachment_name", r)
                self.assertEqual([(f["path"], f["code"]) for f in r.json["error"]["fields"]],
                                 [("name", "attachment_name")], r)
                self.assertEqual(commit_count(s.docs_git), before, what)
        # The message says why, and repeats no name.
        r = self.t.upload(pid, ta.pdf(), "off11", etag, name=HIDDEN[0][1])
        self.assertNotIn("fdp", r.body.decode())
        doc = s.get("/api/v1/documents/" + pid, "off11").json
        self.assertEqual(doc.get("attachments", []), [])

    def test_ascii_fallback_per_character(self):
        s = self.srv
        pid, etag = self.draft("KZ-15", "off15")
        names = [("Приказ.pdf", "______.pdf"),
                 ("Әкімдік қаулысы.pdf", "_______ _______.pdf"),
                 ("scan 2.pdf", "scan 2.pdf"),
                 ("акт \"№5\".pdf", "___ __5_.pdf"),
                 ("日本.pdf", "__.pdf")]
        for name, ascii_name in names:
            with self.subTest(name):
                r = self.t.upload(pid, ta.pdf(), "off15", etag, name=name)
                self.assertEqual(r.status, 201, r)
                etag = r.header("ETag")
                got = self.t.download(pid, r.json["attachment"]["id"], "off15")
                self.assertEqual(got.status, 200, got)
                cd = got.header("Content-Disposition")
                self.assertEqual(cd, f'attachment; filename="{ascii_name}"; '
                                     f"filename*=UTF-8''{urllib.parse.quote(name, safe='')}")


if __name__ == "__main__":
    unittest.main()
