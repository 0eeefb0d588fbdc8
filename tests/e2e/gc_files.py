"""What the tests of leftovers and gc plant in a repository (issue 16, items
2, 6 and 8): files a crash or a gc leaves, git gc's gc.pid, and the flocks
kenes takes (kenes-gc.lock while `kenes gc` consolidates, kenes-pack.lock
between a batch's commits) held by the test as another process would."""
import contextlib
import fcntl
import os
import socket
import subprocess


def plant(repo, files):
    """Write files (a path under repo -> its text) in repo, making their
    folders; the paths, sorted."""
    for rel, text in files.items():
        path = os.path.join(repo, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    return sorted(files)


@contextlib.contextmanager
def held(repo, name):
    """repo/name (made if missing) flocked, as kenes holds it, until the end
    of the with block."""
    fd = os.open(os.path.join(repo, name), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def write_gc_pid(repo, pid):
    """git gc's gc.pid in repo, naming pid on this host; its path."""
    path = os.path.join(repo, "gc.pid")
    with open(path, "w") as f:
        f.write(f"{pid} {socket.gethostname()}")
    return path


@contextlib.contextmanager
def git_gc_running(repo):
    """gc.pid in repo naming this process (alive: a git gc at work) until
    the end of the with block."""
    path = write_gc_pid(repo, os.getpid())
    try:
        yield
    finally:
        os.unlink(path)


def ended_pid():
    """The PID of a process that has ended."""
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid
