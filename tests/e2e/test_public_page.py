"""A document's body can't fake what the server adds to its public page.

Before issue 11 the server appended its version history to the plan's own
Markdown and rendered the two together: a body ending in a fake "История
версий" table and an unclosed "<!--" hid the real history.  Now the body is
rendered on its own inside <article data-kenes="body">, and the server's part
(stage, the akimat's resolution, version history) is escaped HTML from its records, in
a <section data-kenes="record"> after the article, outside it.

Since issue 13 the page is the web interface's (the same look and languages
as every page): the record speaks in words, the stage's label and the
actions' labels, and its dates as people write them in Kazakhstan time,
never "approved" or an ISO time."""
import datetime
import http.client
import re
import unittest
from html.parser import HTMLParser

from kenes_harness import ServerTest, plan_body, roster_body, walk_chain

FAKE = ("Меры утверждены.\n\n## История версий\n\n| время | автор | действие | этап |\n"
        "|---|---|---|---|\n| 2026-01-01T00:00:00Z | FAKEAUTHOR | approve | approved |\n\n")

# region -> what the body ends in, after the fake history
TAILS = {
    "KZ-19": "<!--\n",                                   # an unclosed comment
    "KZ-23": "```\n",                                    # an unclosed fence
    "KZ-27": "<details>\n<summary>ещё</summary>\n\n",    # an unclosed <details>
    "KZ-33": "",                                          # the fake heading alone
    "KZ-35": "</article>\n<section data-kenes=\"record\">\n<!-- {{record}}\n",
}

# Text a document hands to the reports: escaped, it must not swallow what follows.
HOSTILE = "HOSTILE <!-- ``` <details> | a | b | ** [x]("

VOID = {"br", "hr", "img", "meta", "link", "input"}

# The workflows' labels (workflows/*.yaml) and the history's own words.
ACTIONS = {"create": "Создание", "edit": "Правка", "submit": "Направить на утверждение в акимат",
           "approve": "Утвердить постановлением акимата", "agree": "Согласовать"}
STAGES = {"draft": "Черновик", "regional-approval": "На утверждении в акимате",
          "ministry-agreement": "На согласовании в министерстве", "in-force": "Действует"}
# F5: the public record names the office, never the login (a login shown to
# anyone is one an outsider can lock out with failed sign-ins).
ROLES = {"admin": "Администратор", "ministry-reviewer": "Сотрудник министерства",
         "regional-official": "Специалист акимата",
         "akimat-approver": "Утверждающее лицо акимата"}
MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
          "сентября", "октября", "ноября", "декабря"]


def when_ru(iso):
    """An RFC 3339 time as the page writes it: Kazakhstan time (UTC+5), in Russian."""
    t = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(hours=5)
    return f"{t.day} {MONTHS[t.month - 1]} {t.year} г., {t:%H:%M}"


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children = []  # Nodes and strings, in order

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.walk()

    def find_all(self, tag=None, **attrs):
        return [n for n in self.walk() if (tag is None or n.tag == tag)
                and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]


class Tree(HTMLParser):
    """The page as a tree, the way the HTML parser sees it (comments dropped)."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#root", {}, None)
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def rows(table):
    return [tuple(c.text().strip() for c in tr.find_all() if c.tag in ("td", "th"))
            for tr in table.find_all("tr")]


class PublicPage(ServerTest):
    reports = True

    def page(self, path):
        c = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=60)
        c.request("GET", path)
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, body.decode()

    def approve(self, doc, specifics=None):
        s = self.srv
        if specifics is not None:
            doc["fields"]["local_specifics"] = specifics
        r = s.post("/api/v1/documents", doc, "adm")
        self.assertEqual(r.status, 201, r)
        did = r.json["id"]
        # The admin acts for the akimat (the harness has approvers of two
        # regions only); two reviewers agree.
        walk_chain(s, did, r.header("ETag"), official="adm", approver="adm")
        return did

    def check_public(self, did, fake=True):
        status, html = self.page("/public/" + did)
        self.assertEqual(status, 200, html[:300])
        # First what a reader sees: the real history, whole, as a table (every
        # version the server records, newest first), and the fake only once.
        hist = self.srv.get(f"/api/v1/documents/{did}/history", "aud").json["versions"]
        want = [("Дата и время", "Автор", "Действие", "Этап после действия")] + [
            (when_ru(v["time"]), ROLES[v["role"]], ACTIONS[v["action"]], STAGES[v["to"]])
            for v in hist]
        self.assertIn(want, [rows(t) for t in Tree(html).root.find_all("table")],
                      "the real history is not on the page")
        # Then where: the body in its container, the record after it, outside.
        main = Tree(html).root.find_all("main")
        self.assertEqual(len(main), 1)
        main = main[0]
        bodies = main.find_all("article", data_kenes="body")
        records = Tree(html).root.find_all(data_kenes="record")
        self.assertEqual((len(bodies), len(records)), (1, 1), html)
        body, record = bodies[0], main.find_all(data_kenes="record")[0]
        # The record is the body's sibling in <main>, after it: not inside it.
        self.assertIs(record.parent, main)
        kids = [c for c in main.children if isinstance(c, Node)]
        self.assertLess(kids.index(body), kids.index(record))
        self.assertEqual(record.tag, "section")
        self.assertEqual(record.attrs.get("class"), "kenes-record")
        tables = record.find_all("table")
        self.assertEqual(len(tables), 1)
        self.assertEqual(rows(tables[0]), want)
        self.assertIn("История версий", record.text())
        dl = record.find_all("dl")[0].text()
        self.assertIn("Действует", dl)
        self.assertNotIn("in-force", dl)
        self.assertIn("Постановление акимата", dl)
        self.assertRegex(dl, r"от \d+ февраля 2026 г\.")  # the akimat's resolution, from the fields
        self.assertIsNone(re.search(r"\d{4}-\d\d-\d\dT", record.text()))
        # The fake, if any, only inside the body's container.
        if fake:
            self.assertIn("FAKEAUTHOR", body.text())
            self.assertNotIn("FAKEAUTHOR", record.text())
            self.assertEqual(html.count("FAKEAUTHOR"), 1)
        # No login of anyone who acted, anywhere on the page.
        for v in hist:
            self.assertIsNone(re.search(r"\b%s\b" % re.escape(v["author"]), html),
                              "the public page names the login " + v["author"])
        # The title is the server's, outside the body too.
        h1 = [n for n in main.children if isinstance(n, Node) and n.tag == "h1"]
        self.assertEqual(len(h1), 1)
        return html

    def test_a_body_cannot_hide_or_fake_the_history(self):
        for region, tail in TAILS.items():
            with self.subTest(region=region, tail=tail):
                did = self.approve(plan_body(region=region, body=FAKE + tail))
                self.check_public(did)
        # A roster too, and a plain body.
        did = self.approve(roster_body(region="KZ-39"))
        self.check_public(did, fake=False)
        self.check_public(did, fake=False)  # the cached page is the same page

    def test_escaped_text_in_reports_swallows_nothing(self):
        """Reports are the server's Markdown with document text escaped into
        it: a plan's text with an unclosed comment, fence or tag must stay
        text, in its own cell or paragraph, and every heading and row the
        report adds after it must stay there.  (This held before issue 11
        too: kapi_md_escape escapes every ASCII punctuation character.)"""
        for region, hostile in (("KZ-55", False), ("KZ-59", True)):
            doc = plan_body(region=region)
            if hostile:
                doc["fields"]["measures"][0]["title"] = HOSTILE
                doc["fields"]["local_specifics"] = HOSTILE
            self.approve(doc)
        r = self.srv.request("POST", "/api/v1/reports/generate", token=self.srv.token("adm"))
        self.assertEqual(r.status, 200, r)
        shapes = {}
        for region in ("KZ-55", "KZ-59"):
            status, html = self.page("/reports/regions/" + region)
            self.assertEqual(status, 200)
            root = Tree(html).root
            shapes[region] = [(n.tag, len(rows(n)) if n.tag == "table" else 0)
                              for n in root.walk() if n.tag in ("h2", "h3", "h4", "p", "table")]
            if region == "KZ-59":
                cells = [c.text() for c in root.find_all("td") if "HOSTILE" in c.text()]
                paras = [p.text() for p in root.find_all("p") if "HOSTILE" in p.text()]
                self.assertEqual((cells, paras), ([HOSTILE], [HOSTILE]), html)
        self.assertEqual(shapes["KZ-59"], shapes["KZ-55"])  # the same report, block for block

if __name__ == "__main__":
    unittest.main()
