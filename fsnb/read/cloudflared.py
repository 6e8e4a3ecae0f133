"""cloudflared's own answer about a tunnel config: which rule a public URL matches, and whether the config is valid.

fsnb's reading of config.yml (fsnb/read/tunnel.py) models cloudflared; where the real program is present, it is
the judge (issue #18): `cloudflared --no-autoupdate tunnel --config FILE ingress validate` and `… ingress rule URL`.
Both are offline (no connect(), see ../shared/vendor/cloudflared/README.md): they parse the config and match the
URL, nothing more; `ingress rule` validates before it matches, so one run answers both. The config text fsnb read (from the host or the container) is handed over as a private temporary
file, so the answer is about exactly the bytes fsnb shows as evidence. The URL and the path are arguments of an
exec (never a shell); the program runs with an empty environment and a private HOME (no other config is found),
under a deadline, its output size-capped.

Where is cloudflared: `FSNB_CLOUDFLARED` (a path), else `cloudflared` on PATH, else fsnb's own build
(tools/build-cloudflared, in fsnb's cache). None: the caller uses its own reading and says so.
"""
from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

MAX_OUTPUT = 64 * 1024
_versions: dict[str, str] = {}


@dataclass
class Judgement:
    """What cloudflared said. `valid` False: `message` is its reason (e.g. "Validation failed: The last ingress
    rule must match all URLs …"); else `rule` (1-based, as cloudflared counts) and its `service` for the URL."""
    binary: str
    version: str
    valid: bool
    message: str = ""
    url: str = ""
    rule: int | None = None
    service: str | None = None
    hostname: str | None = None
    path: str | None = None
    output: str = ""


def find() -> str | None:
    """The cloudflared binary to ask, or None."""
    env = os.environ.get("FSNB_CLOUDFLARED", "")
    if env:
        return env if os.access(env, os.X_OK) else None
    return shutil.which("cloudflared") or _built()


def _built() -> str | None:
    """The newest build of tools/build-cloudflared in fsnb's cache (any version is a judge: the evidence names it)."""
    cache = Path(os.environ.get("FSNB_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fsnb")
    builds = [b for b in cache.glob("cloudflared-*/cloudflared") if os.access(b, os.X_OK)]
    return str(max(builds, key=lambda b: b.stat().st_mtime)) if builds else None


def request_url(public_url: str) -> str:
    """The HTTP request the edge hands the tunnel for a WebSocket URL: wss → https, ws → http, path kept."""
    u = urlsplit(public_url)
    scheme = {"wss": "https", "ws": "http"}.get(u.scheme, u.scheme)
    return f"{scheme}://{u.netloc}{u.path or '/'}"


def _run(binary: str, args: list[str], home: str, timeout: float) -> tuple[int, str]:
    """The program's exit code and its output (stdout and stderr): the first MAX_OUTPUT bytes kept, the rest read
    and dropped as it comes (a config's errors echo its values); killed at `timeout` (subprocess.TimeoutExpired)."""
    from fsnb.read import files
    rc, out, _ = files.run_capped([binary, *args], env={"HOME": home, "PATH": "/usr/bin:/bin"}, cwd=home,
                                  timeout=timeout, cap=MAX_OUTPUT, merge_stderr=True)
    return rc, out.decode("utf-8", "replace")


# A fleet asks cloudflared once per target at the same moment: dozens of Go processes at once took both cores for
# seconds and every check of every target ran out of its time. At most one per core runs; the others wait idle.
_SLOTS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))
_VERSION_LOCK = threading.Lock()


def version(binary: str, timeout: float = 2.0) -> str:
    with _VERSION_LOCK:          # asked once per binary, not once per target of a fleet
        if binary not in _versions:
            with tempfile.TemporaryDirectory(prefix="fsnb-cf-") as home, _SLOTS:
                _, out = _run(binary, ["--version"], home, timeout)
            m = re.search(r"version (\S+)", out)
            _versions[binary] = m.group(1) if m else "unknown version"
        return _versions[binary]


_MATCHED = re.compile(r"^Matched rule #(\d+)$", re.M)
_FIELD = re.compile(r"^\t(hostname|path|service): (.*)$", re.M)


def judge(config_text: str, public_url: str, timeout: float, binary: str | None = None) -> Judgement | None:
    """cloudflared's validation of `config_text` and the rule `public_url` matches; None without cloudflared.
    Blocking (a check runs it off the event loop under its deadline); subprocess.TimeoutExpired past `timeout`."""
    binary = binary or find()
    if not binary:
        return None
    url = request_url(public_url)
    with tempfile.TemporaryDirectory(prefix="fsnb-cf-") as home:
        conf = os.path.join(home, "config.yml")
        fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogatepass") as f:
            f.write(config_text)
        # `ingress rule` validates first ("Validation failed: …", exit 1) and then matches: one run answers both;
        # the version (for the evidence) is asked beside it
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            ver = pool.submit(version, binary, timeout)
            with _SLOTS:
                rc, out = _run(binary, ["--no-autoupdate", "tunnel", "--config", conf, "ingress", "rule", url], home,
                               timeout)
            ver = ver.result()
        out = out.replace(conf, "config.yml")
    if "Validation failed" in out or rc != 0:
        return Judgement(binary, ver, False, message=_reason(out), url=url, output=out)
    m = _MATCHED.search(out)
    if not m:
        return Judgement(binary, ver, False, message=_reason(out), url=url, output=out)
    fields = dict(_FIELD.findall(out[m.end():]))
    return Judgement(binary, ver, True, url=url, rule=int(m.group(1)), service=fields.get("service"),
                     hostname=fields.get("hostname"), path=fields.get("path"), output=out)


def _reason(out: str) -> str:
    """cloudflared's own words: its last non-empty line (the error it exits with), timestamps and levels cut."""
    lines = [ln.strip() for ln in out.splitlines() if ln.strip()]
    last = lines[-1] if lines else "cloudflared gave no reason"
    return re.sub(r"^\S+Z (ERR|INF|WRN) ", "", last)[:500]
