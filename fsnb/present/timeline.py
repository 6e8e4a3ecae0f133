"""The incident's timeline, grouped by run (one line per run of checks, not per click; a diagnosis only when its
causes change), with the operator's notes and manual fixes — the one timeline of the HTML report, the Markdown of
`fsnb report` and the incident-report notebook (fsnb.present.report)."""
from __future__ import annotations

import datetime as _dt

from fsnb.i18n import T
from fsnb.present import chain_picture, render
from fsnb.present.headings import SECTIONS
from fsnb.result import Result

STATUS = render.WORD


_IDS: frozenset[str] = frozenset()


def all_ids() -> frozenset[str]:
    """Every check's id (the registry, read once; without loading the notebook's widgets)."""
    global _IDS
    if not _IDS:
        from fsnb.checks import all_checks
        _IDS = frozenset(c.id for c in all_checks())
    return _IDS


def local_time(ts: str):
    try:
        return _dt.datetime.fromisoformat(ts).astimezone()
    except (TypeError, ValueError):
        return None


REPORT_TEXT = dict(
    pick=T("Journal", "Journal"), none=T("Kein Journal gefunden.", "No journal found."),
    this=T("diese Sitzung", "this session"), other=T("von {u}", "by {u}"),
    md=T("Markdown für das Ticket", "Markdown for the ticket"), download=T("Markdown herunterladen", "Download Markdown"),
    copy=T("Zum Kopieren: ins Feld klicken, alles markieren, kopieren.", "To copy: click into the box, select all, copy."),
    started=T("Journal begonnen auf {h} (fsnb {v})", "Journal started on {h} (fsnb {v})"),
    run=T("Prüflauf ({what}): {counts}", "Check run ({what}): {counts}"),
    runs=T("{n} Prüfläufe ({what}): Stand danach {counts}", "{n} check runs ({what}): state after them {counts}"),
    all=T("alle Prüfungen", "all checks"), diag=T("Diagnose: {c}", "Diagnosis: {c}"),
    no_findings=T("Diagnose: keine Befunde", "Diagnosis: no findings"),
    confirmed=T("Bestätigt von {who}: {cmd} ({how})", "Confirmed by {who}: {cmd} ({how})"),
    action=T("Aktion {cmd}: {ok}", "Action {cmd}: {ok}"), ok=T("erfolgreich", "succeeded"), bad=T("ohne Erfolg", "failed"),
    declined=T("Aktion nicht bestätigt: {cmd}", "Action not confirmed: {cmd}"),
    note=T("Notiz von {who}: {text}", "Note by {who}: {text}"),
    manual_fix=T("Manuelle Behebung durch {who}: {text}", "Manual fix by {who}: {text}"),
)


class _Line(str):
    """A timeline text already in the reader's language (also callable like a T)."""

    def __call__(self, lang: str = "de") -> str:
        return str(self)


def _counts(results: list[Result], lang: str) -> str:
    c: dict[str, int] = {}
    for r in results:
        c[r.status.value] = c.get(r.status.value, 0) + 1
    return ", ".join(f"{n} {STATUS[s](lang)}" for s, n in sorted(c.items(), key=lambda x: -chain_picture.RANK[x[0]]))


def grouped_timeline(data, lang: str = "de") -> list[tuple[str, str]]:
    """The report's timeline by run, not per click: consecutive check runs with no action between them are one
    line (with the state after them); a diagnosis only when its causes change."""
    events: list[tuple[str, str, object]] = []
    if data.meta:
        events.append((data.meta.get("ts", ""), "meta", data.meta))
    for res in data.runs.values():
        if res:
            events.append((min(r.ts for r in res), "run", res))
    for rec in data.diagnoses.values():
        events.append((rec.get("ts", ""), "diag", rec))
    for c in data.confirmations:
        events.append((c.get("ts", ""), "conf", c))
    for a in data.actions:
        events.append((a.get("ts", ""), "action", a))
    for d in getattr(data, "declined", []):
        events.append((d.get("ts", ""), "declined", d))
    for n in getattr(data, "notes", []):
        events.append((n.get("ts", ""), "note", n))
    events.sort(key=lambda e: e[0])
    out: list[tuple[str, str]] = []
    latest: dict[str, Result] = {}
    group: list = []
    last_diag = None

    def flush():
        if not group:
            return
        sections = []
        for res in group:
            secs = sorted({r.section for r in res}, key=lambda x: list(SECTIONS).index(x) if x in SECTIONS else 99)
            what = REPORT_TEXT["all"](lang) if {r.id for r in res} >= all_ids() else ", ".join(
                SECTIONS[x](lang).split(":")[0].split(" —")[0] for x in secs if x in SECTIONS)
            sections.append(what)
        what = ", ".join(dict.fromkeys(sections))
        counts = _counts(list(latest.values()), lang)
        text = (REPORT_TEXT["run"] if len(group) == 1 else REPORT_TEXT["runs"]).format(n=str(len(group)), what=what, counts=counts)(lang)
        out.append((group_ts[0], _Line(text)))
        group.clear()

    group_ts: list[str] = []
    for ts, kind, obj in events:
        if kind == "run":
            if not group:
                group_ts[:] = [ts]
            group.append(obj)
            for r in obj:
                latest[r.id] = r
            continue
        if kind == "diag":
            causes = [i.get("cause", "?") for i in obj.get("items", []) if isinstance(i, dict)]
            if causes == last_diag:
                continue
            flush()
            last_diag = causes
            out.append((ts, _Line(REPORT_TEXT["diag"].format(c=", ".join(causes))(lang) if causes else REPORT_TEXT["no_findings"](lang))))
            continue
        flush()
        if kind == "meta":
            out.append((ts, _Line(REPORT_TEXT["started"].format(h=str(obj.get("host", "?")), v=str(obj.get("fsnb", "?")))(lang))))
        elif kind == "conf":
            out.append((ts, _Line(REPORT_TEXT["confirmed"].format(who=str(obj.get("who")), cmd=str(obj.get("command")),
                                                        how=str(obj.get("how")))(lang))))
        elif kind == "action":
            out.append((ts, _Line(REPORT_TEXT["action"].format(cmd=str(obj.get("command")),
                                                     ok=(REPORT_TEXT["ok"] if obj.get("ok") else REPORT_TEXT["bad"])(lang))(lang))))
        elif kind == "declined":
            out.append((ts, _Line(REPORT_TEXT["declined"].format(cmd=str(obj.get("command")))(lang))))
        elif kind == "note":
            key = "manual_fix" if obj.get("kind") == "manual-fix" else "note"
            out.append((ts, _Line(REPORT_TEXT[key].format(who=str(obj.get("who") or "?"), text=str(obj.get("text")))(lang))))
    flush()
    return [(_when(ts), text) for ts, text in out]


def _when(ts: str) -> str:
    """An ISO timestamp as local date and time (to the second)."""
    t = local_time(ts) if ts else None
    return t.strftime("%Y-%m-%d %H:%M:%S") if t else ts
