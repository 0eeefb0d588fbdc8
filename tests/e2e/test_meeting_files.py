"""A commission meeting's files (contract §6; progress15: "no e2e of a
meeting's files"): the secretary attaches the signed resolution once the
meeting is held, the chair the attendance sheet once it is signed.  Both
are sealed in cases.git with the meeting's key: no blob, commit message or
file name in the clear (`git cat-file` of every object).  The chair and
the secretary of the region (and the region's official and the auditor,
who may read the meeting) take them back byte-equal, each read on record
in the access log; whoever may not read the meeting gets 403 (anonymous
401); a meeting not yet held takes no file, nobody outside attach: adds
one, and nothing is written for any refusal."""
import json
import os
import unittest

from kenes_harness import (USERS, ServerTest, approved_roster, commit_count, git, today_of,
                           with_commission)
import test_attachments as ta  # its helpers; a module import runs none of its tests

MARKER = b"MEETING-RESOLUTION-MARKER-7730"
NAME_MARKER = "MEETING-FILE-NAME-MARKER"


class MeetingFiles(ServerTest):
    users = with_commission(USERS)

    def setUp(self):
        self.t = ta.Attachments("test_round_trip_detach_and_older_version")
        self.t.srv = self.srv

    def meeting(self):
        """A KZ-11 meeting on a general matter, scheduled: (id, ETag)."""
        s = self.srv
        rid = approved_roster(s, "KZ-11")
        members = [m["full_name"] for m in s.get("/api/v1/documents/" + rid, "aud")
                   .json["fields"]["members"]]
        present = members[:len(members) // 2 + 1]
        body = {"type": "commission-meeting", "region": "KZ-11", "body": "# Заседание\n",
                "fields": {"number": 1, "date": today_of(s), "place": "Зал акимата",
                           "attendance": present,
                           "agenda": [{"kind": "matter", "matter": "О летнем отдыхе детей",
                                       "decision_text": "Принять к сведению",
                                       "vote": {"for": len(present), "against": 0,
                                                "abstained": 0}}]}}
        r = s.post("/api/v1/documents", body, "sec11")
        self.assertEqual(r.status, 201, r)
        return r.json["id"], r.header("ETag")

    def access_lines(self, since):
        with open(os.path.join(self.srv.data, "access.log")) as f:
            return [json.loads(l) for l in f.readlines()[since:]]

    def access_count(self):
        with open(os.path.join(self.srv.data, "access.log")) as f:
            return len(f.readlines())

    def test_signed_resolution_sealed_and_served(self):
        s = self.srv
        mid, etag = self.meeting()

        # Scheduled: no file yet (attach: names held and signed).
        before = commit_count(s.cases_git)
        r = self.t.upload(mid, ta.pdf(), "sec11", etag)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(commit_count(s.cases_git), before)

        r = s.act(mid, "record", "sec11", etag)
        self.assertEqual((r.status, r.json["stage"]), (200, "held"), r)
        etag = r.header("ETag")
        # Nobody outside attach:'s roles and region, and no bad file: nothing written.
        before = commit_count(s.cases_git)
        for user in ("off11", "aud", "rev1", "appr1", "agp1", "chair15", "sec15"):
            with self.subTest(user=user):
                r = self.t.upload(mid, ta.pdf(), user, etag)
                self.assertEqual(r.status, 403, r)
        r = self.t.upload(mid, ta.pdf(), "sec11", etag, name="решение\u202e.pdf")
        self.assertEqual((r.status, r.json["error"]["code"]), (422, "attachment_name"), r)
        r = self.t.upload(mid, ta.png(), "sec11", etag)
        self.assertEqual((r.status, r.json["error"]["code"]), (415, "attachment_mismatch"), r)
        self.assertEqual(commit_count(s.cases_git), before)

        # The secretary attaches the signed resolution; the chair signs, then
        # attaches the attendance sheet.
        resolution = ta.pdf(b"(" + MARKER + b")")
        name = f"Постановление комиссии {NAME_MARKER}.pdf"
        r = self.t.upload(mid, resolution, "sec11", etag, name=name)
        self.assertEqual(r.status, 201, r)
        res_aid = r.json["attachment"]["id"]
        self.assertEqual(commit_count(s.cases_git), before + 1)
        r = s.act(mid, "sign", "chair11", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "signed"), r)
        self.assertEqual([a["id"] for a in r.json["attachments"]], [res_aid])
        sheet = ta.png()
        r = self.t.upload(mid, sheet, "chair11", r.header("ETag"), name="Явочный лист.png",
                          ctype="image/png")
        self.assertEqual(r.status, 201, r)
        sheet_aid = r.json["attachment"]["id"]

        # Sealed: nothing of the files or their names in any object or message.
        blobs = ta.all_objects(s.cases_git)
        self.assertNotIn(MARKER, blobs)
        self.assertNotIn(NAME_MARKER.encode(), blobs)
        self.assertNotIn(b"%PDF-", blobs)
        self.assertNotIn(b"\x89PNG", blobs)
        self.assertNotIn("Постановление комиссии".encode(), blobs)
        log = git(s.cases_git, "log", "--format=%B", "main")
        self.assertNotIn(NAME_MARKER, log)
        self.assertNotIn("Явочный", log)
        self.assertIn("Kenes-Action: attach", log)
        tree = git(s.cases_git, "ls-tree", "-r", "--name-only", "main")
        self.assertIn(f"{mid}.files/{res_aid}", tree)
        self.assertIn(f"{mid}.files/{sheet_aid}", tree)

        # Round trip, byte-equal, for those who may read the meeting; each
        # read on record.
        for user in ("chair11", "sec11", "off11", "aud"):
            with self.subTest(reader=user):
                n = self.access_count()
                for aid, data, ctype in ((res_aid, resolution, "application/pdf"),
                                         (sheet_aid, sheet, "image/png")):
                    got = self.t.download(mid, aid, user)
                    self.assertEqual(got.status, 200, got)
                    self.assertEqual(got.body, data)
                    self.assertEqual(got.header("Content-Type"), ctype)
                    self.assertEqual(got.header("X-Content-Type-Options"), "nosniff")
                self.assertEqual([(e["user"], e["action"], e["document"])
                                  for e in self.access_lines(n)],
                                 [(user, "attachment", mid)] * 2)
        # The version the resolution came with serves it too.
        hist = s.get(f"/api/v1/documents/{mid}/history", "chair11").json["versions"]
        attached = next(v["commit"] for v in reversed(hist) if v["action"] == "attach")
        got = self.t.download(mid, res_aid, "chair11", version=hist[-1]["commit"])
        self.assertEqual(got.status, 404, got)  # created without it
        self.assertEqual(self.t.download(mid, sheet_aid, "chair11", version=attached).status,
                         404)

        # Whoever may not read the meeting: 403, and no read on record.
        n = self.access_count()
        for user in ("chair15", "sec15", "off15", "rev1", "appr1", "agp1"):
            with self.subTest(stranger=user):
                self.assertEqual(self.t.download(mid, res_aid, user).status, 403)
        self.assertEqual([e for e in self.access_lines(n) if e["action"] == "attachment"], [])
        c = s.conn()
        c.request("GET", f"/api/v1/documents/{mid}/attachments/{res_aid}")
        r = c.getresponse()
        self.assertEqual(r.status, 401)
        r.read()
        c.close()
        # No public file: a meeting is never public.
        c = s.conn()
        c.request("GET", f"/public/{mid}/file?aid={res_aid}")
        r = c.getresponse()
        self.assertEqual(r.status, 404)
        self.assertNotIn(MARKER, r.read())
        c.close()


if __name__ == "__main__":
    unittest.main()
