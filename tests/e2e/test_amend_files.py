"""An amendment starts without the files of the version in force (probe 15,
finding 17; the amend transition's `clears_files: true`).  The draft the
amendment opens carries no file, and its tree holds none under
<id>.files/; the version in force keeps its scan, publicly, until the
amendment is agreed; then the old scan is no public file any more (the
signed-in history still serves it at its version).  kenes verify accepts
the amend commit that removes the files, and refuses a transition that
removes one without clearing the files."""
import os
import re
import unittest

from kenes_harness import (Server, ServerTest, commit_count, git, plan_body, run_cli,
                           walk_chain, stop_and_verify)
import test_attachments as ta  # its helpers; a module import runs none of its tests

NEW_ACT = {"number": "№ 48", "date": "2026-06-10"}
OLD_SCAN = ta.pdf(b"(resolution 15, signed)")
NEW_SCAN = ta.pdf(b"(resolution 48, signed)")


def public(srv, path):
    c = srv.conn()
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def files_in_tree(repo, doc_id, rev="main"):
    names = git(repo, "ls-tree", "-r", "--name-only", rev).splitlines()
    return [n for n in names if n.startswith(doc_id + ".files/")]


def plan_in_force_with_scan(test, srv, region, official, approver, scan):
    """A plan of region through the chain, the approver attaching scan
    while approving: (id, attachment id, version in force)."""
    t = ta.Attachments("test_round_trip_detach_and_older_version")  # upload, download
    t.srv = srv
    r = srv.post("/api/v1/documents", plan_body(region=region), official)
    test.assertEqual(r.status, 201, r)
    pid = r.json["id"]
    r = walk_chain(srv, pid, r.header("ETag"), official=official, until="regional-approval")
    r = t.upload(pid, scan, approver, r.header("ETag"), name="Постановление акимата.pdf")
    test.assertEqual(r.status, 201, r)
    aid = r.json["attachment"]["id"]
    r = srv.act(pid, "approve", approver, r.header("ETag"),
                fields={"act": {"number": "№ 15", "date": "2026-02-05"}})
    test.assertEqual((r.status, r.json["stage"]), (200, "ministry-agreement"), r)
    for reviewer in ("rev1", "rev2"):
        r = srv.act(pid, "agree", reviewer, r.header("ETag"))
        test.assertEqual(r.status, 200, r)
    test.assertEqual(r.json["stage"], "in-force", r)
    return pid, aid, r.header("ETag").strip('"'), t


class AmendmentFiles(ServerTest):

    def public_file(self, pid, aid):
        return public(self.srv, f"/public/{pid}/file?aid={aid}")

    def public_links(self, pid):
        status, page = public(self.srv, "/public/" + pid)
        self.assertEqual(status, 200)
        return re.findall(r'/public/[^"]+/file\?aid=([0-9a-f]{16})', page.decode())

    def test_amendment_starts_without_the_files_in_force(self):
        s = self.srv
        pid, old_aid, in_force, t = plan_in_force_with_scan(self, s, "KZ-15", "off15", "appr2",
                                                             OLD_SCAN)
        self.assertEqual(self.public_links(pid), [old_aid])
        self.assertEqual(self.public_file(pid, old_aid), (200, OLD_SCAN))
        self.assertEqual(files_in_tree(s.docs_git, pid), [f"{pid}.files/{old_aid}"])

        # amend: one commit, the draft without the act and without the scan.
        before = commit_count(s.docs_git)
        r = s.act(pid, "amend", "off15", f'"{in_force}"', comment="Уточняем меры")
        self.assertEqual((r.status, r.json["stage"]), (200, "draft"), r)
        self.assertEqual(commit_count(s.docs_git), before + 1)
        self.assertNotIn("attachments", r.json)
        self.assertNotIn("act", r.json["fields"])
        self.assertEqual(r.json["in_force"]["version"], in_force)
        draft = r.header("ETag")
        doc = s.get("/api/v1/documents/" + pid, "off15").json
        self.assertEqual(doc.get("attachments", []), [])
        self.assertEqual(files_in_tree(s.docs_git, pid), [])
        # The current version has no such file; the version in force has.
        self.assertEqual(t.download(pid, old_aid, "off15").status, 404)
        old = t.download(pid, old_aid, "off15", version=in_force)
        self.assertEqual((old.status, old.body), (200, OLD_SCAN))
        # The public page of the version in force still offers and serves it.
        self.assertEqual(self.public_links(pid), [old_aid])
        self.assertEqual(self.public_file(pid, old_aid), (200, OLD_SCAN))

        # The amendment's own scan: not public while it is a draft.
        r = t.upload(pid, NEW_SCAN, "off15", draft, name="Постановление № 48.pdf")
        self.assertEqual(r.status, 201, r)
        new_aid = r.json["attachment"]["id"]
        self.assertEqual([a["id"] for a in
                          s.get("/api/v1/documents/" + pid, "off15").json["attachments"]],
                         [new_aid])
        self.assertEqual(self.public_file(pid, new_aid)[0], 404)
        self.assertEqual(self.public_links(pid), [old_aid])

        # Agreed: the amendment's scan is the public one, the old one is gone.
        r = walk_chain(s, pid, r.header("ETag"), official="off15", approver="appr2",
                       act=NEW_ACT)
        self.assertEqual(r.json["stage"], "in-force")
        self.assertEqual(self.public_links(pid), [new_aid])
        self.assertEqual(self.public_file(pid, new_aid), (200, NEW_SCAN))
        self.assertEqual(self.public_file(pid, old_aid)[0], 404)
        # Signed in, the history still has the old scan at its version.
        self.assertEqual(t.download(pid, old_aid, "aud", version=in_force).body, OLD_SCAN)


class VerifyAmendFiles(unittest.TestCase):
    """verify: the amend that removes the files is lawful; a submit that
    removes one is not."""

    def test_verify(self):
        s = Server()
        try:
            s.start()
            pid, old_aid, in_force, t = plan_in_force_with_scan(self, s, "KZ-11", "off11",
                                                                 "appr1", OLD_SCAN)
            r = s.act(pid, "amend", "off11", f'"{in_force}"', comment="Уточняем меры")
            self.assertEqual(r.status, 200, r)
            r = t.upload(pid, NEW_SCAN, "off11", r.header("ETag"))
            self.assertEqual(r.status, 201, r)
            new_aid = r.json["attachment"]["id"]
            stop_and_verify(self, s)

            # A forged submit that also drops the draft's scan from the tree.
            forged = ta.forge(s, pid, "off11", "regional-official", "submit",
                              "draft -> regional-approval",
                              lambda text: text.replace("stage: draft", "stage: regional-approval"),
                              rm=[f"{pid}.files/{new_aid}"])
            code, out, err = run_cli("verify", "--data", s.data)
            self.assertNotEqual(code, 0, out + err)
            lines = [l for l in (out + err).splitlines() if forged in l]
            self.assertTrue(any("removes a file it does not clear" in l for l in lines),
                            out + err)
            # The lawful amend is not among the faults.
            amend = git(s.docs_git, "log", "--format=%H", "--grep", "Kenes-Action: amend",
                        "main").split()
            self.assertEqual(len(amend), 1)
            self.assertFalse([l for l in (out + err).splitlines() if amend[0] in l], out + err)
        finally:
            s.cleanup()

    def test_amend_written_before_clears_files(self):
        """History from before `clears_files: true`: an amend that kept the
        files is lawful (verify judges by the workflow of today, which may
        not condemn what the server wrote then)."""
        s = Server()
        try:
            s.start()
            pid, aid, in_force, t = plan_in_force_with_scan(self, s, "KZ-15", "off15", "appr2",
                                                            OLD_SCAN)
            self.assertEqual(s.stop(), 0)
            # The amend as it was written then: stage draft, the act cleared,
            # the list of files and the file kept.
            def amended_then(text):
                out, skip = [], None
                for line in text.split("\n"):
                    indent = len(line) - len(line.lstrip())
                    if skip is not None and line.strip() and indent > skip:
                        continue
                    skip = None
                    if line.strip() == "act:":
                        skip = indent
                        continue
                    out.append(line.replace("stage: in-force", "stage: draft"))
                return "\n".join(out)
            old_amend = ta.forge(s, pid, "off15", "regional-official", "amend",
                                 "in-force -> draft", amended_then)
            clone = os.path.join(s.tmp, "clone")
            self.assertEqual(files_in_tree(clone, pid), [f"{pid}.files/{aid}"])
            code, out_text, err = run_cli("verify", "--data", s.data)
            faults = [l for l in (out_text + err).splitlines() if old_amend in l]
            # Written by hand, it is unsigned and off the journal; nothing else.
            self.assertTrue(faults, out_text + err)
            for line in faults:
                self.assertNotIn("file", line)
                self.assertNotIn("transition", line)
                self.assertNotIn("field", line)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
