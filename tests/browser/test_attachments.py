"""Part "attach" of issue 15: an official attaches a scan through the
document page's «Приложенные файлы» form (a real file input, multipart),
sees it listed with its download link, is told why a file that is no PDF
is refused, and removes one.  Pages in Russian and Kazakh, checked and
screenshotted."""
import os
import tempfile

import kenes_browser as kb
import kenes_harness as kh

DOC = "plan/KZ-11/2028"


def scan_pdf(words=b"akimat resolution"):
    return (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n(" + words +
            b")\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


class AttachFlow(kb.BrowserTest):
    demo = False
    users = kh.USERS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="kenes-attach-")
        token = cls.srv.login("off11")
        r = cls.srv.request("POST", "/api/v1/documents", kh.plan_body(period=2028), token=token)
        assert r.status == 201, r

    def file(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def attach(self, path, expect):
        self.find('input[type="file"][name="file"]').send_keys(path)
        return self.submit_form(of="file", expect=expect)

    def test_1_attach_through_the_page(self):
        self.sign_in("off11", kh.PASSWORD, lang="ru")
        self.open("/ui/d/" + DOC, "ru")
        self.assertIn("Приложенные файлы", self.text())
        self.shoot_langs("doc-no-files")
        before = self.commits()
        self.attach(self.file("Постановление акимата №15.pdf", scan_pdf()), 200)
        self.assertEqual(self.commits(), before + 1)
        links = [a.text for a in self.find_all('section.doc-files a[download]')]
        self.assertEqual(links, ["Постановление акимата №15.pdf"])
        self.check_page("ru", "doc-file-attached")
        self.open("/ui/d/" + DOC, "kk")
        self.assertIn("Тіркелген файлдар", self.text())
        self.check_page("kk", "doc-file-attached")

    def test_2_a_file_that_is_no_pdf(self):
        self.sign_in("off11", kh.PASSWORD, lang="kk")
        self.open("/ui/d/" + DOC, "kk")
        before = self.commits()
        # A text file named .pdf: the browser sends it as a PDF, its bytes say otherwise.
        self.attach(self.file("жалған.pdf", b"just some text, not a scan\n"), 415)
        self.assertEqual(self.commits(), before)
        alerts = self.alerts()
        self.assertTrue(alerts and "мазмұны оның түріне сәйкес келмейді" in alerts[0], alerts)
        self.check_page("kk", "doc-file-refused")
        self.open("/ui/d/" + DOC, "ru")
        self.attach(self.file("fake.pdf", b"just some text\n"), 415)
        self.assertIn("Содержимое файла не соответствует его типу", self.alerts()[0])
        self.check_page("ru", "doc-file-refused")

    def test_3_remove_a_file(self):
        self.sign_in("off11", kh.PASSWORD, lang="ru")
        self.open("/ui/d/" + DOC, "ru")
        self.attach(self.file("Приложение 2.pdf", scan_pdf(b"annex")), 200)
        before = self.commits()
        buttons = self.find_all("form.doc-detach button")
        self.assertEqual(len(buttons), 2)
        self.submit_with(buttons[-1], expect=200)
        self.assertEqual(self.commits(), before + 1)
        links = [a.text for a in self.find_all('section.doc-files a[download]')]
        self.assertEqual(links, ["Постановление акимата №15.pdf"])
        self.check_page("ru", "doc-file-removed")
        # The history says what each version did to the files, in words.
        self.open(f"/ui/d/{DOC}/history", "ru")
        self.assertIn("Приложен файл", self.text())
        self.assertIn("Удалён файл", self.text())
        self.shoot_langs("history-with-files")
        # The edit form offers the upload too.
        self.open(f"/ui/d/{DOC}/edit", "ru")
        self.assertTrue(self.find_all('form.doc-attach input[type="file"]'))
        self.shoot_langs("edit-with-upload")


if __name__ == "__main__":
    kb.main()
