"""Files on a document version (contract §6): a plan's signed scans up and
down byte-equal with the download headers, a later version without one
(detach) while the older version still serves it, a case's file sealed in
cases.git and its reading logged, every bad upload refused with nothing
written, the dossier's list of files, and kenes verify's rule for attach
and detach commits."""
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import unittest
import urllib.parse
import zipfile
import io
import zlib

from kenes_harness import (PLAN_ACT, USERS, Browser, Server, ServerTest, commit_count, git,
                           plan_body, run_cli, with_commission, stop_and_verify)
from test_cases import case_body

USERS_A = with_commission(USERS)
MAX_BYTES = 4096  # attachments.max_bytes of this test's kenes.yaml

MARKER = b"ATTACH-SECRET-MARKER-5521"


def pdf(extra=b""):
    return (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + extra +
            b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def png():
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) +
            chunk(b"IEND", b""))


def jpeg():
    return (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            b"\xff\xdb\x00\x43\x00" + bytes(range(64)) + b"\xff\xd9")


def all_objects(repo):
    p = subprocess.run(["git", "-C", repo, "cat-file", "--batch-all-objects", "--batch"],
                       capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout


def forge(srv, doc_id, author, role, action, stage, change, rm=()):
    """A commit written by hand into srv's documents.git (srv stopped), as
    a forger with a copy would: doc_id's file rewritten by change(text),
    the paths rm removed, a message with kenes's trailers (stage: "draft"
    or "in-force -> draft").  The forged commit's id."""
    clone = os.path.join(srv.tmp, "clone")
    if not os.path.isdir(clone):
        subprocess.run(["git", "clone", "-q", "-b", "main", srv.docs_git, clone], check=True,
                       capture_output=True, timeout=120)
    subprocess.run(["git", "-C", clone, "pull", "-q", "origin", "main"], check=True,
                   capture_output=True, timeout=120)
    path = os.path.join(clone, doc_id + ".md")
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(change(text))
    for p in rm:
        subprocess.run(["git", "-C", clone, "rm", "-q", p], check=True, capture_output=True,
                       timeout=120)
    msg = (f"{action.capitalize()} {doc_id}\n\nKenes-Document: {doc_id}\n"
           f"Kenes-Action: {action}\nKenes-Stage: {stage}\nKenes-Role: {role}\n")
    env = dict(os.environ, GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL=f"{author}@users.kenes",
               GIT_COMMITTER_NAME="kenes", GIT_COMMITTER_EMAIL="kenes@localhost")
    subprocess.run(["git", "-C", clone, "commit", "-q", "-a", "-m", msg], check=True,
                   env=env, capture_output=True, timeout=120)
    subprocess.run(["git", "-C", clone, "push", "-q", "origin", "HEAD:main"], check=True,
                   capture_output=True, timeout=120)
    return git(clone, "rev-parse", "HEAD").strip()


class Bytes:
    """An answer whose body stays bytes."""

    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body
        try:
            self.json = json.loads(body)
        except ValueError:
            self.json = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


class SmallFiles(ServerTest):
    """A server whose files are at most MAX_BYTES."""
    users = USERS_A
    extra_config = f"attachments:\n  max_bytes: {MAX_BYTES}\n"


class Attachments(SmallFiles):

    # ---- helpers ----

    def raw(self, method, path, user, body=None, headers=None):
        s = self.srv
        h = dict(headers or {})
        h["Authorization"] = "Bearer " + s.token(user)
        c = s.conn()
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            return Bytes(r.status, r.getheaders(), r.read())
        finally:
            c.close()

    def upload(self, doc_id, data, user, etag, name="scan.pdf", ctype="application/pdf"):
        h = {"Content-Type": ctype} if ctype else {}
        if etag:
            h["If-Match"] = etag
        q = "" if name is None else "?name=" + urllib.parse.quote(name, safe="")
        return self.raw("POST", f"/api/v1/documents/{doc_id}/attachments{q}", user, data, h)

    def download(self, doc_id, aid, user, version=None):
        q = f"?version={version}" if version else ""
        return self.raw("GET", f"/api/v1/documents/{doc_id}/attachments/{aid}{q}", user)

    def plan(self, region, user):
        s = self.srv
        r = s.get(f"/api/v1/documents/plan/{region}/2026", user)
        if r.status == 200:
            return r.json["id"], r.header("ETag")
        r = s.post("/api/v1/documents", plan_body(region=region), user)
        self.assertEqual(r.status, 201, r)
        return r.json["id"], r.header("ETag")

    def refused(self, r, status, code, repo):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.json["error"]["code"], code, r)

    # ---- a plan's files ----

    def test_round_trip_detach_and_older_version(self):
        s = self.srv
        pid, etag = self.plan("KZ-11", "off11")
        files = [("Постановление акимата №12.pdf", "application/pdf", pdf()),
                 ("scan page 2.png", "image/png", png()),
                 ("фото.jpg", "image/jpeg", jpeg())]
        got = []
        for name, ctype, data in files:
            r = self.upload(pid, data, "off11", etag, name=name, ctype=ctype)
            self.assertEqual(r.status, 201, r)
            a = r.json["attachment"]
            self.assertEqual((a["name"], a["type"], a["size"], a["by"]), (name, ctype, len(data), "off11"))
            self.assertRegex(a["id"], r"^[0-9a-f]{16}$")
            self.assertRegex(a["sha256"], r"^[0-9a-f]{64}$")
            self.assertEqual(r.header("ETag"), '"%s"' % r.json["version"])
            etag = r.header("ETag")
            got.append(a)
        # Each comes back byte-equal, as a download never to be rendered.
        for (name, ctype, data), a in zip(files, got):
            r = self.download(pid, a["id"], "off11")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.body, data)
            self.assertEqual(r.header("Content-Type"), ctype)
            self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
            cd = r.header("Content-Disposition")
            self.assertTrue(cd.startswith('attachment; filename="'), cd)
            self.assertIn("filename*=UTF-8''" + urllib.parse.quote(name, safe=""), cd)
            self.assertTrue(all(ord(ch) < 128 for ch in cd), cd)
            # Any reader of the plan may take it: a reviewer too.
            self.assertEqual(self.download(pid, a["id"], "rev1").body, data)
        doc = s.get("/api/v1/documents/" + pid, "off11")
        self.assertEqual([a["id"] for a in doc.json["attachments"]], [a["id"] for a in got])
        # The files are in git beside the plan, in the very commit that lists them.
        tree = git(s.docs_git, "ls-tree", "-r", "--name-only", "main")
        for a in got:
            self.assertIn(f"{pid}.files/{a['id']}", tree)
        blob = subprocess.run(["git", "-C", s.docs_git, "cat-file", "blob",
                               f"main:{pid}.files/{got[0]['id']}"], capture_output=True).stdout
        self.assertEqual(blob, files[0][2])
        with_all = doc.json["version"]
        hist = s.get(f"/api/v1/documents/{pid}/history", "off11").json["versions"]
        self.assertEqual([v["action"] for v in hist[:3]], ["attach"] * 3)
        self.assertEqual(hist[0]["to"], "draft")

        # Detach the PDF: the next version lists two, the older still serves it.
        before = commit_count(s.docs_git)
        r = self.raw("DELETE", f"/api/v1/documents/{pid}/attachments/{got[0]['id']}", "off11",
                     headers={"If-Match": etag})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["removed"], got[0]["id"])
        etag = r.header("ETag")
        self.assertEqual(commit_count(s.docs_git), before + 1)
        doc = s.get("/api/v1/documents/" + pid, "off11")
        self.assertEqual([a["id"] for a in doc.json["attachments"]], [got[1]["id"], got[2]["id"]])
        self.assertEqual(self.download(pid, got[0]["id"], "off11").status, 404)
        old = self.download(pid, got[0]["id"], "off11", version=with_all)
        self.assertEqual(old.status, 200, old)
        self.assertEqual(old.body, files[0][2])
        self.assertNotIn(f"{pid}.files/{got[0]['id']}",
                         git(s.docs_git, "ls-tree", "-r", "--name-only", "main"))
        old_doc = s.get(f"/api/v1/documents/{pid}/versions/{with_all}", "off11")
        self.assertEqual(len(old_doc.json["attachments"]), 3)
        hist = s.get(f"/api/v1/documents/{pid}/history", "off11").json["versions"]
        self.assertEqual(hist[0]["action"], "detach")
        # An edit keeps the files; the dossier lists each version's.
        r = s.put("/api/v1/documents/" + pid, {"title": "План с приложениями"}, "off11", etag)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["attachments"]), 2)
        z = self.raw("GET", f"/api/v1/documents/{pid}/dossier.zip", "aud")
        self.assertEqual(z.status, 200, z)
        with zipfile.ZipFile(io.BytesIO(z.body)) as zf:
            listing = json.loads(zf.read("files.json"))
        self.assertEqual(listing["id"], pid)
        by_commit = {v["commit"]: [f["id"] for f in v["files"]] for v in listing["versions"]}
        self.assertEqual(by_commit[with_all], [a["id"] for a in got])
        last = listing["versions"][-1]
        self.assertEqual([f["id"] for f in last["files"]], [got[1]["id"], got[2]["id"]])
        self.assertEqual(last["files"][0]["path"], f"{pid}.files/{got[1]['id']}")
        self.assertEqual(last["files"][0]["sha256"], got[1]["sha256"])
        self.assertEqual(listing["versions"][0]["files"], [])

    def test_bad_uploads_write_nothing(self):
        s = self.srv
        pid, etag = self.plan("KZ-15", "off15")
        before = commit_count(s.docs_git)
        cases = [
            ("too big", pdf(b"x" * MAX_BYTES), "application/pdf", "a.pdf", 413, "attachment_too_big"),
            ("empty", b"", "application/pdf", "a.pdf", 422, "attachment_empty"),
            ("text", b"hello", "text/plain", "a.txt", 415, "attachment_type"),
            ("no type", pdf(), None, "a.pdf", 415, "attachment_type"),
            ("png as pdf", png(), "application/pdf", "a.pdf", 415, "attachment_mismatch"),
            ("pdf cut", pdf()[:-7], "application/pdf", "a.pdf", 415, "attachment_mismatch"),
            ("jpeg cut", jpeg()[:-2], "image/jpeg", "a.jpg", 415, "attachment_mismatch"),
            ("no name", pdf(), "application/pdf", None, 422, "attachment_name"),
            ("empty name", pdf(), "application/pdf", "", 422, "attachment_name"),
            ("slash", pdf(), "application/pdf", "../a.pdf", 422, "attachment_name"),
            ("backslash", pdf(), "application/pdf", "a\\b.pdf", 422, "attachment_name"),
            ("control", pdf(), "application/pdf", "a\x01b.pdf", 422, "attachment_name"),
            ("newline", pdf(), "application/pdf", "a\nb.pdf", 422, "attachment_name"),
            ("long", pdf(), "application/pdf", "я" * 101, 422, "attachment_name"),
        ]
        for what, data, ctype, name, status, code in cases:
            with self.subTest(what):
                r = self.upload(pid, data, "off15", etag, name=name, ctype=ctype)
                self.refused(r, status, code, s.docs_git)
                if status == 422:
                    self.assertEqual(r.json["error"]["fields"][0]["code"], code, r)
                self.assertEqual(commit_count(s.docs_git), before, what)
        # 200 bytes of name are fine.
        r = self.upload(pid, pdf(), "off15", etag, name="я" * 100)
        self.assertEqual(r.status, 201, r)
        etag = r.header("ETag")
        # Who and when: another region's official, a reviewer, a stale or no If-Match.
        before = commit_count(s.docs_git)
        self.refused(self.upload(pid, pdf(), "off11", etag), 403, "forbidden", s.docs_git)
        self.refused(self.upload(pid, pdf(), "rev1", etag), 403, "forbidden", s.docs_git)
        self.refused(self.upload(pid, pdf(), "chair15", etag), 403, "forbidden", s.docs_git)
        first = s.get(f"/api/v1/documents/{pid}/history", "off15").json["versions"][-1]["commit"]
        self.refused(self.upload(pid, pdf(), "off15", f'"{first}"'), 409, "stale", s.docs_git)
        self.refused(self.upload(pid, pdf(), "off15", None), 428, "precondition_required",
                     s.docs_git)
        aid = s.get("/api/v1/documents/" + pid, "off15").json["attachments"][0]["id"]
        r = self.raw("DELETE", f"/api/v1/documents/{pid}/attachments/{aid}", "rev1",
                     headers={"If-Match": etag})
        self.refused(r, 403, "forbidden", s.docs_git)
        r = self.raw("DELETE", f"/api/v1/documents/{pid}/attachments/{'0' * 16}", "off15",
                     headers={"If-Match": etag})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(commit_count(s.docs_git), before)
        # The 21st file.
        for i in range(19):
            r = self.upload(pid, pdf(), "off15", etag, name=f"лист {i + 2}.pdf")
            self.assertEqual(r.status, 201, r)
            etag = r.header("ETag")
        before = commit_count(s.docs_git)
        r = self.upload(pid, pdf(), "off15", etag, name="лист 21.pdf")
        self.refused(r, 422, "attachment_count", s.docs_git)
        self.assertEqual(r.json["error"]["fields"][0]["path"], "attachments")
        self.assertEqual(commit_count(s.docs_git), before)
        # Not in a stage attach: names (submitted for approval).
        r = s.act(pid, "submit", "off15", etag)
        self.assertEqual(r.status, 200, r)
        etag = r.header("ETag")
        stage = r.json["stage"]
        if stage not in ("draft", "regional-approval"):
            before = commit_count(s.docs_git)
            self.refused(self.upload(pid, pdf(), "off15", etag), 403, "forbidden", s.docs_git)
            self.assertEqual(commit_count(s.docs_git), before)

    # ---- a case's file, sealed ----

    def test_case_file_sealed_served_and_logged(self):
        s = self.srv
        r = s.post("/api/v1/documents", case_body(), "off11")
        self.assertEqual(r.status, 201, r)
        cid, etag = r.json["id"], r.header("ETag")
        data = pdf(b"(" + MARKER + b")")
        name = "Справка ATTACH-NAME-MARKER.pdf"
        r = self.upload(cid, data, "sec11", etag, name=name)
        self.assertEqual(r.status, 201, r)
        aid = r.json["attachment"]["id"]
        blobs = all_objects(s.cases_git)
        self.assertNotIn(MARKER, blobs)
        self.assertNotIn(b"ATTACH-NAME-MARKER", blobs)
        self.assertNotIn(b"%PDF-", blobs)
        log = git(s.cases_git, "log", "--format=%B", "main")
        self.assertNotIn("ATTACH-NAME-MARKER", log)
        self.assertIn("Kenes-Action: attach", log)
        # ... and still served byte-equal to a reader, the read on record.
        log_path = os.path.join(s.data, "access.log")
        with open(log_path) as f:
            n = len(f.readlines())
        r = self.download(cid, aid, "chair11")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, data)
        with open(log_path) as f:
            lines = [json.loads(l) for l in f.readlines()[n:]]
        self.assertEqual([(e["user"], e["action"], e["document"]) for e in lines],
                         [("chair11", "attachment", cid)])
        # Not to whoever may not read the case.
        self.assertEqual(self.download(cid, aid, "rev1").status, 403)
        self.assertEqual(self.download(cid, aid, "off15").status, 403)
        # A chair's upload (attach: names the official and the secretary): refused.
        before = commit_count(s.cases_git)
        etag = s.get("/api/v1/documents/" + cid, "off11").header("ETag")
        self.assertEqual(self.upload(cid, data, "chair11", etag).status, 403)
        self.assertEqual(commit_count(s.cases_git), before)
        # The case's later versions keep the file: an edit, a transition.
        r = s.put("/api/v1/documents/" + cid, {"body": "# Рассмотрение\n\nДополнено.\n"},
                  "off11", etag)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(commit_count(s.cases_git), before + 1)
        r = s.act(cid, "start-review", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual([a["id"] for a in r.json["attachments"]], [aid])
        self.assertEqual(self.download(cid, aid, "off11").body, data)
        self.assertNotIn(MARKER, all_objects(s.cases_git))


def multipart(fields, boundary="----kenesTestBoundary7MA4YWxkTrZu0gW"):
    """fields: [(name, value)] or [(name, (filename, content type, bytes))]."""
    out = b""
    for name, v in fields:
        out += f"--{boundary}\r\n".encode()
        if isinstance(v, tuple):
            fname, ctype, data = v
            out += (f'Content-Disposition: form-data; name="{name}"; filename="{fname}"\r\n'
                    f"Content-Type: {ctype}\r\n\r\n").encode() + data + b"\r\n"
        else:
            out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n{v}\r\n'.encode()
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class WebFiles(SmallFiles):
    """The document page's «Приложенные файлы»: the upload form (multipart,
    CSRF), the download link, the removal; a refusal shown on the page."""

    def upload(self, b, path, fields):
        body, ctype = multipart(fields)
        h = {"Cookie": "; ".join(f"{k}={v}" for k, v in b.jar.items())}
        return self.srv.request("POST", path, headers=h, raw=body, content_type=ctype)

    def test_upload_download_remove(self):
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(), "off11")
        self.assertEqual(r.status, 201, r)
        pid = r.json["id"]
        b = Browser(s, lang="ru").signed_in("off11")
        page = b.get("/ui/d/" + pid)
        self.assertIn("Приложенные файлы", page.raw)
        self.assertIn('enctype="multipart/form-data"', page.raw)
        self.assertIn('action="/ui/d/%s/attach"' % pid, page.raw)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.raw).group(1)
        version = re.search(r'name="version" value="([0-9a-f]{40})"', page.raw).group(1)
        before = commit_count(s.docs_git)
        # Without the CSRF token: refused, nothing written.
        r = self.upload(b, f"/ui/d/{pid}/attach",
                        [("version", version), ("file", ("a.pdf", "application/pdf", pdf()))])
        self.assertEqual(r.status, 403, r)
        # A PNG sent as a PDF: the page again, saying why in Russian.
        r = self.upload(b, f"/ui/d/{pid}/attach",
                        [("csrf", csrf), ("version", version),
                         ("file", ("a.pdf", "application/pdf", png()))])
        self.assertEqual(r.status, 415, r)
        self.assertIn("Содержимое файла не соответствует его типу", r.raw)
        self.assertEqual(commit_count(s.docs_git), before)
        r = self.upload(b, f"/ui/d/{pid}/attach",
                        [("csrf", csrf), ("version", version),
                         ("file", ("Постановление №7.pdf", "application/pdf", pdf()))])
        self.assertEqual(r.status, 303, r)
        self.assertEqual(commit_count(s.docs_git), before + 1)
        page = b.get(r.header("Location").split("#")[0])
        self.assertIn("Постановление №7.pdf", page.raw)
        self.assertIn("Файлы документа изменены", page.raw)
        href = re.search(r'href="(/ui/d/[^"]+/file\?aid=[0-9a-f]{16})"', page.raw).group(1)
        c = s.conn()
        c.request("GET", href.replace("&amp;", "&"),
                  headers={"Cookie": "; ".join(f"{k}={v}" for k, v in b.jar.items())})
        got = c.getresponse()
        self.assertEqual(got.status, 200)
        self.assertEqual(got.read(), pdf())
        self.assertEqual(got.getheader("X-Content-Type-Options"), "nosniff")
        self.assertTrue(got.getheader("Content-Disposition").startswith("attachment;"))
        c.close()
        # The edit form offers the upload too.
        edit = b.get(f"/ui/d/{pid}/edit")
        self.assertIn('action="/ui/d/%s/attach"' % pid, edit.raw)
        # Remove it.
        aid = re.search(r'name="aid" value="([0-9a-f]{16})"', page.raw).group(1)
        version = re.search(r'name="version" value="([0-9a-f]{40})"', page.raw).group(1)
        r = b.post(f"/ui/d/{pid}/detach", {"csrf": csrf, "version": version, "aid": aid})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(commit_count(s.docs_git), before + 2)
        self.assertNotIn("Постановление №7.pdf", b.get("/ui/d/" + pid).raw)
        # A reviewer sees the section only when there are files, and no form.
        kk = Browser(s, lang="kk").signed_in("rev1")
        page = kk.get("/ui/d/" + pid)
        self.assertNotIn("/attach", page.raw)


class ChainFiles(ServerTest):
    """The akimat's signed resolution attached while it approves; the plan
    in force shows its files on its public page; later stages refuse."""
    users = USERS_A

    def test_scan_attached_in_the_chain_and_public(self):
        s = self.srv
        t = Attachments("test_round_trip_detach_and_older_version")
        t.srv = s
        r = s.post("/api/v1/documents", plan_body(region="KZ-15"), "off15")
        self.assertEqual(r.status, 201, r)
        pid = r.json["id"]
        r = s.act(pid, "submit", "off15", r.header("ETag"))
        self.assertEqual(r.json["stage"], "regional-approval", r)
        # The official may still attach in regional-approval; the akimat's
        # approver attaches the signed resolution.
        scan = pdf(b"(akimat resolution scan)")
        r = t.upload(pid, scan, "appr2", r.header("ETag"), name="Постановление акимата.pdf")
        self.assertEqual(r.status, 201, r)
        aid = r.json["attachment"]["id"]
        r = s.act(pid, "approve", "appr2", r.header("ETag"), fields={"act": PLAN_ACT})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "ministry-agreement", r)
        before = commit_count(s.docs_git)
        self.assertEqual(t.upload(pid, pdf(), "appr2", r.header("ETag")).status, 403)
        self.assertEqual(t.upload(pid, pdf(), "off15", r.header("ETag")).status, 403)
        self.assertEqual(commit_count(s.docs_git), before)
        for rev in ("rev1", "rev2"):
            r = s.act(pid, "agree", rev, r.header("ETag"))
            self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "in-force", r)
        self.assertEqual(t.upload(pid, pdf(), "off15", r.header("ETag")).status, 403)
        # Anyone sees and takes the file of the plan in force.
        page = s.request("GET", "/public/" + pid)
        self.assertEqual(page.status, 200)
        self.assertIn("Постановление акимата.pdf", page.raw)
        href = re.search(r'href="(/public/[^"]+/file\?[^"]+)"', page.raw).group(1)
        c = s.conn()
        c.request("GET", href.replace("&amp;", "&"))
        got = c.getresponse()
        self.assertEqual((got.status, got.read()), (200, scan))
        self.assertEqual(got.getheader("X-Content-Type-Options"), "nosniff")
        c.close()
        self.assertEqual(s.request("GET", f"/public/{pid}/file?aid={'0' * 16}").status, 404)
        # A draft's file is no public file.
        r = s.post("/api/v1/documents", plan_body(region="KZ-11"), "off11")
        r = t.upload(r.json["id"], pdf(), "off11", r.header("ETag"))
        self.assertEqual(r.status, 201, r)
        draft_aid = r.json["attachment"]["id"]
        self.assertEqual(
            s.request("GET", f"/public/plan/KZ-11/2026/file?aid={draft_aid}").status, 404)


class VerifyAttachments(unittest.TestCase):
    """kenes verify accepts attach and detach commits and catches one that
    says attach but changes a field too."""

    def test_verify(self):
        s = Server(users=USERS_A)
        try:
            s.start()
            t = Attachments("test_round_trip_detach_and_older_version")
            t.srv = s
            pid, etag = t.plan("KZ-11", "off11")
            r = t.upload(pid, pdf(), "off11", etag)
            self.assertEqual(r.status, 201, r)
            aid, etag = r.json["attachment"]["id"], r.header("ETag")
            r = t.upload(pid, png(), "off11", etag, name="b.png", ctype="image/png")
            self.assertEqual(r.status, 201, r)
            r = t.raw("DELETE", f"/api/v1/documents/{pid}/attachments/{aid}", "off11",
                      headers={"If-Match": r.header("ETag")})
            self.assertEqual(r.status, 200, r)
            r = s.post("/api/v1/documents", case_body(), "off11")
            r = t.upload(r.json["id"], pdf(), "sec11", r.header("ETag"))
            self.assertEqual(r.status, 201, r)
            stop_and_verify(self, s)

            # A commit that says attach and changes the plan's title as well.
            forged = forge(s, pid, "off11", "regional-official", "attach", "draft",
                           lambda text: text.replace("period: 2026", "period: 2027"))
            code, out, err = run_cli("verify", "--data", s.data)
            self.assertNotEqual(code, 0, out + err)
            lines = [l for l in (out + err).splitlines() if forged in l]
            self.assertTrue(any("attach" in l and "field" in l for l in lines), out + err)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
