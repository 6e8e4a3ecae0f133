"""What fsnb parsed from a file, kept by the file's content: a re-run on an unchanged wss.pem or config.yml
skips cryptography's and PyYAML's imports and parsers (~30 ms of a ~0.2 s `fsnb run`), the way Python keeps a
module's bytecode in .pyc.

The key is a SHA-256 over the kind, the input bytes, and the identity (path, mtime, size) of the parser's
own source and of the libraries it uses: editing fsnb or upgrading a library is a miss, never a stale answer.
Only facts that are functions of the bytes are kept — nothing that depends on the clock or the target (an
expiry date is kept, "expired" is judged on every run). The entries are JSON that fsnb wrote; an entry that does
not read back as the expected shape is a miss. The cache is best effort: a read-only or full disk only costs
the parse. `FSNB_CACHE=off` turns it off; `FSNB_CACHE_DIR` moves it (default `$XDG_CACHE_HOME/fsnb/facts`).
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
from importlib.util import find_spec
from pathlib import Path
from typing import Callable

MAX_ENTRIES = 2048      # a fleet's certificates and configs; the oldest go first
MAX_ENTRY = 256 * 1024  # bytes of one entry (facts are small; a larger file is not ours)
_IDENTITY: dict[tuple[str, tuple[str, ...]], str] = {}


def directory() -> Path | None:
    if os.environ.get("FSNB_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    if os.environ.get("FSNB_CACHE_DIR"):
        return Path(os.environ["FSNB_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "fsnb" / "facts"


def _identity(source: str, libraries: tuple[str, ...]) -> str:
    """Path, mtime and size of the parser's source file and of each library's package: what a cached answer
    depends on besides the input. Found without importing the libraries (that is what the cache saves)."""
    key = (source, libraries)
    if key not in _IDENTITY:
        parts = []
        for path in [source] + [getattr(find_spec(lib), "origin", None) or lib for lib in libraries]:
            try:
                st = os.stat(path)
                parts.append(f"{path}:{st.st_mtime_ns}:{st.st_size}")
            except OSError:
                parts.append(f"{path}:?")
        _IDENTITY[key] = "\n".join(parts)
    return _IDENTITY[key]


def facts(kind: str, data: bytes, compute: Callable[[], dict], *, source: str, libraries: tuple[str, ...] = (),
          valid: Callable[[dict], bool] = lambda d: True) -> dict:
    """compute() — a JSON-able dict that depends only on `data` — or the dict kept from an earlier run.
    `source` is the parser's own file (`__file__`); `valid` checks a kept entry's shape before it is trusted."""
    where = directory()
    if where is None:
        return compute()
    h = hashlib.sha256()
    for part in (kind.encode(), _identity(source, libraries).encode(), data):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    path = where / f"{kind}-{h.hexdigest()}.json"
    try:
        kept = json.loads(_read(path))
        if isinstance(kept, dict) and valid(kept):
            return kept
    except (OSError, ValueError, TypeError, KeyError, IndexError, RecursionError):
        pass
    value = compute()
    _store(where, path, value)
    return value


def _read(path: Path) -> bytes:
    """An entry's bytes; only a regular file, never followed through a link, never waited on (a FIFO put in
    its place must not stall a run)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path}: not a regular file")
        data = os.read(fd, MAX_ENTRY + 1)
        if len(data) > MAX_ENTRY:
            raise ValueError(f"{path}: larger than an entry can be")
        return data
    finally:
        os.close(fd)


def _is_tree(value, limit: int = 20000) -> bool:
    """A plain tree of at most `limit` nodes with text keys, no container reached twice: JSON keeps it as it
    is. A YAML alias is one object in two places; serialising a 'billion laughs' document would write every copy
    out (exponential size)."""
    seen: set[int] = set()
    stack, count = [value], 0
    while stack:
        v = stack.pop()
        count += 1
        if count > limit:
            return False
        if isinstance(v, (dict, list)):
            if id(v) in seen:
                return False
            seen.add(id(v))
            if isinstance(v, dict) and not all(type(k) is str for k in v):
                return False    # JSON would turn a key 1 into "1"
            stack.extend(v.values() if isinstance(v, dict) else v)
    return True


def _store(where: Path, path: Path, value: dict) -> None:
    if not _is_tree(value):
        return
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return              # not JSON (e.g. a YAML date or an int key): not kept, parsed every time
    if len(text) > MAX_ENTRY:
        return
    tmp = where / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}"
    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
        _prune(where)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _prune(where: Path) -> None:
    """Keep at most MAX_ENTRIES entries (runs on a miss only)."""
    try:
        entries = [e for e in os.scandir(where) if e.name.endswith(".json")]
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort(key=lambda e: e.stat().st_mtime_ns)
        for e in entries[: len(entries) - MAX_ENTRIES]:
            os.unlink(e.path)
    except OSError:
        pass
