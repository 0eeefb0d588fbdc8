"""Issue 13, "for people": the whole chain with the keyboard alone.  No
clicks: Tab moves the focus, the keys type, Enter follows a link or presses a
button, Space presses the action button.  An official signs in, opens the
new plan's form from her inbox, fills it, saves it and sends it to the
akimat; the akimat's approver finds it in the inbox, opens the act form and
records the resolution in it; two reviewers sign in, find it in their
inboxes and agree to it."""
from urllib.parse import urlsplit

import kenes_browser as kb

try:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
except ImportError:  # require_browser() names the package that is missing
    ActionChains = Keys = None

PERIOD = 2028
DOC = f"plan/KZ-11/{PERIOD}"
TAB_LIMIT = 600  # more stops than any page has: past it, the focus is lost


class Keyboard(kb.BrowserTest):

    def keys(self, *keys):
        ActionChains(self.driver).send_keys(*keys).perform()

    def focused(self):
        return self.driver.switch_to.active_element

    def describe(self, el):
        return self.driver.execute_script(
            "var e = arguments[0]; return e.tagName + ' ' + (e.name || '') + ' ' + "
            "(e.getAttribute('href') || '') + ' ' + (e.value || '').slice(0, 40)", el)

    def tab_to(self, wanted, what):
        """Tab until the focused element matches wanted(el); fail naming what."""
        seen = []
        for _ in range(TAB_LIMIT):
            self.keys(Keys.TAB)
            el = self.focused()
            if wanted(el):
                return el
            seen.append(self.describe(el))
            if seen.count(seen[0]) > 2:
                break  # round the page twice: it is not there
        self.fail(f"Tab never reached {what} on {self.path()}; it went through: {seen[:60]}")

    def press_key(self, key, expect=200):
        """Press key on the focused element and wait for the page it leads to."""
        old = self.html()
        self._drain()
        self.keys(key)
        page = self._loaded(old)
        if expect is not None:
            self.assertEqual(page.status, expect, f"{page.url}: {self.text()[:600]}")
        return page

    def link_to(self, href):
        return lambda el: el.tag_name == "a" and (el.get_attribute("href") or "").endswith(href)

    def button(self, name, value):
        return lambda el: (el.tag_name == "button" and el.get_attribute("name") == name
                           and el.get_attribute("value") == value)

    def own_submit(self, el):
        """A form's own submit button in the page's main part (not a row's, not sign-out)."""
        return self.driver.execute_script(
            "var e = arguments[0]; return e.tagName === 'BUTTON' && !e.name && "
            "e.type === 'submit' && !!e.closest('main') && !!e.form", el)

    def type_into_form(self, values):
        """Tab through the form typing each value where its input has the focus,
        then press its own submit button with Enter."""
        left = dict(values)
        for _ in range(TAB_LIMIT):
            self.keys(Keys.TAB)
            el = self.focused()
            name = el.get_attribute("name")
            if name in left:
                self.type_here(el, left.pop(name))
            elif not left and self.own_submit(el):
                return self.press_key(Keys.ENTER)
        self.fail(f"Tab never reached the inputs {sorted(left)} or the save button")

    def type_here(self, el, value):
        tag, kind = el.tag_name, (el.get_attribute("type") or "").lower()
        if tag == "select":
            # Arrows move a closed select's choice, as a person does.
            options = el.find_elements("tag name", "option")
            self.keys(Keys.HOME)
            for _ in range(len(options) + 1):
                if el.get_attribute("value") == value:
                    return
                self.keys(Keys.ARROW_DOWN)
            self.fail(f"the arrows never chose {value!r} in {el.get_attribute('name')}")
        if kind == "date":
            y, m, d = value.split("-")
            self.keys(m + d + y)  # headless Chromium's en-US order
            self.assertEqual(el.get_attribute("value"), value)
            return
        # Replace what a prefilled input holds.
        ActionChains(self.driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL) \
            .send_keys(Keys.DELETE).send_keys(str(value)).perform()
        self.assertEqual(el.get_attribute("value"), str(value), el.get_attribute("name"))

    def sign_in_by_keys(self, user):
        self.open("/", "ru")
        self.tab_to(self.link_to("/ui/login"), "the sign-in link")
        self.press_key(Keys.ENTER)
        self.tab_to(lambda el: el.get_attribute("name") == "user", "the user input")
        self.keys(user)
        self.tab_to(lambda el: el.get_attribute("name") == "password", "the password input")
        self.keys(kb.password_of(user))
        self.press_key(Keys.ENTER)
        self.assertEqual(urlsplit(self.driver.current_url).path, "/ui/inbox")

    def sign_out_by_keys(self):
        self.tab_to(lambda el: el.tag_name == "button" and self.driver.execute_script(
            "return !!arguments[0].closest('form[action=\"/ui/logout\"]')", el),
            "the sign-out button")
        self.press_key(Keys.ENTER)
        self.assertIsNone(self.driver.get_cookie("kenes_session"))

    def test_the_chain_with_the_keyboard(self):
        self.driver.delete_all_cookies()
        self.sign_in_by_keys("official-kz11")
        self.tab_to(self.link_to("/ui/new/regional-plan"), "the new plan link in the inbox")
        self.press_key(Keys.ENTER)
        self.assertEqual(urlsplit(self.driver.current_url).path, "/ui/new/regional-plan")
        values = kb.plan_form("Акмолинская область", PERIOD)
        self.assertFalse(self.has_field("fields.act.number"), "the official's form asks for the act")
        before = self.commits()
        page = self.type_into_form(values)
        self.assertEqual(urlsplit(page.url).path, f"/ui/d/{DOC}")
        self.assertEqual(self.commits(), before + 1)
        self.screenshot("plan-draft")

        self.tab_to(self.button("action", "submit"), "the submit button")
        self.press_key(Keys.SPACE)
        self.assertIn("На утверждении в акимате", self.text())
        self.assertEqual(self.commits(), before + 2)
        self.screenshot("plan-submitted")
        self.sign_out_by_keys()

        # The akimat: the approve button opens the act form, typed and sent by keys.
        self.sign_in_by_keys("approver-kz11")
        self.tab_to(self.link_to(f"/ui/d/{DOC}"), f"{DOC} in the approver's inbox")
        self.press_key(Keys.ENTER)
        self.tab_to(self.button("action", "approve"), "the approve button")
        self.press_key(Keys.ENTER)
        self.assertEqual(self.commits(), before + 2, "the act form wrote something")
        self.screenshot("act-form")
        page = self.type_into_form(kb.ACT)
        self.assertEqual(urlsplit(page.url).path, f"/ui/d/{DOC}")
        self.assertIn("На согласовании в министерстве", self.text())
        self.assertEqual(self.commits(), before + 3, self.text()[:600])
        self.sign_out_by_keys()

        for n, reviewer in enumerate(("reviewer", "reviewer2"), 1):
            self.sign_in_by_keys(reviewer)
            self.tab_to(self.link_to(f"/ui/d/{DOC}"), f"{DOC} in {reviewer}'s inbox")
            self.press_key(Keys.ENTER)
            self.tab_to(self.button("action", "agree"), "the agree button")
            self.press_key(Keys.ENTER)
            self.assertEqual(self.commits(), before + 3 + n, self.text()[:600])
            self.screenshot(f"agreed-{n}")
            self.sign_out_by_keys()
        self.sign_in("auditor", lang="ru", next_path=f"/ui/d/{DOC}")
        self.assertIn("Действует", self.text())


if __name__ == "__main__":
    kb.main()
