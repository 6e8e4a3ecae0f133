"""The incident journal: JSON lines, one record per result/action, flushed and fsync'd, redacted before writing."""
from __future__ import annotations

import datetime as _dt
import json
import os
import socket
import stat
from dataclasses import dataclass, field
from pathlib import Path

from fsnb import __version__
from fsnb.redact import Redactor
from fsnb.result import Result

SCHEMA = 1


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


class Journal:
    def __init__(self, path: str | Path, redactor: Redactor | None = None, incident: str | None = None):
        self.path = Path(path).expanduser().absolute()
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
    """48 random bits as 12 hex digits (os.urandom: the uuid module would cost a run ~2 ms of imports)."""
    return os.urandom(6).hex()


@dataclass
class Loaded:
    records: list[dict]
    problems: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[dict]:
        return [r for r in self.records if r.get("type") == kind]


MAX_JOURNAL = 256 * 1024 * 1024     # read at most this much of a journal (a runaway file, /dev/zero named as one)
MAX_LINE = 16 * 1024 * 1024         # one record; a longer line is skipped without being held in memory
_STR, _NUM, _BOOL, _LIST, _DICT = (str,), (int, float), (bool,), (list,), (dict,)
# the fields each record type must have (or may have), with their JSON types: a record of another shape is skipped
# with a note instead of reaching the report as a wrong type (and a traceback)
SHAPES: dict[str, dict[str, tuple]] = {
    "*": {"ts": _STR, "run": _STR, "incident": _STR, "schema": _NUM},
    "meta": {"host": _STR, "fsnb": _STR, "target": _DICT},
    "result": {"!id": _STR, "!status": _STR, "section": _STR, "title_de": _STR, "title_en": _STR, "summary": _STR,
               "summary_en": _STR, "evidence": _LIST, "observed": _DICT, "duration": _NUM, "error_type": _STR,
               "target": _STR},
    "diagnosis": {"items": _LIST, "hypotheses": _LIST, "duration": _NUM, "exit": _NUM},
    "confirmation": {"who": _STR, "command": _STR, "how": _STR, "when": _STR},
    "action": {"command": _STR, "ok": _BOOL, "summary": _STR, "output": _STR, "log": _LIST, "before": _DICT,
               "after": _DICT, "confirmation": _DICT},
    "declined": {"command": _STR},
}
_ITEM = {"cause": _STR, "severity": _STR, "text_de": _STR, "text_en": _STR, "fix_de": _STR, "fix_en": _STR,
         "evidence": _LIST, "explains": _LIST, "evidence_en": _LIST}
_EVIDENCE = {"label": _STR, "text": _STR, "via": _STR, "label_en": _STR, "text_en": _STR}
_HYPOTHESIS = {"hypothesis": _STR, "verdict": _STR, "verdict_en": _STR, "reason_de": _STR, "reason_en": _STR,
               "hypothesis_en": _STR}


def _wrong(obj: dict, shape: dict) -> str | None:
    """The first field of `obj` that does not fit `shape` (a `!` marks a required one), or None."""
    for key, types in shape.items():
        need, key = key.startswith("!"), key.lstrip("!")
        if key not in obj or obj[key] is None:
            if need:
                return f"field {key!r} is missing"
            continue
        v = obj[key]
        if not isinstance(v, types) or (types is _NUM and isinstance(v, bool)):
            return f"field {key!r} is {type(v).__name__}, not {types[0].__name__}"
    return None


def shape_problem(rec: dict) -> str | None:
    """Why an fsnb record cannot be used as its type says (None: it can). Unknown types are left alone."""
    kind = rec.get("type")
    if not isinstance(kind, str):
        return "field 'type' is not a string"
    why = _wrong(rec, SHAPES["*"]) or (_wrong(rec, SHAPES[kind]) if kind in SHAPES else None)
    if why:
        return why
    from fsnb.result import Status
    if kind == "result":
        if rec["status"] not in {s.value for s in Status}:
            return f"status {rec['status'][:20]!r} is not one of {', '.join(s.value for s in Status)}"
        for e in rec.get("evidence") or []:
            if not isinstance(e, dict) or _wrong(e, _EVIDENCE):
                return "an evidence entry is not {label, text, via} strings"
    if kind == "diagnosis":
        for i in rec.get("items") or []:
            if not isinstance(i, dict) or _wrong(i, _ITEM) or not all(isinstance(x, str) for x in i.get("evidence") or []):
                return "a diagnosis item is not of the expected shape"
        for h in rec.get("hypotheses") or []:
            if not isinstance(h, dict) or _wrong(h, _HYPOTHESIS):
                return "a hypothesis entry is not of the expected shape"
    if kind == "action" and not all(isinstance(x, str) for x in rec.get("log") or []):
        return "field 'log' is not a list of strings"
    return None


def _open(path: Path):
    """The journal opened for reading: regular files only (a FIFO would block, a device never end)."""
    from fsnb.read import files
    fd = os.open(os.fspath(path), os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise files.NotRegular(0, f"is {files._kind(st.st_mode)}, not a journal file", str(path))
    return os.fdopen(fd, "rb")


def read(path: str | Path, limit: int = MAX_JOURNAL) -> Loaded:
    """Read a journal, streamed and bounded. What cannot be used is skipped with a note, never a traceback:
    a truncated last line (crash mid-write), a line that is not JSON, a foreign line (JSON, but not an fsnb
    record), a record of the wrong shape (see SHAPES), a line longer than MAX_LINE."""
    out = Loaded([])
    p = Path(path).expanduser().absolute()
    try:
        fh = _open(p)
    except OSError as exc:
        out.problems.append(f"{p}: {exc.strerror or exc}")
        return out
    with fh:
        n, total = 0, 0
        while True:
            line = fh.readline(MAX_LINE + 1)
            if not line:
                break
            n += 1
            total += len(line)
            if len(line) > MAX_LINE:
                out.problems.append(f"line {n}: longer than {MAX_LINE} bytes — skipped")
                while line and not line.endswith(b"\n"):       # the rest of that line, in bounded pieces
                    line = fh.readline(MAX_LINE)
                    total += len(line)
                continue
            if total > limit:
                out.problems.append(f"journal larger than {limit} bytes: only the first {limit} bytes were read")
                break
            if not line.strip():
                continue
            try:
                rec = json.loads(line.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                if not line.endswith(b"\n"):      # only the last line can lack its newline
                    out.problems.append(f"line {n}: truncated last line (crash mid-write?) — skipped")
                else:
                    out.problems.append(f"line {n}: unreadable, not JSON — skipped ({exc.__class__.__name__})")
                continue
            if not isinstance(rec, dict) or "type" not in rec:
                out.problems.append(f"line {n}: foreign line, not an fsnb journal record — skipped")
                continue
            why = shape_problem(rec)
            if why:
                kind = rec["type"] if isinstance(rec["type"], str) else "?"
                out.problems.append(f"line {n}: {kind[:40]} record of the wrong shape ({why}) — skipped")
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
