"""Issue 13, "for people": every input has a label (a <label for> that
matches its id, or aria-label), on every form page, also on rows added
with the form's own button; and no two elements share an id, which would
tie a label to the wrong input."""

import kenes_browser as kb

DUPLICATE_IDS = """
  var seen = {}, dup = [];
  document.querySelectorAll('[id]').forEach(function (e) {
    if (seen[e.id]) dup.push(e.id); seen[e.id] = true; });
  return dup;"""


class Labels(kb.BrowserTest):

    def labelled(self, lang, shot):
        self.assertEqual(self.driver.execute_script(DUPLICATE_IDS), [],
                         f"{self.path()}: ids used twice")
        inputs = self.find_all("main input:not([type=hidden]), main select, main textarea")
        self.assertTrue(inputs, f"{self.path()} has no inputs")
        self.check_page(lang, shot)  # unlabelled_inputs() is one of its checks

    def test_1_sign_in_form(self):
        for lang in ("ru", "kk"):
            self.open("/ui/login", lang)
            self.labelled(lang, "login")

    def test_2_forms_of_an_official(self):
        self.sign_in("official-kz11", lang="ru")
        for lang in ("ru", "kk"):
            for path, shot in (("/ui/new/regional-plan", "new-plan"),
                               ("/ui/new/commission-roster", "new-roster"),
                               ("/ui/new/case-review", "new-case"),
                               ("/ui/password", "password"),
                               ("/ui/list", "list")):
                self.open(path, lang)
                self.labelled(lang, shot)

    def test_3_a_row_added_without_javascript_is_labelled(self):
        self.sign_in("official-kz11", lang="ru")
        self.open("/ui/new/regional-plan", "ru")
        rows = len(self.find_all('[name$=".direction"]'))
        before = self.commits()
        self.press("_add", "fields.measures", expect=200)
        self.assertEqual(len(self.find_all('[name$=".direction"]')), rows + 1)
        self.assertTrue(self.has_field(f"fields.measures[{rows}].title"))
        self.labelled("ru", "new-plan-row-added")
        self.assertEqual(self.commits(), before, "adding a row wrote something")

    def test_4_edit_form_and_history(self):
        self.sign_in("official-kz75", lang="ru")  # the demo's draft plan of Almaty
        for lang in ("ru", "kk"):
            self.open("/ui/d/plan/KZ-75/2026/edit", lang)
            self.labelled(lang, "edit-plan")
            self.open("/ui/d/plan/KZ-75/2026/history", lang)
            self.check_page(lang, "history")


if __name__ == "__main__":
    kb.main()
