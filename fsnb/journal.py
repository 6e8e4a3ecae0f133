"""The incident journal: JSON lines, one record per result/action, flushed and fsync'd, redacted before writing."""
from __future__ import annotations

import datetime as _dt
import json
import os
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .redact import Redactor
from .result import Result

SCHEMA = 1


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


class Journal:
    def __init__(self, path: str | Path, redactor: Redactor | None = None, incident: str | None = None):
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.redactor = redactor or Redactor()
        self.incident = incident or self.path.stem

    def write(self, record: dict) -> dict:
        rec = {"schema": SCHEMA, "ts": now(), "incident": self.incident, **record}
        rec = self.redactor.any(rec)
        line = json.dumps(rec, ensure_ascii=False, default=str)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        return rec

    def meta(self, target) -> dict:
        return self.write({"type": "meta", "fsnb": __version__, "host": socket.gethostname(), "target": target.public()})

    def result(self, r: Result, run_id: str) -> dict:
        return self.write({"type": "result", "run": run_id, **r.to_dict()})

    def run(self, run, run_id: str) -> dict:
        return self.write({"type": "diagnosis", "run": run_id, "duration": round(run.duration, 3), "exit": run.exit_code,
                           "items": [f.to_dict() for f in run.findings], "hypotheses": [v.to_dict() for v in run.verdicts]})


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


@dataclass
class Loaded:
    records: list[dict]
    problems: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[dict]:
        return [r for r in self.records if r.get("type") == kind]


def read(path: str | Path) -> Loaded:
    """Read a journal; a truncated or garbled line is reported and skipped, the rest is kept."""
    out = Loaded([])
    try:
        raw = Path(path).expanduser().read_bytes()
    except OSError as exc:
        out.problems.append(f"{path}: {exc.strerror}")
        return out
    lines = raw.split(b"\n")
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line.decode("utf-8"))
            if not isinstance(rec, dict) or "type" not in rec:
                raise ValueError("not a journal record")
        except (ValueError, UnicodeDecodeError) as exc:
            last = n == len(lines) or (n == len(lines) - 1 and not lines[-1])
            out.problems.append(f"line {n}: {'truncated last line (crash mid-write?)' if last else 'unreadable'} — skipped ({exc.__class__.__name__})")
            continue
        out.records.append(rec)
    return out


def dataframe(path: str | Path):
    """Results of a journal as a pandas DataFrame (one row per check result)."""
    import pandas as pd
    j = read(path)
    rows = [{"ts": r.get("ts"), "run": r.get("run"), "target": r.get("target"), "section": r.get("section"),
             "id": r.get("id"), "status": r.get("status"), "summary": r.get("summary"),
             "duration": r.get("duration")} for r in j.of("result")]
    df = pd.DataFrame(rows, columns=["ts", "run", "target", "section", "id", "status", "summary", "duration"])
    df.attrs["problems"] = j.problems
    return df
