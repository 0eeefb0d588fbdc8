"""kenes backup and kenes restore (issue 17, item 3).

- A backup taken while writers go on through the API (plans in
  documents.git, new cases in cases.git, with a consolidation now and then:
  storage.max_packs 4) holds every write acknowledged before it began;
  restored, verify is clean, `git fsck --strict` is clean and the restored
  folder serves those documents, the case readable with the keys that
  --with-keys sealed under a passphrase read from standard input.
- Without --with-keys no byte of any key file is in the archive; restored,
  verify passes and says the keys are missing, serve refuses until the
  operator copies DATA/keys back, then serves the case.
- A wrong or missing passphrase, an archive with one byte changed (in the
  middle, in the manifest) or cut short, and a NEWDIR that is not empty are
  refused with one line and nothing written; usage errors are exit 2.
"""
import fcntl
import os
import shutil
import subprocess
import tempfile
import threading
import unittest
import zipfile

from kenes_harness import Server, git, plan_body, run_cli, wait_until
from test_cases import CHILD_NAME, case_body

PASSPHRASE = "a long backup passphrase 17"


class Writer(threading.Thread):
    """Writes again and again (a plan's new versions, or new cases); keeps
    every (document, version) it was answered."""

    def __init__(self, srv, user, region, period=None):
        super().__init__(daemon=True)
        self.srv, self.user, self.region, self.period = srv, user, region, period
        self.acked = []
        self.stop = threading.Event()
        self.error = None

    def run(self):
        try:
            s = self.srv
            if self.period is None:  # new cases
                while not self.stop.is_set():
                    r = s.post("/api/v1/documents", case_body(self.region), self.user)
                    if r.status != 201:
                        raise AssertionError(r)
                    self.acked.append((r.json["id"], r.json["version"]))
                return
            doc = "plan/%s/%d" % (self.region, self.period)
            r = s.post("/api/v1/documents", plan_body(self.region, self.period), self.user)
            if r.status != 201:
                raise AssertionError(r)
            etag = r.header("ETag")
            self.acked.append((doc, r.json["version"]))
            n = 0
            while not self.stop.is_set():
                n += 1
                r = s.put("/api/v1/documents/" + doc, {"body": "# План\n\nРедакция %d.\n" % n},
                          self.user, etag)
                if r.status != 200:
                    raise AssertionError(r)
                etag = r.header("ETag")
                self.acked.append((doc, r.json["version"]))
        except Exception as e:  # reported by the test
            self.error = e


class Reader(threading.Thread):
    """Reads a case again and again: each read is an access log line and a
    rewrite of the signed checkpoint, which the backup must catch up with."""

    def __init__(self, srv, user, doc):
        super().__init__(daemon=True)
        self.srv, self.user, self.doc = srv, user, doc
        self.reads = 0
        self.stop = threading.Event()
        self.error = None

    def run(self):
        try:
            while not self.stop.is_set():
                r = self.srv.get("/api/v1/documents/" + self.doc, self.user)
                if r.status != 200:
                    raise AssertionError(r)
                self.reads += 1
        except Exception as e:  # reported by the test
            self.error = e


def files_of(top):
    """Every file under top: its size and mtime."""
    out = {}
    for root, _, files in os.walk(top):
        for f in files:
            st = os.lstat(os.path.join(root, f))
            out[os.path.relpath(os.path.join(root, f), top)] = (st.st_size, st.st_mtime_ns)
    return out


def key_files(data):
    """Every key file's bytes under DATA/keys (signing.pub aside: public)."""
    out = {}
    for root, _, files in os.walk(os.path.join(data, "keys")):
        for f in files:
            if f != "signing.pub":
                with open(os.path.join(root, f), "rb") as fh:
                    out[os.path.relpath(os.path.join(root, f), data)] = fh.read()
    return out


class BackupRestore(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(extra_config="storage:\n  max_packs: 4\n")
        cls.s.start()
        r = cls.s.post("/api/v1/documents", case_body("KZ-11"), "off11")
        assert r.status == 201, r
        cls.case = r.json["id"]
        cls.out = os.path.join(cls.s.tmp, "out")
        os.mkdir(cls.out)

    @classmethod
    def tearDownClass(cls):
        cls.s.cleanup()

    def path(self, name):
        return os.path.join(self.out, name)

    def backup(self, name, keys=False, extra=()):
        args = ["backup", "--data", self.s.data, "--to", self.path(name), *extra]
        if keys:
            args.append("--with-keys")
        return run_cli(*args, stdin=PASSPHRASE + "\n" if keys else None)

    def restore(self, archive, newdir, stdin=None):
        return run_cli("restore", "--from", archive, "--data", newdir, stdin=stdin)

    def assertRefused(self, result, text, newdir, code=1):
        rc, out, err = result
        self.assertEqual(rc, code, out + err)
        self.assertIn(text, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertFalse(os.path.exists(newdir), os.listdir(newdir) if os.path.isdir(newdir) else "")
        left = [f for f in os.listdir(os.path.dirname(newdir)) if "kenes-restore" in f]
        self.assertEqual(left, [])

    def test_round_trip_while_writing(self):
        s = self.s
        for user in ("off11", "off15"):
            s.token(user)
        writers = [Writer(s, "off11", "KZ-11", 2026), Writer(s, "off15", "KZ-15", 2027),
                   Writer(s, "off11", "KZ-11"), Reader(s, "off11", self.case)]
        for w in writers:
            w.start()
        try:
            # Three backups while they go on (plain ones first, then with keys);
            # the last is restored and served, the others restored and verified.
            taken = []
            for n, keys in enumerate((False, False, True)):
                seen = sum(len(w.acked) for w in writers[:3])
                wait_until(lambda: sum(len(w.acked) for w in writers[:3]) >= seen + 5 or
                           any(w.error for w in writers), "writes going on")
                before = [a for w in writers[:3] for a in list(w.acked)]
                code, out, err = self.backup("live%d.kenes" % n, keys=keys)
                self.assertEqual(code, 0, out + err)
                self.assertIn("sealed with the passphrase" if keys else "keys: none", out)
                taken.append((self.path("live%d.kenes" % n), before))
            reads = writers[3].reads
            wait_until(lambda: writers[3].reads > reads or writers[3].error, "reads go on")
        finally:
            for w in writers:
                w.stop.set()
            for w in writers:
                w.join(timeout=120)
        self.assertEqual([w.error for w in writers if w.error], [])
        self.assertFalse([f for f in os.listdir(self.out) if "kenes-tmp" in f])

        self.assertGreater(writers[3].reads, 0)
        for n, (archive, before) in enumerate(taken):
            new = self.path("restored%d" % n)
            code, out, err = self.restore(archive, new, stdin=PASSPHRASE + "\n")
            self.assertEqual(code, 0, out + err)
            self.assertIn("Verified " + new + ": clean", out)
            for repo in ("documents.git", "cases.git"):
                p = subprocess.run(["git", "--git-dir", os.path.join(new, repo), "fsck",
                                    "--strict", "--no-progress"], capture_output=True, text=True)
                self.assertEqual(p.returncode, 0, p.stderr)
            on_main = set(git(os.path.join(new, "documents.git"), "rev-list", "main").split())
            on_main |= set(git(os.path.join(new, "cases.git"), "rev-list", "main").split())
            for doc, version in before:
                self.assertIn(version, on_main, doc)
        # The keys restored are the folder's own, byte for byte.
        kept, restored = key_files(s.data), key_files(new)
        self.assertIn("keys/signing.key", restored)
        self.assertEqual([k for k in restored if kept.get(k) != restored[k]], [],
                         sorted(kept))

        r2 = Server(data=new, users=[])
        try:
            r2.start()
            latest = {}
            for doc, version in before:
                latest[doc] = version
            for doc in latest:
                user = "off15" if "KZ-15" in doc else "off11"
                r = r2.get("/api/v1/documents/" + doc, user)
                self.assertEqual(r.status, 200, (doc, r))
            r = r2.get("/api/v1/documents/" + self.case, "off11")
            self.assertEqual(r.status, 200, r)
            self.assertIn(CHILD_NAME, r.raw)
            self.assertEqual(r2.stop(), 0)
        finally:
            r2.cleanup()
        code, out, err = run_cli("verify", "--data", new)
        self.assertEqual(code, 0, out + err)

    def test_without_keys(self):
        s = self.s
        code, out, err = self.backup("nokeys.kenes")
        self.assertEqual(code, 0, out + err)
        self.assertIn("keys: none", out)
        with open(self.path("nokeys.kenes"), "rb") as f:
            raw = f.read()
        keys = key_files(s.data)
        self.assertTrue(any(k.startswith("keys/cases/") for k in keys), keys)
        with zipfile.ZipFile(self.path("nokeys.kenes")) as z:
            names = z.namelist()
            contents = b"".join(z.read(n) for n in names)
        self.assertEqual([n for n in names if n.startswith("keys")], ["keys/signing.pub"])
        for name, data in keys.items():
            self.assertNotIn(data, raw, name)
            self.assertNotIn(data, contents, name)

        new = self.path("restored-nokeys")
        code, out, err = self.restore(self.path("nokeys.kenes"), new)
        self.assertEqual(code, 0, out + err)
        self.assertIn("No keys in this backup", out)
        self.assertEqual(os.listdir(os.path.join(new, "keys")), ["signing.pub"])
        r2 = Server(data=new, users=[])
        try:
            self.assertEqual(r2.start(expect_fail=True), 1)
            r2.stop()
            with open(r2.log_path) as f:
                self.assertIn("master.key does not exist", f.read())
            # The operator's own backup of DATA/keys, put back.
            for name, data in keys.items():
                os.makedirs(os.path.dirname(os.path.join(new, name)), mode=0o700, exist_ok=True)
                with open(os.path.join(new, name), "wb") as f:
                    f.write(data)
                os.chmod(os.path.join(new, name), 0o600)
            r2.start()
            r = r2.get("/api/v1/documents/" + self.case, "off11")
            self.assertEqual(r.status, 200, r)
            self.assertIn(CHILD_NAME, r.raw)
        finally:
            r2.cleanup()

    def test_passphrase_wrong_or_missing(self):
        code, out, err = self.backup("keys.kenes", keys=True)
        self.assertEqual(code, 0, out + err)
        new = self.path("never")
        self.assertRefused(self.restore(self.path("keys.kenes"), new, stdin="not the one\n"),
                           "the passphrase does not open", new)
        self.assertRefused(self.restore(self.path("keys.kenes"), new, stdin=""),
                           "passphrase on the first line of standard input", new, code=2)
        code, out, err = run_cli("backup", "--data", self.s.data, "--to", self.path("short"),
                                 "--with-keys", stdin="short\n")
        self.assertEqual(code, 2, out + err)
        self.assertIn("12 characters", err)
        self.assertFalse(os.path.exists(self.path("short")))

    def test_tampered_and_truncated(self):
        code, out, err = self.backup("good.kenes")
        self.assertEqual(code, 0, out + err)
        with open(self.path("good.kenes"), "rb") as f:
            good = f.read()
        with zipfile.ZipFile(self.path("good.kenes")) as z:
            info = z.getinfo("manifest.json")
        # The manifest's bytes: after its local header (30 bytes, name, extra).
        extra_len = int.from_bytes(good[info.header_offset + 28:info.header_offset + 30], "little")
        start = info.header_offset + 30 + len(info.filename.encode()) + extra_len
        cases = {
            "middle": lambda b: b[:len(b) // 2] + bytes([b[len(b) // 2] ^ 1]) + b[len(b) // 2 + 1:],
            "manifest": lambda b: b[:start + 5] + bytes([b[start + 5] ^ 0x20]) + b[start + 6:],
            # The last byte is the last hex digit of the whole file's hash (the zip's
            # comment): another hex digit, so that it reads as a hash that does not
            # match (a byte that is no hex digit makes the file "not a whole" backup).
            "last byte": lambda b: b[:-1] + (b"1" if b[-1:] == b"0" else b"0"),
            "cut in half": lambda b: b[:len(b) // 2],
            "cut by one": lambda b: b[:-1],
        }
        for what, change in cases.items():
            with self.subTest(what):
                bad = self.path("bad.kenes")
                with open(bad, "wb") as f:
                    f.write(change(good))
                new = self.path("tampered")
                expect = "not a whole kenes backup" if what.startswith("cut") \
                    else "damaged or was altered"
                self.assertRefused(self.restore(bad, new), expect, new)
                # An empty folder made beforehand stays, empty.
                os.mkdir(new)
                rc, out, err = self.restore(bad, new)
                self.assertEqual(rc, 1, out + err)
                self.assertEqual(os.listdir(new), [])
                os.rmdir(new)

    def test_restore_into_a_folder_that_is_not_empty(self):
        code, out, err = self.backup("plain.kenes")
        self.assertEqual(code, 0, out + err)
        new = self.path("busy")
        os.mkdir(new)
        with open(os.path.join(new, "notes.txt"), "w") as f:
            f.write("mine\n")
        rc, out, err = self.restore(self.path("plain.kenes"), new)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("exists and is not empty: nothing written", err)
        self.assertEqual(os.listdir(new), ["notes.txt"])
        self.assertFalse([f for f in os.listdir(self.out) if "kenes-restore" in f])
        shutil.rmtree(new)
        # Into an empty folder it restores.
        os.mkdir(new)
        rc, out, err = self.restore(self.path("plain.kenes"), new)
        self.assertEqual(rc, 0, out + err)
        self.assertTrue(os.path.isdir(os.path.join(new, "cases.git")))

    def test_existing_file_and_usage(self):
        target = self.path("exists.kenes")
        with open(target, "w") as f:
            f.write("keep me\n")
        code, out, err = self.backup("exists.kenes")
        self.assertEqual(code, 1, out + err)
        self.assertIn("exists: nothing written (--force replaces it)", err)
        with open(target) as f:
            self.assertEqual(f.read(), "keep me\n")
        code, out, err = self.backup("exists.kenes", extra=("--force",))
        self.assertEqual(code, 0, out + err)
        self.assertTrue(zipfile.is_zipfile(target))
        for args in (["backup", "--data", self.s.data], ["backup", "--to", target],
                     ["backup", "--data", self.s.data, "--to", target, "--bogus"],
                     ["backup", "--data"], ["restore", "--from", target],
                     ["restore", "--data", self.path("x")], ["restore", "--from"],
                     ["restore", "--from", target, "--data", self.path("x"), "--with-keys"]):
            with self.subTest(args=args):
                code, out, err = run_cli(*args)
                self.assertEqual(code, 2, out + err)
                self.assertEqual(len(err.strip().splitlines()), 1, err)
                self.assertFalse(os.path.exists(self.path("x")))
        code, out, err = run_cli("restore", "--from", self.path("missing"), "--data",
                                 self.path("x"))
        self.assertEqual(code, 1, out + err)
        self.assertFalse(os.path.exists(self.path("x")))

    def test_leftovers_of_a_killed_backup(self):
        """A backup killed midway leaves FILE.kenes-tmp-XXXXXX/: the next
        backup to FILE removes it and says so; another FILE's, or a name
        mkdtemp did not make, stays."""
        own = tempfile.mkdtemp(dir=self.out)  # the other tests look at out/
        mine = os.path.join(own, "nightly.kenes.kenes-tmp-Ab12Cd")
        others = [os.path.join(own, "other.kenes.kenes-tmp-Xy34Zw"),
                  os.path.join(own, "nightly.kenes.kenes-tmp-mine-too-long")]
        for d in [mine] + others:
            os.makedirs(os.path.join(d, "documents.git"))
            with open(os.path.join(d, "backup.zip"), "wb") as f:
                f.write(b"PK half")
        target = os.path.join(own, "nightly.kenes")
        code, out, err = self.backup(target)
        self.assertEqual(code, 0, out + err)
        self.assertIn(f"kenes: backup: removed {mine}, left by a backup that did not finish",
                      err)
        self.assertFalse(os.path.exists(mine))
        for d in others:
            self.assertTrue(os.path.isdir(d), d)
        self.assertTrue(zipfile.is_zipfile(target))

    def test_two_backups_into_one_folder(self):
        """While one backup writes into a folder (it holds a flock on the
        folder), another into the same folder is refused and writes
        nothing: each clears the other's staging folder otherwise."""
        folder = tempfile.mkdtemp(dir=self.out)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            code, out, err = self.backup(os.path.join(folder, "second.kenes"))
        finally:
            os.close(fd)
        self.assertEqual(code, 1, out + err)
        self.assertIn(f"kenes: backup: another kenes backup is writing into {folder}: nothing "
                      "written; run this one when it has finished", err)
        self.assertEqual(os.listdir(folder), [])
        code, out, err = self.backup(os.path.join(folder, "second.kenes"))
        self.assertEqual(code, 0, out + err)
        self.assertEqual(os.listdir(folder), ["second.kenes"])


class Stopped(unittest.TestCase):
    """A folder whose server is stopped backs up and restores the same way."""

    def test_round_trip(self):
        s = Server()
        try:
            s.start()
            r = s.post("/api/v1/documents", plan_body("KZ-11", 2026), "off11")
            self.assertEqual(r.status, 201, r)
            version = r.json["version"]
            self.assertEqual(s.stop(), 0)
            archive = os.path.join(s.tmp, "stopped.kenes")
            before = files_of(s.data)
            code, out, err = run_cli("backup", "--data", s.data, "--to", archive, "--with-keys",
                                     stdin=PASSPHRASE + "\n")
            self.assertEqual(code, 0, out + err)
            # Nothing written into DATA but the consolidation locks (made once).
            after = files_of(s.data)
            self.assertEqual({k: v for k, v in after.items() if not k.endswith("kenes-gc.lock")},
                             {k: v for k, v in before.items() if not k.endswith("kenes-gc.lock")})
            new = os.path.join(s.tmp, "restored")
            code, out, err = run_cli("restore", "--from", archive, "--data", new,
                                     stdin=PASSPHRASE + "\n")
            self.assertEqual(code, 0, out + err)
            self.assertIn("clean", out)
            r2 = Server(data=new, users=[])
            try:
                r2.start()
                r = r2.get("/api/v1/documents/plan/KZ-11/2026", "off11")
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json["version"], version)
            finally:
                r2.cleanup()
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
