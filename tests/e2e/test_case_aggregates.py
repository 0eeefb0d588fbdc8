"""Issue 11, item 5: published case counts can't be differenced to one child.

reports/cases.md holds one release per closed calendar month: a new case
changes no published figure while its month runs, the month's release is
made once the month has ended and never changes afterwards, and within it
no "< 5" can be worked out from a total or the other cells."""
import re
import unittest

from kenes_harness import ServerTest, commit_count, git
from test_cases import USERS_C, case_body

MONTH = "2026-02-10T09:00:00Z"      # month M: February 2026
NEXT = "2026-03-02T09:00:00Z"       # M + 1: February has ended


def table(md, heading):
    """The rows {label: cell} of the table under '#### heading' (first match)."""
    at = md.index("#### " + heading)
    rows = {}
    for line in md[at:].splitlines()[1:]:
        if line.startswith("#"):
            break
        m = re.match(r"^\| (.+?) \| (.+?) \|$", line)
        if m and not set(m.group(2)) <= set("-:"):
            rows[m.group(1)] = m.group(2)
    return rows


def small_cells_known(rows, total_label="**Всего**"):
    """The "< 5" cells a reader can pin from a one-line table and its total:
    each is 1 to 4, a withheld cell ("скрыто") 5 or more, and the cells add
    up to the total (one equation with bounds: its exact range)."""
    total = rows.get(total_label)
    cells = [v for k, v in rows.items() if k != total_label]
    if total is None or not total.isdigit():
        return []
    rest = int(total) - sum(int(v) for v in cells if v.isdigit())
    small = sum(1 for v in cells if v == "< 5")
    hidden = sum(1 for v in cells if v == "скрыто")
    known = []
    for _ in range(small):
        lo = max(1, rest - 4 * (small - 1)) if hidden == 0 else 1
        hi = min(4, rest - (small - 1) - 5 * hidden)
        if lo >= hi:
            known.append((lo, hi))
    return known


def grounds_pinned(grounds, new_total):
    """A "< 5" ground pinned to 4 by 'every new case has a ground' (their sum
    is at least the number of new cases)."""
    if not new_total.isdigit() or "скрыто" in grounds.values():
        return False
    shown = sum(int(v) for v in grounds.values() if v.isdigit())
    small = sum(1 for v in grounds.values() if v == "< 5")
    return small > 0 and int(new_total) - shown - 4 * (small - 1) >= 4


class MonthlyRelease(ServerTest):
    users = USERS_C
    env = {"KENES_NOW": MONTH}

    def publish(self):
        r = self.srv.request("POST", "/api/v1/reports/generate", token=self.srv.token("adm"))
        self.assertEqual(r.status, 200, r)
        return r.json["changed"]

    def cases_md(self):
        return git(self.srv.docs_git, "show", "main:reports/cases.md")

    def new_case(self, region, user, i, grounds=("bullying-victim",)):
        body = case_body(region=region, child={
            "pseudonym": f"Agg-{i:04d}", "full_name": f"Тестовый Ребёнок Агрегатов{i}",
            "birth_date": "2012-05-06", "school": "Гимназия №77"}, grounds=list(grounds))
        r = self.srv.post("/api/v1/documents", body, user)
        self.assertEqual(r.status, 201, r)
        return r.json["id"]

    def test_the_difference_attack_fails_and_the_month_is_released_once(self):
        s = self.srv
        # Month M: 7 cases in KZ-15, 5 in KZ-11, published.
        for i in range(7):
            self.new_case("KZ-15", "off15", i)
        for i in range(7, 12):
            self.new_case("KZ-11", "off11", i, grounds=("truancy",))
        self.publish()
        before = self.cases_md()
        commits = commit_count(s.docs_git)

        # The attack of the issue: one new case in город Алматы, publish again,
        # and compare the two versions git keeps.  Nothing changes during M.
        self.new_case("KZ-75", "adm", 12, grounds=("family",))
        self.assertEqual(self.publish(), [])
        self.assertEqual(self.cases_md(), before)
        self.assertEqual(commit_count(s.docs_git), commits)  # no publication commit
        self.assertNotIn("### 2026-02", before)               # M has not ended
        for version in git(s.docs_git, "log", "--format=%H", "--", "reports/cases.md").split():
            text = git(s.docs_git, "show", f"{version}:reports/cases.md")
            self.assertNotRegex(text, r"город Алматы \| < 5")

        # M + 1: February's release appears, with every small count protected.
        self.srv.restart_at(NEXT)
        self.assertIn("cases.md", self.publish())
        md = self.cases_md()
        self.assertIn("### 2026-02: февраль 2026 г.", md)
        self.assertNotIn("### 2026-03", md)
        feb = md[md.index("### 2026-02"):]
        regions = table(feb, "Новые дела по регионам")
        self.assertEqual(regions["город Алматы"], "< 5")
        self.assertEqual(regions["**Всего**"], "13")
        # 13 - 7 - 5 would be Almaty's 1: both other counts are withheld
        # (5 first, the smallest; with it alone, 13 - 7 - (5 or more) still
        # leaves exactly 1).
        self.assertEqual(regions["Актюбинская область"], "скрыто")
        self.assertEqual(regions["Акмолинская область"], "скрыто")
        self.assertEqual(regions["область Абай"], "0")
        self.assertEqual(small_cells_known(regions), [])
        grounds = table(feb, "Основания рассмотрения новых дел")
        self.assertEqual(grounds["Семейное неблагополучие"], "< 5")
        self.assertFalse(grounds_pinned(grounds, regions["**Всего**"]))
        stages = table(feb, "Этап новых дел на конец месяца")
        self.assertEqual(stages["Зарегистрировано"], "13")
        done = table(feb, "Контрольные проверки, проведённые за месяц")
        self.assertEqual(small_cells_known(done), [])
        # Nothing of a child in any version of the report.
        history = git(s.docs_git, "log", "-p", "--", "reports/")
        for secret in ("Agg-", "Агрегатов", "Гимназия №77", "2012-05-06", "case/"):
            self.assertNotIn(secret, history)

        # A case written in M + 1 (in Almaty again) changes nothing: not
        # February's release (closed), and March's is not out yet.
        commits = commit_count(s.docs_git)
        self.new_case("KZ-75", "adm", 13, grounds=("family",))
        self.assertEqual(self.publish(), [])
        self.assertEqual(self.cases_md(), md)
        self.assertEqual(commit_count(s.docs_git), commits)

        # M + 2: March's release is added above; February's is as it was.
        self.srv.restart_at("2026-04-01T00:00:05Z")
        self.assertIn("cases.md", self.publish())
        april = self.cases_md()
        self.assertIn(feb, april)
        mar = april[april.index("### 2026-03"):april.index("### 2026-02")]
        self.assertEqual(table(mar, "Новые дела по регионам")["город Алматы"], "< 5")
        self.assertEqual(table(mar, "Новые дела по регионам")["**Всего**"], "< 5")


if __name__ == "__main__":
    unittest.main()
