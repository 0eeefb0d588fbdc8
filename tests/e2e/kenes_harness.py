"""Helpers for end-to-end tests: start the real kenes binary on 127.0.0.1
with a free port, talk real HTTP to it, and read its repositories with the
real git command."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse

KENES = os.environ.get("KENES_BIN", os.path.join(os.path.dirname(__file__), "../../build/kenes"))
SOURCE = os.environ.get("KENES_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "../.."))

PASSWORD = "correct-horse-battery"  # every test user's password (12+ characters)

# How long a wait for an event (the server's start, a publication) may last
# before the test gives up.  Generous on purpose: a loaded machine is slow at
# anything, and ctest's --timeout (900 s a test) is the real bound; this one
# only turns a hang into a message saying what never came.
EVENT_LIMIT_S = 600

# name, role, region
USERS = [
    ("off11", "regional-official", "KZ-11"),
    ("off15", "regional-official", "KZ-15"),
    # The akimat approves its region's plans and rosters by a resolution
    # (the chain: draft → regional-approval → ministry-agreement → in-force).
    ("appr1", "akimat-approver", "KZ-11"),
    ("appr2", "akimat-approver", "KZ-15"),
    ("rev1", "ministry-reviewer", None),
    ("rev2", "ministry-reviewer", None),
    ("aud", "auditor", None),
    ("adm", "admin", None),
    # Officers of two Akmola agencies (AGENCY_OF says which): issue 15's referrals.
    ("agp1", "agency-officer", "KZ-11"),
    ("ags1", "agency-officer", "KZ-11"),
]


# A commission per region for the tests that move cases: cases move by the
# decisions of signed meetings (hold_meeting), which a secretary records and
# the chair signs.  Tests that need them add these to their users.
COMMISSION = [
    ("chair11", "commission-chair", "KZ-11"),
    ("chair15", "commission-chair", "KZ-15"),
    ("sec11", "commission-secretary", "KZ-11"),
    ("sec15", "commission-secretary", "KZ-15"),
]


# Who approves for the akimat of each region USERS has an approver in.
APPROVERS = {"KZ-11": "appr1", "KZ-15": "appr2"}


# ---- part refer (issue 15): agency officers (agency-officer, one region and
# one agency of content/agencies.yaml).  A user of that role named here is
# added with its agency (`kenes user add --agency`).  "agp1" and "ags1" are
# in USERS; "agp15" (KZ-15's police) for the tests that need another region's.
AGENCY_OF = {"agp1": "kz11-police", "ags1": "kz11-school", "agp15": "kz15-police"}


def with_commission(users):
    """users and the COMMISSION (and the akimat approvers, who put the
    rosters meetings need in force), each name once."""
    names = {u[0] for u in users}
    more = COMMISSION + [u for u in USERS if u[1] == "akimat-approver"]
    return list(users) + [u for u in more if u[0] not in names]


def free_port():
    """A port of 127.0.0.1 free now, for a server a test starts that cannot
    be told port 0 (an SMTP or ssh server, a receiver started again)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(condition, what):
    """Poll condition() until it holds; fail saying `what` after EVENT_LIMIT_S."""
    deadline = time.monotonic() + EVENT_LIMIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} (waited {EVENT_LIMIT_S} s)")
        time.sleep(0.2)


def run_cli(*args, stdin=None, env=None):
    """Run the kenes command line; returns (exit code, stdout, stderr)."""
    p = subprocess.run([KENES, *args], input=stdin, capture_output=True, text=True,
                       env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


def stop_and_verify(test, srv):
    """Stop srv cleanly (exit 0), then kenes verify must find no fault;
    verify's output."""
    test.assertEqual(srv.stop(), 0)
    code, out, err = run_cli("verify", "--data", srv.data)
    test.assertEqual(code, 0, out + err)
    return out


def git(repo, *args, check=True):
    p = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {p.stderr}")
    return p.stdout


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def doc_path(doc_id, suffix=".md"):
    """Where a data folder of today keeps doc_id's file (core/storage/docpath.h):
    an id that ends in a uuid under the uuid's first two characters
    ("case/KZ-11/3f/3f...-....md"), any other as "<id><suffix>"."""
    head, _, last = doc_id.rpartition("/")
    if head and _UUID.fullmatch(last) and len(head.rpartition("/")[2]) != 2:
        return f"{head}/{last[:2]}/{last}{suffix}"
    return doc_id + suffix


def commit_count(repo):
    out = git(repo, "rev-list", "--count", "main", check=False)
    return int(out.strip()) if out.strip() else 0


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return f"<{self.status} {self.raw[:300]!r}>"


class Server:
    """A kenes serve process on its own data folder."""

    def __init__(self, data=None, users=USERS, extra_config="", env=None, demo=False,
                 reports=False):
        self.tmp = tempfile.mkdtemp(prefix="kenes-e2e-")
        self.data = data or os.path.join(self.tmp, "data")
        self.log_path = os.path.join(self.tmp, "server.log")
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        if not os.path.exists(os.path.join(self.data, "documents.git")):
            code, out, err = run_cli("init", "--data", self.data)
            assert code == 0, err
        cfg_path = os.path.join(self.data, "kenes.yaml")
        if not reports:
            # Most tests count commits: publications of the reports would add some.
            with open(cfg_path) as f:
                cfg = f.read()
            cfg = cfg.replace("after_approval: true", "after_approval: false")
            cfg = cfg.replace('daily_at: "05:00"', "daily_at: off")
            with open(cfg_path, "w") as f:
                f.write(cfg)
        if extra_config:
            with open(cfg_path, "a") as f:
                f.write(extra_config)
        for name, role, region in users:
            args = ["user", "add", "--data", self.data, "--name", name, "--role", role,
                    "--password-stdin"]
            if region:
                args += ["--region", region]
            if role == "agency-officer" and name in AGENCY_OF:
                args += ["--agency", AGENCY_OF[name]]
            code, out, err = run_cli(*args, stdin=PASSWORD + "\n")
            assert code == 0 or "exists already" in err, err
        self.demo = demo
        self.serve_args = []  # more arguments of kenes serve (a replica's --replica ...)
        self.tokens = {}
        self.transcript = []  # (method, path, status, raw body) of every answer

    @property
    def docs_git(self):
        return os.path.join(self.data, "documents.git")

    @property
    def cases_git(self):
        return os.path.join(self.data, "cases.git")

    def start(self, expect_fail=False):
        args = [KENES, "serve", "--data", self.data, "--listen", "127.0.0.1:0"]
        if self.demo:
            args.append("--demo")
        args += self.serve_args
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log,
                                     env=self.env, text=True)
        self.stdout_lines = []
        # Wait for the event itself, the line saying where it listens, or the
        # end of its output (it exited): no deadline for a slow start.
        for line in iter(self.proc.stdout.readline, ""):
            self.stdout_lines.append(line)
            if "listening on http://" in line:
                self.port = int(line.rsplit(":", 1)[1])
                return self
        code = self.proc.wait(timeout=EVENT_LIMIT_S)
        if expect_fail:
            return code
        raise AssertionError(f"server did not start (exit {code}): {self.read_log()}")

    def read_log(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        code = self.proc.returncode if self.proc else None
        if self.proc:
            self.proc.stdout.close()
            self.log.close()
        self.proc = None
        return code

    def restart_at(self, now):
        """The same data folder on another day (KENES_NOW = now): stopped,
        started, every session signed in anew.  The stop's exit code."""
        code = self.stop()
        self.env["KENES_NOW"] = now
        self.start()
        self.tokens.clear()
        return code

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- HTTP ---
    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method, path, body=None, token=None, headers=None, raw=None,
                content_type="application/json"):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None and content_type and "Content-Type" not in h:
            h["Content-Type"] = content_type
        c = self.conn()
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            resp = Response(r.status, r.getheaders(), r.read().decode("utf-8", "replace"))
            self.transcript.append((method, path, resp.status, resp.raw))
            return resp
        finally:
            c.close()

    def login(self, name, password=PASSWORD):
        # Logins checked at once are capped (limits.max_logins_per_address):
        # like any client, wait as Retry-After says and try again.
        for _ in range(120):
            r = self.request("POST", "/api/v1/sessions", {"user": name, "password": password})
            if r.status != 429 or (r.json or {}).get("error", {}).get("code") != "too_many_logins":
                break
            time.sleep(int(r.header("Retry-After") or "1"))
        assert r.status == 201, r
        self.tokens[name] = r.json["token"]
        return r.json["token"]

    def token(self, name):
        return self.tokens.get(name) or self.login(name)

    def get(self, path, user):
        return self.request("GET", path, token=self.token(user))

    def post(self, path, body, user, etag=None):
        h = {"If-Match": etag} if etag else None
        return self.request("POST", path, body, token=self.token(user), headers=h)

    def put(self, path, body, user, etag=None):
        h = {"If-Match": etag} if etag else None
        return self.request("PUT", path, body, token=self.token(user), headers=h)

    def act(self, doc_id, action, user, etag, comment=None, fields=None):
        """Take action; fields: what a transition with records: sets with it
        ({"act": {...}} for approve)."""
        body = {"action": action}
        if comment is not None:
            body["comment"] = comment
        if fields is not None:
            body["fields"] = fields
        return self.post(f"/api/v1/documents/{doc_id}/transitions", body, user, etag)


def set_cookies(resp):
    """{name: (value, attributes as one lower-case string)} of the Set-Cookie lines."""
    out = {}
    for k, v in resp.headers:
        if k.lower() == "set-cookie":
            name, _, rest = v.partition("=")
            value, _, attrs = rest.partition(";")
            out[name.strip()] = (value, attrs.lower())
    return out


class Browser:
    """A browser without JavaScript for the web interface: cookies kept as
    Set-Cookie says (jar), forms posted urlencoded, the CSRF token read from
    the page's form.  ignore: cookies it does not keep (a browser shared by
    several tests keeps no kenes_lang, so that one test's ?lang= does not
    change the next one's language)."""

    def __init__(self, srv, lang=None, ignore=()):
        self.srv = srv
        self.jar = {}
        self.ignore = set(ignore)
        if lang:
            self.jar["kenes_lang"] = lang

    def request(self, method, path, form=None, headers=None):
        """form: a dict or a list of (name, value) pairs (a name may repeat)."""
        h = dict(headers or {})
        if self.jar:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        raw = urllib.parse.urlencode(form).encode() if form is not None else None
        r = self.srv.request(method, path, headers=h, raw=raw,
                             content_type="application/x-www-form-urlencoded")
        for name, (value, attrs) in set_cookies(r).items():
            if name in self.ignore:
                continue
            if "max-age=0" in attrs:
                self.jar.pop(name, None)
            else:
                self.jar[name] = value
        return r

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, form, headers=None):
        return self.request("POST", path, form=form, headers=headers)

    def csrf(self, path):
        """The CSRF token of the form on the page at path."""
        r = self.get(path)
        m = re.search(r'name="csrf" value="([^"]+)"', r.raw)
        assert m, r
        return m.group(1)

    def sign_in(self, name, password=PASSWORD, next_path=None):
        """One try at the sign-in form; the answer as it comes (303, 401, 429...)."""
        form = {"csrf": self.csrf("/ui/login"), "user": name, "password": password}
        if next_path is not None:
            form["next"] = next_path
        return self.post("/ui/login", form)

    def signed_in(self, name, password=PASSWORD):
        """Signs in through the form, waiting out a 429 as Retry-After says
        (logins checked at once are capped), as a person would; self."""
        for _ in range(120):
            r = self.sign_in(name, password)
            if r.status != 429:
                break
            time.sleep(int(r.header("Retry-After") or "1"))
        assert r.status == 303 and "kenes_session" in self.jar, r
        return self


def plan_measure(direction, title, deadline="2026-Q4", amount_kzt=0):
    """One measure of a regional plan that passes every rule of the plugin."""
    return {
        "title": title,
        "direction": direction,
        "lead_agency": "Управление образования области",
        "co_executors": ["Департамент полиции", "Управление здравоохранения"],
        "deadline": deadline,
        "funding": {"source": "местный бюджет" if amount_kzt else "не требуется",
                    "amount_kzt": amount_kzt},
        "indicator": "Доля школ, охваченных мерой, %",
        "baseline": 40,
        "target": 90,
    }


def plan_body(region="KZ-11", period=2026, title=None, body="# План\n\nМеры по профилактике.\n",
              act=False):
    """A complete, valid regional plan: a measure in each of the concept's four
    directions and the region's specifics.  No act: the akimat's approver
    records it with `approve` (walk_chain); act=True puts one in the text,
    which a create or edit is refused for (recorded_by_action)."""
    plan = {
        "type": "regional-plan",
        "region": region,
        "title": title or f"План {region} на {period} год",
        "body": body,
        "fields": {
            "period": period,
            "measures": [
                plan_measure("safety", "Службы примирения в школах", f"{period}-Q2", 12500000),
                plan_measure("education", "Обучение педагогов профилактике буллинга",
                             f"{period}-09-01"),
                plan_measure("health", "Школьные психологи: супервизия", f"{period}-Q3", 4000000),
                plan_measure("family-social-protection", "Сопровождение семей в трудной ситуации",
                             f"{period}-Q4"),
            ],
            "local_specifics": "Сельские районы далеко от центров помощи: выездные бригады.",
        },
    }
    if act:
        plan["fields"]["act"] = {"number": "№ 15", "date": f"{period}-02-05"}
    return plan


def roster_member(full_name, role="member", category="education"):
    return {"full_name": full_name, "position": "Специалист", "organisation": "Управление",
            "role": role, "category": category}


def roster_body(region="KZ-11", order_date="2026-02-02", members=None, act=False):
    """A complete, valid widened commission roster.  No act: the akimat's
    approver records it with `approve` (walk_chain); act=True puts one in
    the text, which a create or edit is refused for (recorded_by_action)."""
    body = {
        "type": "commission-roster",
        "region": region,
        "title": f"Состав КДН {region}",
        "body": "# Состав комиссии\n",
        "fields": {
            "order_date": order_date,
            "members": members if members is not None else [
                roster_member("Серикова Айжан", "chair", "state-body"),
                roster_member("Ким Олег", "deputy-chair", "law-enforcement"),
                roster_member("Абдрахманова Гульнара", "secretary", "education"),
                roster_member("Жумабеков Ерлан", "member", "expert-community"),
                roster_member("Петрова Наталья", "member", "parents-organisation"),
                roster_member("Нурланов Данияр", "member", "ngo"),
                roster_member("Искакова Мадина", "member", "public-council"),
            ],
        },
    }
    if act:
        body["fields"]["act"] = {"number": "№ 21", "date": "2026-02-06"}
    return body


class ServerTest(unittest.TestCase):
    """One server per test class; tests share it."""
    users = USERS
    extra_config = ""
    env = None
    reports = False

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(users=cls.users, extra_config=cls.extra_config, env=cls.env,
                         reports=cls.reports)
        cls.srv.start()

    @classmethod
    def tearDownClass(cls):
        code = cls.srv.stop()
        cls.srv.cleanup()
        if code not in (0, None):
            raise AssertionError(f"server exited with {code}")


class DocumentsRefusals:
    """For a ServerTest whose refusals must leave documents.git as it was:
    setUp counts its commits, assertRefused checks a refusal against it."""

    def setUp(self):
        self.before = commit_count(self.srv.docs_git)

    def assertRefused(self, r, status, code=None, path=None):
        """r refused with status (and the error code, or a field's path and
        code), and nothing written."""
        self.assertEqual(r.status, status, r)
        err = r.json["error"]
        if path is None and code is not None:
            self.assertEqual(err["code"], code, r)
        if path is not None:
            self.assertIn((path, code), [(f["path"], f["code"]) for f in err.get("fields", [])], r)
        self.assertEqual(commit_count(self.srv.docs_git), self.before, "a refusal wrote a commit")


def today_of(srv):
    """The server's today (KENES_NOW's date when the test fixes the clock)."""
    now = srv.env.get("KENES_NOW")
    return now[:10] if now else time.strftime("%Y-%m-%d", time.gmtime())


# The akimat's resolution an approver records with `approve` unless told another.
PLAN_ACT = {"number": "№ 15", "date": "2026-02-05"}
ROSTER_ACT = {"number": "№ 21", "date": "2026-02-06"}


def region_of(doc_id):
    """KZ-11 of plan/KZ-11/2026 or roster/KZ-11/2026-02."""
    return doc_id.split("/")[1]


def official_of(region):
    """The harness's regional official of region ("off11" for KZ-11)."""
    return "off" + region[3:].lstrip("0")


def approver_of(region):
    """The harness's akimat approver of region (APPROVERS); fails naming the
    region when USERS has none (pass approver= then)."""
    assert region in APPROVERS, f"no akimat approver for {region} in the harness: pass approver="
    return APPROVERS[region]


def walk_chain(srv, doc_id, etag, official=None, approver=None, reviewers=("rev1", "rev2"),
               act=None, until="in-force"):
    """A plan or roster in draft through the chain: the official submits it
    to the akimat, the akimat's approver approves it recording act (default
    PLAN_ACT or ROSTER_ACT), and each of reviewers agrees (two distinct
    ones put it in force).  Each step must succeed.  until: stop once the
    document is in this stage ("regional-approval", "ministry-agreement").
    official/approver default to the harness's of the document's region.
    The last step's response (its ETag header is the version)."""
    region = region_of(doc_id)
    official = official or official_of(region)
    if act is None:
        act = ROSTER_ACT if doc_id.startswith("roster/") else PLAN_ACT
    r = srv.act(doc_id, "submit", official, etag)
    assert r.status == 200 and r.json["stage"] == "regional-approval", r
    if until == "regional-approval":
        return r
    r = srv.act(doc_id, "approve", approver or approver_of(region), r.header("ETag"),
                fields={"act": act})
    assert r.status == 200 and r.json["stage"] == "ministry-agreement", r
    if until == "ministry-agreement":
        return r
    for reviewer in reviewers:
        r = srv.act(doc_id, "agree", reviewer, r.header("ETag"))
        assert r.status == 200, r
    assert r.json["stage"] == "in-force", r
    return r


def _in_force(entries, region):
    """Ids of region's list entries in force (in stage in-force, or amended
    with a version in force: "in_force": true), sorted."""
    return sorted(d["id"] for d in entries
                  if d["region"] == region and (d["stage"] == "in-force" or d.get("in_force")))


def in_force_plan(srv, region, measures=None, official=None, approver=None,
                  reviewers=("rev1", "rev2"), reader="aud"):
    """The id of region's regional plan in force (the latest when there are
    several), created (measures: the plan's measures instead of
    plan_body's four), walked through the chain (walk_chain) if there is
    none.  Its commits go to documents.git.  reader lists (every region)."""
    docs = srv.get("/api/v1/documents?type=regional-plan", reader).json["documents"]
    found = _in_force(docs, region)
    if found:
        return found[-1]
    taken = {d["id"] for d in docs}
    period = next(y for y in range(2026, 2031) if f"plan/{region}/{y}" not in taken)
    official = official or official_of(region)
    body = plan_body(region=region, period=period)
    if measures is not None:
        body["fields"]["measures"] = measures
    r = srv.post("/api/v1/documents", body, official)
    assert r.status == 201, r
    walk_chain(srv, r.json["id"], r.header("ETag"), official=official, approver=approver,
               reviewers=reviewers)
    return r.json["id"]


def approved_roster(srv, region, official=None, approver=None, reviewers=("rev1", "rev2"),
                    reader="aud"):
    """The id of region's roster in force (a meeting's attendance is judged
    against it; the latest when there are several), created and walked
    through the chain (walk_chain) if there is none.  Its commits go to
    documents.git.  reader lists (every region)."""
    docs = srv.get("/api/v1/documents?type=commission-roster", reader).json["documents"]
    found = _in_force(docs, region)
    if found:
        return found[-1]  # the latest, as meetings read it
    # A roster per region and order month: a month the test has not used.
    taken = {d["id"] for d in docs}
    month = next(m for m in range(2, 13) if f"roster/{region}/2026-{m:02d}" not in taken)
    official = official or official_of(region)
    r = srv.post("/api/v1/documents", roster_body(region=region, order_date=f"2026-{month:02d}-02"),
                 official)
    assert r.status == 201, r
    walk_chain(srv, r.json["id"], r.header("ETag"), official=official, approver=approver,
               reviewers=reviewers)
    return r.json["id"]


def meeting_item(case_id, decision="approve-plan", votes=(4, 0, 0), **more):
    """An agenda item deciding on a case, the legal representative present."""
    item = {"kind": "case", "case": case_id,
            "participants": {"notified": True, "child": False, "representative": True,
                             "accompanier": False},
            "decision": decision,
            "decision_text": "Решение комиссии по делу",
            "vote": dict(zip(("for", "against", "abstained"), votes))}
    item.update(more)
    return item


def hold_meeting(srv, region, decisions, date=None, number=None, secretary=None, chair=None,
                 reader="aud", sign=True):
    """A commission meeting of region that decides on cases, held and signed:
    decisions {case id: decision ("approve-plan", "close"...) or a whole
    agenda item (meeting_item)}.  The region's roster in force is made if
    there is none; the secretary schedules and records it with just over
    half of the roster's members present, all voting for; the chair signs
    (sign=False leaves it held).  Dated `date` (default: the server's
    today), numbered `number` (default: the next in its year).  secretary
    and chair default to the COMMISSION's of the region; reader lists and
    reads every region (the demo's logins: log them in first, srv.login).
    Commits go to cases.git (and the roster's, once, to documents.git).
    Its id."""
    code = region[3:].lstrip("0")
    secretary = secretary or "sec" + code
    chair = chair or "chair" + code
    roster = srv.get("/api/v1/documents/" + approved_roster(srv, region, reader=reader), reader)
    assert roster.status == 200, roster
    members = [m["full_name"] for m in roster.json["fields"]["members"]]
    names = members[:len(members) // 2 + 1]
    date = date or today_of(srv)
    if number is None:
        taken = [int(d["id"].rsplit("-", 1)[1])
                 for d in srv.get("/api/v1/documents?type=commission-meeting", reader).json["documents"]
                 if d["id"].startswith(f"meeting/{region}/{date[:4]}-")]
        number = max(taken, default=0) + 1
    agenda = []
    for case_id, d in decisions.items():
        if isinstance(d, str):
            item = meeting_item(case_id, d, votes=(len(names), 0, 0))
        else:
            item = dict(d, case=case_id)
        agenda.append(item)
    body = {"type": "commission-meeting", "region": region, "body": "# Заседание комиссии\n",
            "fields": {"number": number, "date": date, "place": "Зал заседаний акимата",
                       "attendance": names, "agenda": agenda}}
    r = srv.post("/api/v1/documents", body, secretary)
    assert r.status == 201, r
    mid = r.json["id"]
    r = srv.act(mid, "record", secretary, r.header("ETag"))
    assert r.status == 200 and r.json["stage"] == "held", r
    if sign:
        r = srv.act(mid, "sign", chair, r.header("ETag"))
        assert r.status == 200 and r.json["stage"] == "signed", r
    return mid
