"""The incident journal: JSON lines, one record per result/action, flushed and fsync'd, redacted before writing."""
from __future__ import annotations

import datetime as _dt
import json
import os
import socket
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path

from fsnb import __version__
from fsnb.redact import Redactor
from fsnb.result import Evidence, Result, Status
from fsnb.schema import ShapeError, absent, from_json, to_json

SCHEMA = 1


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


# -- the record types: one dataclass per `type`, written and read by fsnb.schema's to_json / from_json ------------
# The JSON of each is its fields in declaration order (the journal's format: keep the order, add fields at the end
# or as optional ones). Reading is lenient where older fsnb versions wrote less: a missing field takes its default.

@dataclass(kw_only=True)
class Record:
    """What every journal line has (Journal.write fills schema, ts, incident); `type` names the record type."""
    schema: int | float = SCHEMA
    ts: str = ""
    incident: str = ""
    type: str = ""
    run: str | None = None          # the check run a result or diagnosis belongs to


@dataclass(kw_only=True)
class MetaRecord(Record):
    type: str = "meta"
    fsnb: str = ""
    host: str = ""
    target: dict = field(default_factory=dict)


@dataclass(kw_only=True)
class ResultRecord(Record):
    """A check's Result in run `run` (its fields, in Result's order; its `ts` is the envelope's)."""
    type: str = "result"
    id: str
    section: str = ""
    title_de: str = field(default="", metadata=absent(lambda got: got["id"]))
    title_en: str = field(default="", metadata=absent(lambda got: got["id"]))
    status: Status
    summary: str = ""
    summary_en: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    observed: dict = field(default_factory=dict)
    duration: float = 0.0
    error_type: str = ""
    target: str = ""

    @classmethod
    def of(cls, r: Result, run: str) -> "ResultRecord":
        return cls(run=run, **{k: getattr(r, k) for k in _RESULT_FIELDS})

    def result(self) -> Result:
        return Result(**{k: getattr(self, k) for k in _RESULT_FIELDS if k != "ts"}, ts=self.ts or now())


_RESULT_FIELDS = tuple(Result.__dataclass_fields__)


@dataclass
class DiagnosisItem:
    """A finding as the journal keeps it (fsnb.diagnosis.rules.Finding's fields, in its order)."""
    cause: str = ""
    severity: str = ""
    score: int | float | None = None
    text_de: str = ""
    text_en: str = ""
    fix_de: str = ""
    fix_en: str = ""
    evidence: list[str] = field(default_factory=list)
    explains: list[str] = field(default_factory=list)
    evidence_en: list[str] = field(default_factory=list)

    def text(self, lang: str = "de") -> str:
        return self.text_en if lang == "en" else self.text_de

    def fix(self, lang: str = "de") -> str:
        return self.fix_en if lang == "en" else self.fix_de

    def proof(self, lang: str = "de") -> list[str]:
        return self.evidence_en if lang == "en" and self.evidence_en else self.evidence


@dataclass
class HypothesisItem:
    """A verdict on one of the analysis' hypotheses (fsnb.diagnosis.rules.Verdict's fields, in its order)."""
    hypothesis: str = ""
    verdict: str = ""
    verdict_en: str = ""
    reason_de: str = ""
    reason_en: str = ""
    hypothesis_en: str = ""


@dataclass(kw_only=True)
class DiagnosisRecord(Record):
    type: str = "diagnosis"
    scope: str | None = None            # "session": the notebook's diagnosis of all results so far
    duration: int | float | None = None
    exit: int | float | None = None
    items: list[DiagnosisItem] = field(default_factory=list)
    hypotheses: list[HypothesisItem] = field(default_factory=list)


@dataclass
class Confirmed:
    """Who confirmed which command, when and how ("interactive" | "--yes" | "notebook" | ...)."""
    who: str = ""
    when: str = ""
    command: str = ""
    how: str = ""


@dataclass(kw_only=True)
class ConfirmationRecord(Confirmed, Record):
    type: str = "confirmation"


@dataclass(kw_only=True)
class ActionRecord(Record):
    """What a confirmed action did (fsnb.fix.actions.ActionResult's fields, in its order) and its confirmation."""
    type: str = "action"
    command: str = ""
    output: str = ""
    ok: bool = False
    summary: str = ""
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    attempts: list[str] = field(default_factory=list)
    log_at: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    confirmation: Confirmed | None = None


@dataclass(kw_only=True)
class DeclinedRecord(Record):
    type: str = "declined"
    command: str = ""


@dataclass
class FixEditItem:
    """One file edit of a fix (fsnb.fix.plan.FileEdit, without the new text: the diff says it)."""
    path: str = ""
    before_sha256: str = ""
    removed: bool = False            # moved aside (to its backup) instead of rewritten
    diff: str = ""
    backup: str = ""                 # where the original was kept (set once applied)
    after_sha256: str = ""


@dataclass(kw_only=True)
class FixPlanRecord(Record):
    """A computed fix, as shown before anything changed (fsnb fix, the notebook's fix view). Its texts in English
    (`user_steps`, `why_not`, as every version wrote them) and in German (`*_de`, empty in older journals)."""
    type: str = "fix-plan"
    cause: str = ""
    kind: str = ""
    command: str = ""                # what a confirmation is for: `fsnb fix <cause> [<digest of edits+reloads>]`
    edits: list[FixEditItem] = field(default_factory=list)
    reloads: list[str] = field(default_factory=list)
    user_steps: list[str] = field(default_factory=list)
    applicable: bool = False
    why_not: str = ""
    why_not_de: str = ""
    user_steps_de: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class FixAppliedRecord(Record):
    """What a confirmed fix changed: the files (with their backups) and the reloads' answers."""
    type: str = "fix-applied"
    cause: str = ""
    command: str = ""
    edits: list[FixEditItem] = field(default_factory=list)
    reloads: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    confirmation: Confirmed | None = None


@dataclass(kw_only=True)
class FixVerificationRecord(Record):
    """The re-run after a fix: verified, or rolled back (files restored byte-identical, reloaded) and why."""
    type: str = "fix-verification"
    cause: str = ""
    verdict: str = ""                # verified | rolled-back | failed
    cause_gone: bool = False
    new_failures: list[str] = field(default_factory=list)
    before: dict = field(default_factory=dict)          # check id → status before the fix
    after: dict = field(default_factory=dict)           # ... after it
    findings_after: list[str] = field(default_factory=list)
    exit_after: int | None = None
    rollback: list[str] = field(default_factory=list)   # the files restored
    restored_identical: bool | None = None
    after_rollback: dict = field(default_factory=dict)
    message: str = ""
    explained_after: dict = field(default_factory=dict)  # the re-run of the checks the cause explains, first


NOTE_KINDS = ("note", "manual-fix")
MAX_NOTE = 64 * 1024


@dataclass(kw_only=True)
class NoteRecord(Record):
    """The operator's own words (`fsnb note`, the runbook's note box): an observation ("note"), or a fix done by
    hand outside fsnb ("manual-fix": what was changed, so the write-up does not credit an action with it)."""
    type: str = "note"
    kind: str = "note"
    text: str = ""
    who: str = ""

    def __post_init__(self):
        if self.kind not in NOTE_KINDS:
            raise ShapeError(f"field 'kind': {self.kind[:20]!r} is not one of {', '.join(NOTE_KINDS)}")


@dataclass(kw_only=True)
class TrainingCommandRecord(Record):
    """A command the trainee ran from the training notebook (its output is not kept)."""
    type: str = "training-command"
    command: str = ""


@dataclass(kw_only=True)
class TrainingGuessRecord(Record):
    """The trainee's answer: the cause picked and the evidence named."""
    type: str = "training-guess"
    scenario: str = ""
    guess: str = ""
    reasoning: str = ""


@dataclass(kw_only=True)
class TrainingFixRecord(Record):
    """A graded fix of a training case, by the trainee or by fsnb (the fallback)."""
    type: str = "training-fix"
    by: str = ""                     # trainee | fsnb
    scenario: str = ""
    fixed: bool = False
    remaining: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


RECORDS: dict[str, type[Record]] = {c.__dataclass_fields__["type"].default: c for c in (
    MetaRecord, ResultRecord, DiagnosisRecord, ConfirmationRecord, ActionRecord, DeclinedRecord, NoteRecord,
    FixPlanRecord, FixAppliedRecord, FixVerificationRecord, TrainingCommandRecord, TrainingGuessRecord, TrainingFixRecord)}


def parse(rec: dict) -> Record:
    """The typed record of a journal line (a type fsnb does not know: its envelope only). ShapeError: why not."""
    if not isinstance(rec, dict):
        raise ShapeError(f"the record is {type(rec).__name__}, not an object")
    kind = rec.get("type")
    if not isinstance(kind, str):
        raise ShapeError("field 'type' is not a string")
    return from_json(RECORDS.get(kind, Record), rec)


def shape_problem(rec: dict) -> str | None:
    """Why an fsnb record cannot be used as its type says (None: it can). Unknown types: only the envelope."""
    try:
        parse(rec)
    except ShapeError as exc:
        return str(exc)
    return None


class Journal:
    def __init__(self, path: str | Path, redactor: Redactor | None = None, incident: str | None = None):
        self.path = Path(path).expanduser().absolute()
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.redactor = redactor or Redactor()
        self.incident = incident or self.path.stem

    def write(self, record: Record | dict) -> dict:
        """Append one record (a typed Record; a dict for record types of other layers), redacted, fsync'd."""
        if isinstance(record, Record):
            rec = to_json(record)
            rec.update(schema=SCHEMA, ts=record.ts or now(), incident=self.incident)
        else:
            rec = {"schema": SCHEMA, "ts": now(), "incident": self.incident, **record}
        rec = self.redactor.any(rec)
        line = json.dumps(rec, ensure_ascii=False, default=str)
        # never through a link: a symlink planted where the journal goes must not make fsnb append elsewhere
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
                     0o600)
        try:
            os.write(fd, (line + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        return rec

    def meta(self, target) -> dict:
        return self.write(MetaRecord(fsnb=__version__, host=socket.gethostname(), target=target.public()))

    def result(self, r: Result, run_id: str) -> dict:
        return self.write(ResultRecord.of(r, run_id))

    def note(self, text: str, kind: str = "note", who: str | None = None) -> dict:
        """An operator's note or manual fix (kind "note" | "manual-fix"), with who wrote it. ValueError when longer
        than MAX_NOTE: a pasted log of megabytes would make every report carry it (and past MAX_LINE the record
        could no longer be read at all)."""
        if len(text) > MAX_NOTE:
            raise ValueError(f"a note holds at most {MAX_NOTE} characters, this one {len(text)}: shorten it (a log "
                             "belongs in a file the note names)")
        if who is None:
            import getpass
            try:
                who = getpass.getuser()
            except (KeyError, OSError):
                who = str(os.getuid())
        return self.write(NoteRecord(kind=kind, text=text, who=who))

    def run(self, run, run_id: str) -> dict:
        return self.write(DiagnosisRecord(run=run_id, duration=round(run.duration, 3), exit=run.exit_code,
                                          items=[from_json(DiagnosisItem, asdict(f)) for f in run.findings],
                                          hypotheses=[from_json(HypothesisItem, asdict(v)) for v in run.verdicts]))


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
    record), a record of the wrong shape (see RECORDS), a line longer than MAX_LINE."""
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
