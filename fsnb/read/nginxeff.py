"""nginx's own view (issue #18): its effective configuration, `nginx -T`, with the config the running nginx uses.

The target names one file (the site with proxy_pass); nginx serves from every file it includes. Another file's
`default_server`, or a second server block on the same port, decides where requests go that the target's file never
sees. Which nginx: the master process (this machine, this mount namespace) whose `nginx -T` includes the target's
file — its command line (`nginx: master process /usr/sbin/nginx -p P -c C`) gives prefix and config. The binary is
the operator's, run as `nginx -T` (test and dump: it binds nothing, serves nothing), bounded in time and output;
without a binary or a master process nothing is run.

The dump is split at nginx's own `# configuration file PATH:` lines and each part parsed by crossplane, so every
server block is seen with its file and line.
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field

MAX_DUMP = 4 * 1024 * 1024
MARK = "# configuration file "


@dataclass
class Server:
    file: str
    line: int
    listen: list[str]
    server_names: list[str]
    default: bool           # `default_server` (or `default`) on a listen of the port

    def text(self) -> str:
        names = f"server_name {' '.join(self.server_names)}" if self.server_names else "(no server_name)"
        return f"{self.file}:{self.line} {names}" + (" default_server" if self.default else "")


@dataclass
class Effective:
    command: str
    servers: list[Server] = field(default_factory=list)


def _binary(pid: str, words: list[str]) -> str:
    """The nginx binary of master process `pid`, or "" when it is not one fsnb may run.

    A process's name is whatever its starter wrote into argv[0]: any local user can start one called
    `nginx: master process /tmp/x -c …`, and fsnb (often root) would run /tmp/x. So the binary is the one the kernel
    executed (/proc/PID/exe), the process must belong to root or to the user running fsnb, and the binary must be
    nginx, owned by root or that user and writable by no one else. Without access to /proc/PID/exe (fsnb not root,
    nginx root's) the name's binary is taken only from a root-owned process, under the same file checks."""
    me = os.getuid()
    try:
        owner = os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return ""
    if owner not in (0, me):
        return ""
    try:
        binary = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        binary = words[0] if owner == 0 and words and os.path.isabs(words[0]) else ""
    binary = binary.removesuffix(" (deleted)")     # upgraded under a running master: the new file at its path
    if not binary or not os.path.basename(binary).startswith("nginx"):
        return ""
    try:
        st = os.stat(binary)
    except OSError:
        return ""
    if not stat.S_ISREG(st.st_mode) or st.st_uid not in (0, me) or st.st_mode & 0o022:
        return ""
    return binary


def masters() -> list[tuple[str, str, str]]:
    """(binary, prefix, conf) of every nginx master process in this mount namespace that fsnb may run (`_binary`)."""
    try:
        own = os.readlink("/proc/self/ns/mnt")
    except OSError:
        return []
    out = []
    for pid in sorted((p for p in os.listdir("/proc") if p.isdigit()), key=int)[:65536]:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read(8192).replace(b"\0", b" ").decode("utf-8", "replace").strip()
            if not cmd.startswith("nginx: master process ") or os.readlink(f"/proc/{pid}/ns/mnt") != own:
                continue
        except OSError:
            continue
        words = cmd[len("nginx: master process "):].split()
        binary = _binary(pid, words)
        if not binary:
            continue
        prefix, conf = "", ""
        for i, w in enumerate(words[1:-1], 1):
            if w == "-p":
                prefix = words[i + 1]
            elif w == "-c":
                conf = words[i + 1]
        out.append((binary, prefix, conf))
    return out


def dump(binary: str, prefix: str, conf: str, timeout: float) -> str | None:
    """`nginx -T`'s output; None when it fails, outlasts `timeout` or exceeds MAX_DUMP. Read as it comes and cut
    off at the cap: nginx -T prints every included file whole, and a file of comments is valid config, so a
    1 GB include was 1 GB in fsnb's memory (subprocess.run keeps all of it) before the cap applied — and a dump cut
    at the cap would have been parsed as if it were the whole configuration."""
    from fsnb.read import files
    argv = [binary, "-T", "-q"] + (["-p", prefix] if prefix else []) + (["-c", conf] if conf else [])
    try:
        rc, out, over = files.run_capped(argv, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}, timeout=timeout,
                                         cap=MAX_DUMP, stop_over_cap=True)
    except (OSError, subprocess.TimeoutExpired):
        return None                         # not runnable, or past the deadline
    if over or rc != 0:                     # too large to be a configuration fsnb reads, or nginx -T failed
        return None
    return out.decode("utf-8", "replace")


def sections(text: str) -> list[tuple[str, str]]:
    """(file, its text) of `nginx -T`'s dump."""
    out: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith(MARK) and line.endswith(":"):
            out.append((line[len(MARK):-1], []))
        elif out:
            out[-1][1].append(line)
    return [(f, "\n".join(lines)) for f, lines in out]


def _servers(parsed: list, file: str) -> list[Server]:
    found = []
    for d in parsed:
        if d.get("directive") == "server" and "block" in d:
            listen = [" ".join(x.get("args", [])) for x in d["block"] if x.get("directive") == "listen"]
            names = [a for x in d["block"] if x.get("directive") == "server_name" for a in x.get("args", [])]
            found.append(Server(file, int(d.get("line") or 0), listen, names,
                                any({"default_server", "default"} & set(lst.split()) for lst in listen)))
        elif d.get("block") and d.get("directive") in ("http", "include"):
            found.extend(_servers(d["block"], file))
    return found


def servers_of(text: str) -> list[Server]:
    import crossplane
    out = []
    with tempfile.TemporaryDirectory(prefix="fsnb-nginx-T-") as tmp:
        for i, (file, body) in enumerate(sections(text)[:256]):
            path = os.path.join(tmp, f"{i}.conf")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(body)
            try:
                res = crossplane.parse(path, catch_errors=True, single=True, comments=False, check_ctx=False)
            except Exception:       # a part crossplane cannot read: nginx read it; nothing to say about it here
                continue
            for cfg in res.get("config", [])[:1]:
                out.extend(_servers(cfg.get("parsed") or [], file))
    return out


def _dump_matches_files(parts: list[tuple[str, str]]) -> bool:
    """Whether each part of the dump is the text of the file it is attributed to. nginx -T prints files verbatim,
    so a line `# configuration file /etc/nginx/sites-enabled/default:` inside an included file makes what follows
    it look like another file's: its server blocks (a default_server) would be that file's, and `fsnb fix` would
    plan its edit there. A file fsnb may not read (not root) cannot be compared and is taken as nginx printed it."""
    import errno

    from fsnb.read import files as _files
    for file, body in parts:
        try:
            real = _files.read_text(file, limit=MAX_DUMP)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM):
                continue
            return False
        if "\n".join(real.splitlines()).rstrip("\n") != body.rstrip("\n"):
            return False
    return True


def on_port(servers: list[Server], port: int) -> list[Server]:
    def port_of(spec: str) -> int | None:
        addr = spec.split()[0] if spec.split() else ""
        tail = addr.rsplit(":", 1)[-1] if ":" in addr else addr
        # ASCII digits, at most 5: `²³` is isdigit() and no int(); 5,000 digits exceed int()'s limit
        return int(tail) if tail.isascii() and tail.isdigit() and len(tail) <= 5 else None
    out = []
    for s in servers:
        hits = [lst for lst in s.listen if port_of(lst) == port]
        if hits:
            out.append(Server(s.file, s.line, hits, s.server_names, any("default_server" in h.split() or
                                                                          "default" in h.split() for h in hits)))
    return out


_DUMPS: dict[tuple[str, str, str], tuple[float, str | None]] = {}
CACHE_SECONDS = 5.0      # a fleet run asks for many targets at once: one `nginx -T` per master, not per target


def forget() -> None:
    """Drop the kept dumps: after fsnb itself changed and reloaded nginx's config (fsnb fix), the next check must
    ask nginx again."""
    _DUMPS.clear()


# A fleet's targets ask at the same moment: one dump per master at a time (the others wait for it and reuse it),
# and at most one `nginx -T` per core — 32 targets × 16 masters once started hundreds at once and every check of
# every target ran out of its time.
_KEY_LOCKS: dict[tuple[str, str, str], threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()
_SLOTS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


def _dump_cached(binary: str, prefix: str, conf: str, timeout: float) -> str | None:
    import time
    key = (binary, prefix, conf)
    with _LOCKS_LOCK:
        lock = _KEY_LOCKS.setdefault(key, threading.Lock())
    with lock:
        hit = _DUMPS.get(key)
        if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
        with _SLOTS:
            text = dump(binary, prefix, conf, timeout)
        if len(_DUMPS) > 64:
            _DUMPS.clear()
        _DUMPS[key] = (time.monotonic(), text)
        return text


def _likely_first(site_file: str, found: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Masters whose prefix or config directory holds the site file first (the one that includes it, most often)."""
    def near(m):
        _, prefix, conf = m
        dirs = [d for d in (prefix, os.path.dirname(conf) if conf else "") if d]
        return not any(site_file.startswith(d.rstrip("/") + "/") for d in dirs)
    return sorted(found, key=near)


def effective(site_file: str, timeout: float = 5.0) -> Effective | None:
    """The servers of the running nginx that includes `site_file`; None when there is none to ask (or no file:
    which nginx would be a guess). A dump is reused for CACHE_SECONDS."""
    if not site_file:
        return None
    real = os.path.realpath(site_file)
    for binary, prefix, conf in _likely_first(real, masters())[:16]:
        if not os.path.isabs(binary):
            binary = shutil.which(binary) or ""
        if not binary or not os.path.exists(binary):
            continue
        text = _dump_cached(binary, prefix, conf, timeout)
        if not text:
            continue
        parts = sections(text)
        files = [f for f, _ in parts]
        if site_file not in files and real not in files:
            continue
        if not _dump_matches_files(parts):
            continue
        cmd = " ".join([binary, "-T"] + (["-p", prefix] if prefix else []) + (["-c", conf] if conf else []))
        return Effective(cmd, servers_of(text))
    return None
