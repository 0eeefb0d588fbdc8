"""Issue 17, item 5: the list page offers its documents as a spreadsheet.

An official of Akmola signs in, filters the list to plans of KZ-11, and
clicks the download link beside it, in Russian (CSV) and in Kazakh (XLSX):
the browser saves the file under the name the server gives (filename*,
Cyrillic), and the file holds the plan in force with its headers in the
page's language.  Screenshots of both list pages go to
<build>/screenshots/test_exports/."""
import csv
import io
import os
import shutil
import tempfile
import zipfile

import kenes_browser as kb


class ListDownloads(kb.BrowserTest):

    def download_dir(self):
        d = tempfile.mkdtemp(prefix="kenes-downloads-")
        self.addCleanup(shutil.rmtree, d, True)
        self.driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                                    {"behavior": "allow", "downloadPath": d})
        return d

    def saved(self, folder, suffix):
        """The file the browser finished saving in folder (waits for it)."""
        found = []

        def done(_):
            names = os.listdir(folder)
            # Chromium reserves the final name with an empty file while
            # the bytes go to a .crdownload beside it, then renames that
            # over the placeholder: the file is whole only when no
            # .crdownload is left and the named file has bytes.
            if any(n.endswith(".crdownload") for n in names):
                return False
            found[:] = [n for n in names if n.endswith(suffix)
                        and os.path.getsize(os.path.join(folder, n)) > 0]
            return bool(found)
        self.wait(done, f"a {suffix} file saved in {folder}")
        with open(os.path.join(folder, found[0]), "rb") as f:
            return found[0], f.read()

    def test_1_csv_in_russian(self):
        self.sign_in("official-kz11", lang="ru")
        self.open("/ui/list?type=regional-plan&region=KZ-11", "ru")
        links = self.find_all('[data-kenes="exports"] a')
        self.assertEqual([a.text for a in links], ["CSV", "XLSX"])
        self.assertIn("Скачать таблицей", self.find('[data-kenes="exports"]').text)
        self.check_page("ru", "list-exports")
        folder = self.download_dir()
        self.find('[data-kenes="export-csv"]').click()
        name, raw = self.saved(folder, ".csv")
        self.assertTrue(name.startswith("Меры региональных планов KZ-11 "), name)
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"))
        rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
        self.assertEqual(rows[0][:3], ["Регион", "Документ", "Этап"])
        titles = [r[rows[0].index("Наименование меры")] for r in rows[1:]]
        self.assertIn("Службы примирения (медиации) в каждой школе", titles)
        self.assertEqual({r[0] for r in rows[1:]}, {"Акмолинская область"})

    def test_2_xlsx_in_kazakh(self):
        self.sign_in("official-kz11", lang="kk")
        self.open("/ui/list?type=regional-plan&region=KZ-11", "kk")
        self.assertIn("Кестемен жүктеп алу", self.find('[data-kenes="exports"]').text)
        self.check_page("kk", "list-exports")
        folder = self.download_dir()
        self.find('[data-kenes="export-xlsx"]').click()
        name, raw = self.saved(folder, ".xlsx")
        self.assertTrue(name.startswith("Өңірлік жоспарлардың іс-шаралары KZ-11 "), name)
        z = zipfile.ZipFile(io.BytesIO(raw))
        strings = z.read("xl/sharedStrings.xml").decode("utf-8")
        self.assertIn("<t>Өңір</t>", strings)
        self.assertIn("Ақмола облысы", strings)
        self.assertIn("Күшінде", strings)  # the stage, in force
        self.assertIn("<sheetData>", z.read("xl/worksheets/sheet1.xml").decode("utf-8"))


if __name__ == "__main__":
    kb.main()
