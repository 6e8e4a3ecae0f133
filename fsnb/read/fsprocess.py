"""FreeSWITCH's own view of its directories: the command line it was started with (issue #18).

`freeswitch -conf DIR -certs DIR -log DIR -base DIR -run DIR …` decides where it reads its XML, looks for wss.pem
and writes freeswitch.log. The command line is the first source of these directories: it answers when ESL does
not (`global_getvar` needs ESL), and it is what the process really uses, whatever the defaults say.

Sources, first that answers: /proc/<pid>/cmdline of the FreeSWITCH process (a local process found by its
/proc/<pid>/comm, or the container's process read via /proc/<pid> when its engine runs here), else the engine's
record of what it started (inspect: Path + Args). The command line is hostile data: bounded, NUL-split, never
run or evaluated; only the values of known flags are taken, and only absolute paths.
"""
from __future__ import annotations

import os
import posixpath
import stat
from dataclasses import dataclass, field

MAX_CMDLINE = 64 * 1024
MAX_PROCS = 4096
# the flags that take a directory (switch_core.c / freeswitch.c usage), and the SWITCH_GLOBAL_dirs entry they set
DIR_FLAGS = {"-base": "base", "-conf": "conf", "-log": "log", "-run": "run", "-db": "db", "-mod": "mod",
             "-htdocs": "htdocs", "-scripts": "scripts", "-temp": "temp", "-storage": "storage", "-cache": "cache",
             "-recordings": "recordings", "-grammar": "grammar", "-certs": "certs", "-sounds": "sounds"}


@dataclass
class Process:
    argv: list[str]
    source: str                       # where the command line came from (evidence)
    dirs: dict[str, str] = field(default_factory=dict)   # base, conf, log, certs, … as given on the command line
    # the kernel's run state of the process (/proc/<pid>/stat): R/S/D running or waiting, T stopped (SIGSTOP, Ctrl-Z),
    # t stopped by a debugger; "" when unknown (the engine's record only)
    state: str = ""

    def dir(self, what: str) -> str | None:
        """A directory FreeSWITCH uses: its flag, else what -base implies for a source install (base/conf, …)."""
        if what in self.dirs:
            return self.dirs[what]
        if "base" in self.dirs and what in ("conf", "log", "certs", "run", "db"):
            return posixpath.join(self.dirs["base"], what)
        return None

    def flag(self, what: str) -> str:
        """How the command line names it, for messages: `-certs /x` or `-base /b` (→ /b/certs)."""
        if what in self.dirs:
            return f"-{what} {self.dirs[what]}"
        return f"-base {self.dirs['base']}" if "base" in self.dirs else ""


def parse(argv: list[str], source: str) -> Process | None:
    """The directories of a FreeSWITCH command line; None when argv is not FreeSWITCH's (no `freeswitch` in
    argv[0] or, for a shell wrapper like `sh -c 'exec freeswitch …'`, no flag of its own)."""
    if not argv:
        return None
    if posixpath.basename(argv[0]) != "freeswitch":
        return None
    dirs: dict[str, str] = {}
    i = 1
    while i < len(argv) and i < 256:
        a = argv[i]
        name = DIR_FLAGS.get(a)
        if name and i + 1 < len(argv):
            v = argv[i + 1]
            if v.startswith("/") and len(v) < 4096 and "\n" not in v:
                dirs[name] = posixpath.normpath(v)
            i += 2
            continue
        i += 1
    return Process(list(argv[:64]), source, dirs)


def split(raw: bytes) -> list[str]:
    return [a.decode("utf-8", errors="replace") for a in raw[:MAX_CMDLINE].split(b"\0") if a]


def read_cmdline(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return split(fh.read(MAX_CMDLINE))
    except OSError:
        return None


def read_state(pid: int) -> str:
    """The state letter of /proc/<pid>/stat (after the last ')': the comm may hold anything); "" when unreadable."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read(4096)
    except OSError:
        return ""
    rest = raw[raw.rfind(b")") + 1:].split()
    return rest[0].decode("ascii", "replace")[:1] if rest else ""


def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task")[:256]:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii", errors="replace") as fh:
                out.extend(int(x) for x in fh.read(65536).split() if x.isdigit())
    except OSError:
        pass
    return out


def in_tree(pid: int) -> Process | None:
    """The FreeSWITCH process at `pid` (a container's first process) or below it (a wrapper's child)."""
    todo, seen = [pid], 0
    while todo and seen < 64:
        p = todo.pop(0)
        seen += 1
        argv = read_cmdline(p)
        proc = parse(argv or [], f"/proc/{p}/cmdline")
        if proc is not None:
            proc.state = read_state(p)
            return proc
        todo.extend(_children(p))
    return None


def local() -> Process | None:
    """A FreeSWITCH process on this machine (the first by pid whose comm is `freeswitch`), in this mount namespace:
    one in a container is that container's, read through its DockerHost."""
    try:
        pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())[:MAX_PROCS * 16]
    except OSError:
        return None
    try:
        own_mnt = os.readlink("/proc/self/ns/mnt")
    except OSError:
        own_mnt = None
    for pid in pids:
        try:
            with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as fh:
                if fh.read(64).strip() != "freeswitch":
                    continue
            # a FreeSWITCH in a container (another mount namespace) names paths of its own, not of this machine
            if own_mnt is None or os.readlink(f"/proc/{pid}/ns/mnt") != own_mnt:
                continue
        except OSError:
            continue
        if not installed_binary(pid):
            continue
        proc = parse(read_cmdline(pid) or [], f"/proc/{pid}/cmdline")
        if proc is not None:
            proc.state = read_state(pid)
            return proc
    return None


def installed_binary(pid: int) -> bool:
    """Whether process `pid` runs a `freeswitch` binary installed by root (or by the user running fsnb): any user
    can start a program named freeswitch (a copy of any binary; comm and argv are the starter's to choose) with
    `-conf`/`-certs` naming directories of their own — and the command line outranks the target file's dirs, so fsnb
    would read, diagnose and `fsnb fix` would edit the attacker's files. The kernel's /proc/PID/exe says which file
    runs; it must be a regular file owned by root or this user, writable by no one else."""
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
        st = os.stat(exe)
    except OSError:        # another user's process, fsnb not root: its binary cannot be checked, so not trusted
        return False
    return (posixpath.basename(exe) == "freeswitch" and stat.S_ISREG(st.st_mode)
            and st.st_uid in (0, os.getuid()) and not st.st_mode & 0o022)


def from_inspect(info: dict | None) -> Process | None:
    """What the engine started (GET /containers/<name>/json: Path and Args), when /proc cannot be read here."""
    if not info:
        return None
    path, args = info.get("Path"), info.get("Args") or []
    if not isinstance(path, str) or not isinstance(args, list):
        return None
    argv = [path[:4096], *(a[:4096] for a in args[:256] if isinstance(a, str))]     # the engine's answer: bounded
    proc = parse(argv, "Docker inspect: Path + Args")
    if proc is None and posixpath.basename(path) in ("sh", "bash", "dash") and len(args) >= 2 and args[0] == "-c":
        # `sh -c '… exec freeswitch -conf … '`: the words after `freeswitch` (no quoting inside: a plain split)
        words = args[1][:MAX_CMDLINE].split()
        if "freeswitch" in [posixpath.basename(w) for w in words]:
            at = [posixpath.basename(w) for w in words].index("freeswitch")
            proc = parse(words[at:], "Docker inspect: Args (sh -c)")
    return proc
