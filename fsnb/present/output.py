"""Writing fsnb's own output files (reports, exports): private, atomic, and never through a link.

A report holds the incident's evidence: it gets the journal's 0600 (directories 0700). It is written to a new file
beside the destination (O_CREAT|O_EXCL|O_NOFOLLOW: no existing file or link is opened) and renamed over it, so a
symlink planted at the destination is replaced, never followed — its target stays untouched.
"""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from fsnb.errors import TargetError


def refuse_link(path: Path, what: str) -> None:
    """TargetError when `path` is a symbolic link (fsnb does not write through links it did not make)."""
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            raise TargetError(f"{what} {path}: is a symbolic link; fsnb does not write through links "
                              "(name the file itself)")
    except FileNotFoundError:
        pass


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) as 0700 when missing; an existing directory is left as it is."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def write_private(path: str | Path, text: str, what: str = "--out") -> Path:
    path = Path(path).expanduser().absolute()
    refuse_link(path, what)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
