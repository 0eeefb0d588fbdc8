"""Answers prepared once (issue 16, item 5): a report page is made once per
publication and its bytes served as they are; a document's GET carries its
version as ETag and answers If-None-Match naming it with 304, and a new
version with 200; the public page an anonymous reader gets is kept per
public version and changes when the public face does (an amendment agreed),
not before; a signed-in reader's page still names them; a confidential
document's 304 comes after its reading is in the access log."""
import http.client
import os
import unittest

from kenes_harness import (ServerTest, USERS, Browser, plan_body, plan_measure, wait_until,
                           walk_chain, with_commission)
from test_cases import case_body

FIRST = "Службы примирения в школах — первая редакция"
AMENDED = "Службы примирения и медиации в каждой школе — изменения № 1"


def fetch(srv, path, headers=None):
    """GET path without a login: status, headers (lower-case names), body (bytes)."""
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    try:
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


class Prepared(ServerTest):
    users = with_commission(USERS)

    def publish(self):
        r = self.srv.request("POST", "/api/v1/reports/generate", token=self.srv.token("adm"))
        self.assertEqual(r.status, 200, r)
        return r.json["changed"]

    def plan_in_force(self, region, period, first=FIRST):
        body = plan_body(region=region, period=period)
        body["fields"]["measures"][0]["title"] = first
        r = self.srv.post("/api/v1/documents", body, "off" + region[3:].lstrip("0"))
        self.assertEqual(r.status, 201, r)
        walk_chain(self.srv, r.json["id"], r.header("ETag"))
        return r.json["id"]

    def prepared_pages(self):
        """How many "page(s) prepared" lines the log has: one per publication's job."""
        return self.srv.read_log().count("page(s) prepared")

    def test_report_page_bytes_per_publication(self):
        s = self.srv
        # Counted before this publication: the class's other tests publish
        # too, and a page made on demand before the job is done would carry
        # another time (the bundle's zip) than the prepared one.
        earlier = self.prepared_pages()
        if self.publish():
            wait_until(lambda: self.prepared_pages() > earlier, "the pages of this publication")
        else:  # nothing new: the pages of the start or of an earlier test's publication
            wait_until(lambda: self.prepared_pages() >= 1, "the pages of the last publication")
        before = self.prepared_pages()
        first = [fetch(s, "/reports/national") for _ in range(3)]
        for status, headers, body in first:
            self.assertEqual(status, 200)
            self.assertEqual(headers["content-type"], "text/html; charset=utf-8")
            self.assertEqual(int(headers["content-length"]), len(body))
        self.assertEqual(len({body for _, _, body in first}), 1, "the same bytes each time")
        # Every language, the indexes, the Markdown and the bundle are kept too.
        for path in ("/reports/", "/reports/kk/", "/reports/en", "/reports/kk/national",
                     "/reports/en/regions/KZ-11", "/reports/national.md", "/reports/bundle.zip"):
            a, b = fetch(s, path), fetch(s, path)
            self.assertEqual((a[0], b[0]), (200, 200), path)
            self.assertEqual(a[2], b[2], path)
        md = fetch(s, "/reports/national.md")[2].decode()
        self.assertIn("</html>", first[0][2].decode())

        # A plan comes into force: the next publication changes the report.
        self.plan_in_force("KZ-11", 2027)
        changed = self.publish()
        self.assertIn("national.md", changed)
        status, _, after = fetch(s, "/reports/national")
        self.assertEqual(status, 200)
        self.assertNotEqual(after, first[0][2], "the page of the new publication")
        self.assertNotEqual(fetch(s, "/reports/national.md")[2].decode(), md)
        wait_until(lambda: self.prepared_pages() > before, "the pages of the new publication")
        again = [fetch(s, "/reports/national")[2] for _ in range(2)]
        self.assertEqual(again, [after, after])
        # A HEAD: the same head, no body.
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
        c.request("HEAD", "/reports/national")
        r = c.getresponse()
        self.assertEqual((r.status, int(r.getheader("Content-Length")), r.read()),
                         (200, len(after), b""))
        c.close()

    def test_document_etag_and_if_none_match(self):
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-11", period=2030), "off11")
        self.assertEqual(r.status, 201, r)
        doc = "/api/v1/documents/" + r.json["id"]
        first = s.get(doc, "rev1")
        etag = first.header("ETag")
        self.assertEqual(etag, '"%s"' % first.json["version"])
        for key in ("due", "overdue", "referenced_by", "fields", "title", "stage"):
            self.assertIn(key, first.json)
        # Twice more: the same answer (the second from the kept bytes).
        for _ in range(2):
            again = s.get(doc, "rev1")
            self.assertEqual((again.status, again.json), (200, first.json))
            self.assertEqual(again.header("Cache-Control"), "no-store")
        tok = s.token("rev1")
        for inm in (etag, etag.strip('"'), 'W/' + etag, '"other", ' + etag, "*"):
            r = s.request("GET", doc, token=tok, headers={"If-None-Match": inm})
            self.assertEqual((r.status, r.raw), (304, ""), inm)
            self.assertEqual(r.header("ETag"), etag)
        r = s.request("GET", doc, token=tok, headers={"If-None-Match": '"nope"'})
        self.assertEqual(r.status, 200)
        # Nobody signed in gets no 304 either: the rights come first.
        r = s.request("GET", doc, headers={"If-None-Match": etag})
        self.assertEqual(r.status, 401)
        # A new version: 200 with it, and the old ETag no longer matches.
        r = s.put(doc, {"title": "План, вторая редакция"}, "off11", etag)
        self.assertEqual(r.status, 200, r)
        r = s.request("GET", doc, token=tok, headers={"If-None-Match": etag})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["title"], "План, вторая редакция")
        self.assertNotEqual(r.header("ETag"), etag)
        self.assertEqual(r.header("ETag"), '"%s"' % r.json["version"])
        r2 = s.request("GET", doc, token=tok, headers={"If-None-Match": r.header("ETag")})
        self.assertEqual(r2.status, 304)

    def test_confidential_304_after_its_access_log_line(self):
        s = self.srv
        r = s.post("/api/v1/documents", case_body(), "off11")
        self.assertEqual(r.status, 201, r)
        doc, etag = "/api/v1/documents/" + r.json["id"], r.header("ETag")
        log = os.path.join(s.data, "access.log")
        with open(log) as f:
            lines = len(f.readlines())
        r = s.request("GET", doc, token=s.token("off11"), headers={"If-None-Match": etag})
        self.assertEqual(r.status, 304)
        with open(log) as f:
            self.assertEqual(len(f.readlines()), lines + 1, "the 304 was a read, logged first")
        r = s.get(doc, "off11")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["fields"]["child"]["pseudonym"], "K11-0042")

    def test_public_page_until_the_public_face_changes(self):
        s = self.srv
        pid = self.plan_in_force("KZ-15", 2026)
        path = "/public/" + pid
        status, _, page = fetch(s, path)
        self.assertEqual(status, 200)
        self.assertIn(FIRST, page.decode())
        self.assertEqual(fetch(s, path)[2], page, "kept: the same bytes")
        self.assertEqual(fetch(s, path + "?lang=ru")[2].decode().count(FIRST),
                         page.decode().count(FIRST))
        kk = fetch(s, path + "?lang=kk")[2]
        self.assertNotEqual(kk, page, "each language its own page")
        self.assertIn('lang="kk"', kk.decode())

        # Amended: the draft is not public, the page stays what it was.
        r = s.get("/api/v1/documents/" + pid, "off15")
        r = s.act(pid, "amend", "off15", r.header("ETag"), comment="Уточняем меры")
        self.assertEqual(r.status, 200, r)
        fields = r.json["fields"]
        fields["measures"][0]["title"] = AMENDED
        fields.pop("act", None)
        r = s.put("/api/v1/documents/" + pid, {"fields": fields}, "off15", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(fetch(s, path)[2], page, "not before the amendment is agreed")

        # Agreed: the page of the new version in force.
        walk_chain(s, pid, r.header("ETag"), official="off15", approver="appr2",
                   act={"number": "№ 48", "date": "2026-06-10"})
        status, _, now = fetch(s, path)
        self.assertEqual(status, 200)
        self.assertIn(AMENDED, now.decode())
        self.assertNotIn(FIRST, now.decode())
        self.assertEqual(fetch(s, path)[2], now)

        # A signed-in reader's page names them, and is not the anonymous one.
        b = Browser(s, ignore=("kenes_lang",)).signed_in("rev1")
        r = b.get(path)
        self.assertEqual(r.status, 200)
        self.assertIn("rev1", r.raw)
        self.assertNotIn("rev1", fetch(s, path)[2].decode())


if __name__ == "__main__":
    unittest.main()
