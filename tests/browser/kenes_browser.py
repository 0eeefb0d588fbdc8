"""Browser tests: the real kenes binary (tests/e2e/kenes_harness.py) driven by
headless Chromium through selenium, as a person would use it.

Debian's chromium, chromium-driver and python3-selenium (scripts/
debian-packages.txt); selenium belongs to /usr/bin/python3, which ctest runs
these files with.  A missing package FAILS the test, naming the package, so
that a green run cannot hide it; KENES_SKIP_BROWSER=1 skips them on purpose.

Waits are on conditions (a new page, an element), with the harness's
generous bound: nothing sleeps to win a race, nothing measures time.

Screenshots go to $KENES_BUILD_DIR/screenshots/<test>/<nn>-<name>-<lang>.png.
"""
import base64
import glob
import os
import re
import shutil
import sys
import unittest
from urllib.parse import urlencode, urlsplit, parse_qsl, urlunsplit

import kenes_harness as kh

CHROMIUM = os.environ.get("KENES_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("KENES_CHROMEDRIVER", "/usr/bin/chromedriver")
BUILD = os.environ.get("KENES_BUILD_DIR", os.path.join(kh.SOURCE, "build"))
SHOTS = os.path.join(BUILD, "screenshots")
WAIT_S = kh.EVENT_LIMIT_S  # a bound that turns a hang into a message, not a timing
DESKTOP = (1280, 900)
PHONE = (360, 740)


def missing_packages(chromium=None, chromedriver=None):
    """The Debian packages the browser tests need and this machine lacks."""
    chromium = chromium or CHROMIUM
    chromedriver = chromedriver or CHROMEDRIVER
    missing = []
    if not os.access(chromium, os.X_OK):
        missing.append(f"chromium ({chromium} not found)")
    if not os.access(chromedriver, os.X_OK):
        missing.append(f"chromium-driver ({chromedriver} not found)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append(f"python3-selenium (not importable by {sys.executable}; "
                       "run the browser tests with /usr/bin/python3)")
    return missing


def require_browser():
    """Fail naming the packages that are missing; skip only when asked to."""
    if os.environ.get("KENES_SKIP_BROWSER") == "1":
        raise unittest.SkipTest("KENES_SKIP_BROWSER=1: browser tests skipped on purpose")
    missing = missing_packages()
    if missing:
        raise AssertionError("browser tests need the Debian packages: " + "; ".join(missing) +
                             " (apt-get install chromium chromium-driver python3-selenium, "
                             "or KENES_SKIP_BROWSER=1 to skip them on purpose)")


SKIPPED = 77  # ctest's SKIP_RETURN_CODE for these tests (tests/CMakeLists.txt)


def main(failfast=False):
    """Run a browser test file; with KENES_SKIP_BROWSER=1 say so and exit SKIPPED,
    which ctest reports as skipped, not passed.  failfast: for steps that build
    on each other."""
    if os.environ.get("KENES_SKIP_BROWSER") == "1":
        print("KENES_SKIP_BROWSER=1: browser tests skipped on purpose")
        sys.exit(SKIPPED)
    unittest.main(verbosity=2, failfast=failfast)


# ---- what a Russian or Kazakh page must not show ----------------------------

def workflow_codes():
    """Every stage and action name of workflows/*.yaml: words that must never
    be shown raw on a Russian or Kazakh page (their labels stand for them)."""
    codes = set()
    for path in glob.glob(os.path.join(kh.SOURCE, "workflows", "*.yaml")):
        section = None
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.split("#", 1)[0].rstrip()
                m = re.match(r"^\s*-\s*name:\s*([a-z][a-z0-9-]*)\s*$", line)
                if m:
                    codes.add(m.group(1))
                for m in re.finditer(r"\b(?:action|to|initial|stage):\s*([a-z][a-z0-9-]*)", line):
                    codes.add(m.group(1))
                m = re.match(r"^\s*from:\s*\[?([a-z0-9, -]+)\]?\s*$", line)
                if m:
                    codes.update(s.strip() for s in m.group(1).split(",") if s.strip())
                # labels: / stages: or actions: / "    code: {ru: ...}"
                m = re.match(r"^  (stages|actions):\s*$", line)
                if m:
                    section = m.group(1)
                    continue
                if re.match(r"^\S", line) or re.match(r"^  \S", line):
                    section = None
                m = re.match(r"^    ([a-z][a-z0-9-]*):\s*\{", line)
                if section and m:
                    codes.add(m.group(1))
    return codes


CODES = workflow_codes()
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d")


def latin_codes_in(text, codes=None):
    """The workflow codes that appear as words in text (sorted)."""
    found = set()
    for code in codes or CODES:
        if re.search(r"(?<![A-Za-z0-9_/.-])" + re.escape(code) + r"(?![A-Za-z0-9_-])", text):
            found.add(code)
    return sorted(found)


def iso_times_in(text):
    return ISO_TIME.findall(text)


def css_nesting_faults(text):
    """Where a style sheet's blocks do not close: each part's block starts with a
    comment "/* ---- " that must stand at the top level (a hand merge that drops a
    "}" puts every later part inside someone's @media), and the braces balance."""
    faults, depth, i, line = [], 0, 0, 1
    while i < len(text):
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = len(text) if end < 0 else end + 2
            if text.startswith("/* ----", i) and depth:
                faults.append(f"line {line}: a part's block starts inside an open block")
            line += text.count("\n", i, end)
            i = end
            continue
        c = text[i]
        if c in "\"'":
            end = text.find(c, i + 1)
            end = len(text) if end < 0 else end + 1
            line += text.count("\n", i, end)
            i = end
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                faults.append(f"line {line}: a '}}' closes nothing")
                depth = 0
        elif c == "\n":
            line += 1
        i += 1
    if depth:
        faults.append(f"end: {depth} block(s) never closed")
    return faults


# ---- demo logins ---------------------------------------------------------------

def demo_users():
    """{name: (role, region, password)} from content/demo/users.yaml."""
    users = {}
    with open(os.path.join(kh.SOURCE, "content", "demo", "users.yaml"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\s*-\s*\{(.*)\}\s*$", line)
            if not m:
                continue
            kv = dict(re.findall(r"(\w+):\s*([^,}]+)", m.group(1)))
            users[kv["name"].strip()] = (kv["role"].strip(), kv.get("region", "").strip() or None,
                                         kv["password"].strip())
    return users


DEMO = demo_users()


def password_of(user):
    return DEMO[user][2] if user in DEMO else kh.PASSWORD


# ---- the browser ------------------------------------------------------------------

def new_driver(size=DESKTOP):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
              "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions"):
        opts.add_argument(a)
    # A browser in Kazakhstan: Russian first in Accept-Language.
    opts.add_experimental_option("prefs", {"intl.accept_languages": "ru-RU,ru,kk"})
    # The performance log carries each answer's status and headers (selenium
    # itself never sees them); the browser log, CSP refusals and script errors.
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(WAIT_S)
    if size != DESKTOP:
        # A phone: the layout viewport is exactly `size`, and the page's
        # <meta name=viewport> is honoured as on a phone.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": True})
    return driver


class Page:
    """What one answer was: from the performance log of the navigation."""

    def __init__(self, url, status, mime, headers):
        self.url, self.status, self.mime, self.headers = url, status, mime, headers

    def __repr__(self):
        return f"<{self.status} {self.mime} {self.url}>"


class BrowserTest(unittest.TestCase):
    """One server (demo data by default) and one browser per test class.

    Subclasses set `window` (DESKTOP or PHONE), `demo`, `users` (test users
    besides the demo's, password kh.PASSWORD) and may use every helper below."""
    window = DESKTOP
    demo = True
    users = []
    extra_config = ""
    env = None

    @classmethod
    def setUpClass(cls):
        require_browser()
        cls.test_name = os.path.splitext(os.path.basename(sys.modules[cls.__module__].__file__))[0]
        cls.shot_dir = os.path.join(SHOTS, cls.test_name)
        shutil.rmtree(cls.shot_dir, ignore_errors=True)
        os.makedirs(cls.shot_dir, exist_ok=True)
        cls.shot_n = 0
        cls.shot_once = set()
        cls.srv = kh.Server(users=cls.users, demo=cls.demo, extra_config=cls.extra_config,
                            env=cls.env)
        cls.srv.start()
        cls.base = f"http://127.0.0.1:{cls.srv.port}"
        try:
            cls.driver = new_driver(cls.window)
        except Exception:
            cls.srv.cleanup()
            raise
        cls.last = None

    @classmethod
    def tearDownClass(cls):
        driver = getattr(cls, "driver", None)
        if driver:
            driver.quit()
        code = cls.srv.stop()
        cls.srv.cleanup()
        if code not in (0, None):
            raise AssertionError(f"server exited with {code}")

    # ---- waiting and answers ----
    def wait(self, condition, what):
        """Wait (generously) until condition(driver) is true; fail saying what never came."""
        from selenium.webdriver.support.ui import WebDriverWait
        from selenium.common.exceptions import TimeoutException
        try:
            return WebDriverWait(self.driver, WAIT_S, poll_frequency=0.1).until(condition)
        except TimeoutException:
            raise AssertionError(f"{what} (waited {WAIT_S} s) at {self.driver.current_url}")

    def _drain(self):
        self.driver.get_log("performance")

    def _answer(self):
        """The last main-document answer since the last _drain."""
        import json
        page = None
        for entry in self.driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg.get("method") != "Network.responseReceived":
                continue
            p = msg["params"]
            if p.get("type") != "Document":
                continue
            r = p["response"]
            page = Page(r["url"], r["status"], r.get("mimeType"),
                        {k.lower(): v for k, v in r.get("headers", {}).items()})
        return page

    def _loaded(self, old_html=None):
        """Wait for the new page (old <html> gone, document complete), note its answer."""
        from selenium.common.exceptions import (StaleElementReferenceException,
                                                WebDriverException)

        def gone(d):
            try:
                old_html.is_enabled()
                return False
            except StaleElementReferenceException:
                return True
            except WebDriverException:
                return False  # caught between two documents: ask again

        def complete(d):
            try:
                return d.execute_script("return document.readyState") == "complete"
            except WebDriverException:
                return False

        if old_html is not None:
            self.wait(gone, "the page did not change")
        self.wait(complete, "the page did not finish loading")
        page = self._answer()
        if page is not None:
            type(self).last = page
        return type(self).last

    def html(self):
        return self.driver.find_element("tag name", "html")

    def open(self, path, lang=None, expect=200):
        """GET path (optionally ?lang=); checks the status; returns the Page."""
        url = self.url(path, lang)
        self._drain()
        self.driver.get(url)
        page = self._loaded()
        if expect is not None:
            self.assertIsNotNone(page, f"no answer seen for {url}")
            self.assertEqual(page.status, expect,
                             f"GET {path}: {page.status}, expected {expect}: {self.text()[:400]}")
        return page

    def url(self, path, lang=None):
        if path.startswith("http"):
            url = path
        else:
            url = self.base + path
        if lang:
            parts = urlsplit(url)
            q = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
            q.append(("lang", lang))
            url = urlunsplit(parts._replace(query=urlencode(q)))
        return url

    def path(self):
        parts = urlsplit(self.driver.current_url)
        return parts.path + (("?" + parts.query) if parts.query else "")

    def submit_with(self, element, expect=None):
        """Click a submit button (or anything that navigates) and wait for the new page."""
        old = self.html()
        self._drain()
        element.click()
        self.accept_question()
        page = self._loaded(old)
        if expect is not None:
            self.assertEqual(page.status, expect,
                             f"{page.url}: {page.status}, expected {expect}: {self.text()[:600]}")
        return page

    # ---- reading the page ----
    def text(self):
        return self.driver.execute_script("return document.body ? document.body.innerText : ''")

    def lang(self):
        return self.html().get_attribute("lang")

    def find(self, css):
        return self.driver.find_element("css selector", css)

    def find_all(self, css):
        return self.driver.find_elements("css selector", css)

    def field(self, name):
        els = self.find_all(f'[name="{name}"]')
        self.assertTrue(els, f"no input named {name!r} on {self.path()}")
        return els[0]

    def has_field(self, name):
        return bool(self.find_all(f'[name="{name}"]'))

    def alerts(self):
        return [e.text for e in self.find_all('[role="alert"]') if e.text.strip()]

    def invalid_fields(self):
        return [e.get_attribute("name") for e in self.find_all('[aria-invalid="true"]')]

    # ---- acting ----
    def fill(self, name, value):
        """Type value into the input named name (a JSON path), or choose it in a select
        (by option value, else by visible text)."""
        from selenium.webdriver.support.ui import Select
        el = self.field(name)
        tag = el.tag_name.lower()
        kind = (el.get_attribute("type") or "").lower()
        if tag == "select":
            sel = Select(el)
            values = [o.get_attribute("value") for o in sel.options]
            if value in values:
                sel.select_by_value(value)
            else:
                sel.select_by_visible_text(value)
        elif kind in ("checkbox", "radio"):
            box = self.find(f'[name="{name}"][value="{value}"]') if value not in (True, False) \
                else el
            if not box.is_selected():
                box.click()
        elif kind == "date":
            self.type_date(el, value)
        else:
            el.clear()
            el.send_keys(str(value))
        return el

    def type_date(self, el, value):
        """Type YYYY-MM-DD into a date input as a person does: digits in the
        order of the browser's locale (month first in headless Chromium's
        en-US, day first elsewhere), from its first segment."""
        y, m, d = value.split("-")
        for digits in (m + d + y, d + m + y):
            el.clear()
            el.send_keys(digits)
            if el.get_attribute("value") == value:
                return el
        self.fail(f"the date input {el.get_attribute('name')} would not take {value}: "
                  f"it holds {el.get_attribute('value')!r}")

    def fill_all(self, values):
        for name, value in values.items():
            self.fill(name, value)

    def submit_form(self, of=None, expect=None):
        """Press a form's own submit button (visible, without a name: not a row's
        add or remove, not an action): the form holding the input `of`, else the
        last such button of the page's main part (never the header's sign-out)."""
        scope = self.field(of).find_element("xpath", "ancestor::form") if of \
            else self.find("main")
        buttons = [b for b in scope.find_elements(
                   "css selector", 'button[type="submit"], button:not([type]), input[type="submit"]')
                   if not b.get_attribute("name") and b.is_displayed()]
        self.assertTrue(buttons, f"no submit button on {self.path()}")
        return self.submit_with(buttons[-1], expect)

    def press(self, name, value, expect=None):
        """Press <button name=name value=value> (a row's add or remove), accepting
        the question kenes.js may ask first."""
        buttons = self.find_all(f'button[name="{name}"][value="{value}"]')
        self.assertTrue(buttons, f"no button {name}={value} on {self.path()}")
        return self.submit_with(buttons[0], expect)

    def accept_question(self):
        """Accept a confirm() of kenes.js (data-confirm), if one is open."""
        from selenium.common.exceptions import NoAlertPresentException
        try:
            self.driver.switch_to.alert.accept()
        except NoAlertPresentException:
            pass

    def click_action(self, action, comment=None, expect=None):
        """Press <button name="action" value="{action}">, with a comment if given."""
        buttons = self.find_all(f'button[name="action"][value="{action}"]')
        self.assertTrue(buttons, f"no button for the action {action!r} on {self.path()}; "
                                 f"the page says: {self.text()[:600]}")
        if comment is not None:
            self.fill("comment", comment)
        return self.submit_with(buttons[0], expect)

    def actions(self):
        return [b.get_attribute("value") for b in self.find_all('button[name="action"]')]

    def sign_in(self, user, password=None, lang="ru", next_path=None):
        """Through /ui/login as a person: lands on the inbox (or next)."""
        self.sign_out()
        path = "/ui/login" + (("?" + urlencode({"next": next_path})) if next_path else "")
        self.open(path, lang)
        # The sign-in page once per language and test file: every step signs in.
        shot = "login-" + lang
        self.check_page(lang, "login", shoot=shot not in type(self).shot_once)
        type(self).shot_once.add(shot)
        self.fill("user", user)
        self.fill("password", password or password_of(user))
        page = self.submit_form(of="password")
        self.assertEqual(page.status, 200,
                         f"signing in as {user}: {page.status} {self.text()[:400]}")
        want = next_path or "/ui/inbox"
        self.assertEqual(urlsplit(self.driver.current_url).path, urlsplit(want).path,
                         f"signing in as {user} did not land on {want}")
        return page

    def sign_out(self):
        """With the header's button when signed in; then nothing of the session stays."""
        if self.driver.current_url.startswith(self.base):
            forms = self.find_all('form[action="/ui/logout"] button')
            if forms:
                self.submit_with(forms[0])
        self.driver.delete_all_cookies()

    def remember(self, name, value):
        setattr(type(self), name, value)

    # ---- checks every page gets ----
    def check_page(self, lang, name=None, shoot=True):
        """<html lang>, no Latin workflow codes (ru/kk), no ISO timestamps, a label for
        every input, no script or CSP errors; then a screenshot when name is given."""
        self.assertEqual(self.lang(), lang, f"{self.path()}: <html lang> is not {lang}")
        text = self.text() + "\n" + self.driver.title
        if lang in ("ru", "kk"):
            codes = latin_codes_in(text)
            self.assertEqual(codes, [], f"{self.path()} ({lang}) shows workflow codes {codes}")
        isos = iso_times_in(text)
        self.assertEqual(isos, [], f"{self.path()} ({lang}) shows ISO times {isos}")
        unlabelled = self.unlabelled_inputs()
        self.assertEqual(unlabelled, [], f"{self.path()}: inputs without a label")
        errors = self.console_errors()
        self.assertEqual(errors, [], f"{self.path()}: errors in the browser console")
        if name and shoot:
            self.screenshot(name)

    def unlabelled_inputs(self):
        return self.driver.execute_script(r"""
          var out = [];
          document.querySelectorAll('input, select, textarea').forEach(function (e) {
            var t = (e.getAttribute('type') || '').toLowerCase();
            if (['hidden', 'submit', 'button', 'reset', 'image'].indexOf(t) >= 0) return;
            if ((e.getAttribute('aria-label') || '').trim()) return;
            var by = e.getAttribute('aria-labelledby');
            if (by && by.split(/\s+/).every(function (id) {
                  var l = document.getElementById(id); return l && l.textContent.trim(); }))
              return;
            if (e.id) {
              var l = document.querySelector('label[for="' + CSS.escape(e.id) + '"]');
              if (l && l.textContent.trim()) return;
            }
            out.push(e.getAttribute('name') || e.outerHTML.slice(0, 120));
          });
          return out;""")

    def console_errors(self):
        """Script errors and CSP refusals (a refused status is the server's, not an error)."""
        out = []
        for e in self.driver.get_log("browser"):
            if e.get("level") != "SEVERE":
                continue
            msg = e.get("message", "")
            if "Failed to load resource: the server responded with a status of" in msg:
                continue
            out.append(msg)
        return out

    def no_horizontal_scroll(self):
        return self.driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]")

    def screenshot(self, name):
        """The whole page as PNG: screenshots/<test>/<nn>-<name>-<lang>.png."""
        cls = type(self)
        cls.shot_n += 1
        lang = self.lang() or "xx"
        path = os.path.join(cls.shot_dir, f"{cls.shot_n:02d}-{name}-{lang}.png")
        m = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = m.get("cssContentSize") or m["contentSize"]
        width = max(int(size["width"]), self.driver.execute_script("return window.innerWidth"))
        height = min(int(size["height"]), 8000)
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return path

    def shoot_langs(self, name, langs=("ru", "kk"), check=True):
        """This GET page in each language (checked and screenshotted), then back to the first."""
        here = self.path()
        for lang in langs:
            self.open(here, lang, expect=None)
            if check:
                self.check_page(lang, name)
            else:
                self.screenshot(name)
        self.open(here, langs[0], expect=None)

    def commits(self, repo=None):
        return kh.commit_count(repo or self.srv.docs_git)


# ---- what the flows type ---------------------------------------------------------

PLAN_MEASURES = [
    ("safety", "Службы примирения в школах", "2027-Q2", 12500000),
    ("education", "Обучение педагогов профилактике буллинга", "2027-09-01", 0),
    ("health", "Школьные психологи: супервизия", "2027-Q3", 4000000),
    ("family-social-protection", "Сопровождение семей в трудной ситуации", "2027-Q4", 0),
]


def plan_form(region_name, period):
    """A regional plan's form as an official fills it in: {input name: value}."""
    v = {"title": f"План: {region_name}, {period} год", "fields.period": str(period),
         "body": f"Меры региона по Концепции «Дети Казахстана» на {period} год.\n\n"
                 "## Безопасность\n\nПрофилактика буллинга: службы примирения в школах.\n"}
    for i, (direction, title, deadline, amount) in enumerate(PLAN_MEASURES):
        p = f"fields.measures[{i}]"
        v.update({
            p + ".title": title,
            p + ".direction": direction,
            p + ".lead_agency": "Управление образования области",
            p + ".co_executors[0]": "Департамент полиции",
            p + ".deadline": deadline,
            p + ".funding.source": "местный бюджет" if amount else "не требуется",
            p + ".funding.amount_kzt": str(amount),
            p + ".indicator": "Доля школ, охваченных мерой, %",
            p + ".baseline": "40",
            p + ".target": "90",
        })
    v["fields.local_specifics"] = "Сельские районы далеко от центров помощи: выездные бригады."
    return v


# The akimat's resolution: its approver records it with `approve` (records:
# [act]) in the act form the approve button opens; the create and edit forms
# never show it.
# The akimat's resolution on a plan for the next year: adopted before that year
# begins and never dated after today (chk_act: date_in_future).
ACT = {"fields.act.number": "№ 15", "fields.act.date": "2026-11-20"}

CYRILLIC_WORD = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]{3,}")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
