"""The incident write-up in a notebook: a journal's report (fsnb.present.report) with its CSS scoped to it, the
timeline grouped by run, the Markdown to copy or download, and which journal to open ('this session's')."""
from __future__ import annotations

import getpass
import os
import re
import time
from pathlib import Path

from fsnb.i18n import T
from fsnb.present import chain_picture
from fsnb.present.escape import html as escape
from fsnb.present.notebook.session import session_journal, state_dir
from fsnb.present.notebook.table import local_time
from fsnb.present.notebook.texts import SECTIONS, STATUS, all_ids
from fsnb.result import Result

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
    for ts, text in data.timeline:       # lines of kinds this view does not rebuild (e.g. a declined action)
        s = text(lang) if callable(text) else str(text)
        if s.startswith(("Aktion nicht bestätigt", "Action not confirmed")):
            events.append((ts, "other", s))
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
        else:
            out.append((ts, _Line(str(obj))))
    flush()
    return [(_when(ts), text) for ts, text in out]


def _when(ts: str) -> str:
    """An ISO timestamp as local date and time (to the second)."""
    t = local_time(ts) if ts else None
    return t.strftime("%Y-%m-%d %H:%M:%S") if t else ts


def scope_css(css: str, scope: str) -> str:
    """Every rule of `css` limited to elements inside `scope` (the report's h1/h2/table rules must not restyle the
    notebook around it); `body` becomes the scope itself."""
    out = []
    for rule in css.replace("\n", "").split("}"):
        if "{" not in rule:
            continue
        sel, body = rule.split("{", 1)
        scoped = ",".join(scope if s.strip() == "body" else f"{scope} {s.strip()}" for s in sel.split(",") if s.strip())
        out.append(f"{scoped}{{{body}}}")
    return "\n".join(out)


def journals(lang: str = "de") -> list[tuple[str, str]]:
    """(label, path) of the journals here, newest first; the label says whose and which target, not more."""
    import pwd
    d = state_dir() / "journals"
    mine = session_journal()
    rows = []
    for p in d.glob("*.jsonl") if d.is_dir() else []:
        try:
            st = p.stat()
            owner = pwd.getpwuid(st.st_uid).pw_name
        except (OSError, KeyError):
            continue
        label = f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(st.st_mtime))} — {p.stem}"
        label += f" ({REPORT_TEXT['this'](lang)})" if str(p) == mine else ""
        rows.append((st.st_mtime, label, str(p), owner))
    rows.sort(reverse=True)
    return [(lab + ("" if owner == getpass.getuser() else f" [{owner}]"), path) for _, lab, path, owner in rows]


def default_journal() -> str | None:
    """This session's journal; else the newest of this user's (never someone else's)."""
    mine = session_journal()
    if mine:
        return mine
    uid = os.getuid()
    d = state_dir() / "journals"
    own = [p for p in (d.glob("*.jsonl") if d.is_dir() else []) if p.stat().st_uid == uid]
    return str(max(own, key=lambda p: p.stat().st_mtime)) if own else None


class ReportView:
    """The incident report of one journal: its own CSS scoped to it, the timeline by run, the Markdown to copy."""

    def __init__(self, path: str, lang: str = "de"):
        from fsnb.present import report
        self.path, self.lang = path, lang
        self.data = report.load(path)
        self.data.timeline = grouped_timeline(self.data, lang)
        self._report = report

    def markdown(self) -> str:
        return self._report.markdown(self.data, self.lang)

    def _repr_html_(self) -> str:
        import base64
        body = self._report.html(self.data, self.lang)
        body = body[body.index("<body>") + 6:body.index("</body>")].replace("<h1>", "<h2>").replace("</h1>", "</h2>")
        md = self.markdown()
        href = "data:text/markdown;charset=utf-8;base64," + base64.b64encode(md.encode()).decode()
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(self.path).stem) + ".md"
        L = self.lang
        return (f"<style>{scope_css(self._report.CSS, '.fsnb-report')}</style>"
                f"<div class='fsnb-report' data-journal='{escape(self.path)}'>{body}"
                f"<h2>{REPORT_TEXT['md'](L)}</h2><p><a class='fsnb-md-download' download='{escape(name)}' href='{href}' "
                f"style='display:inline-block;padding:3px 12px;border-radius:4px;background:#1976d2;color:#fff;"
                f"text-decoration:none;font-weight:600'>⬇ "
                f"{REPORT_TEXT['download'](L)}</a> · <span class='fsnb-muted'>{REPORT_TEXT['copy'](L)}</span></p>"
                f"<textarea class='fsnb-md' readonly rows='14' style='width:100%;font-family:monospace;font-size:12px'>"
                f"{escape(md)}</textarea></div>")
