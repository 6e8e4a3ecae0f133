"""Incident write-up from a journal: one self-contained HTML file (no external assets) or Markdown for a ticket.

The HTML comes from templates/report.html.j2 (Jinja2, autoescaped, StrictUndefined); the Markdown is built here,
every value through escape.md / escape.md_code. ReportData keeps the journal's records as read (dicts, as other
views read them); the renderers read them as typed records (fsnb.journal.parse).
Over 500 lines: one write-up in two formats (the Markdown built here, the HTML's context for its template) from the same ReportData, so both say the same.
"""
from __future__ import annotations

import datetime as _dt
import glob
import os
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from fsnb.diagnosis import rules
from fsnb.i18n import T, same
from fsnb.journal import (ActionRecord, ConfirmationRecord, DeclinedRecord, DiagnosisItem, DiagnosisRecord, MetaRecord,
                          NoteRecord, ResultRecord, parse, read)
from fsnb.present import chain_picture, fixtext, render
from fsnb.present import escape as esc
from fsnb.present.timeline import grouped_timeline
from fsnb.read import files
from fsnb.redact import Redactor
from fsnb.result import Result
from fsnb.schema import ShapeError
from fsnb.present import fixreport


@dataclass
class ReportData:
    title: str
    meta: dict
    runs: "OrderedDict[str, list[Result]]"
    diagnoses: dict
    actions: list[dict]
    confirmations: list[dict]
    timeline: list[tuple[str, T]]       # (when, what happened), one line per record (the reports group it by run)
    problems: list[str] = field(default_factory=list)
    fixes: list[dict] = field(default_factory=list)     # fix-* records (fsnb/present/fixreport.py)
    notes: list[dict] = field(default_factory=list)        # the operator's notes and manual fixes
    declined: list[dict] = field(default_factory=list)
    span: tuple[str, str] = ("", "")                       # the journal's first and last record (ISO, UTC)

    @property
    def last(self) -> list[Result]:
        return list(self.runs.values())[-1] if self.runs else []

    @property
    def first(self) -> list[Result]:
        return list(self.runs.values())[0] if self.runs else []


def _d(x) -> dict:
    """A nested journal value that should be a table: {} when it is not (a foreign or damaged journal)."""
    return x if isinstance(x, dict) else {}


def _secrets_from_meta(meta: dict) -> list[str]:
    """Defence in depth: where the journal names readable secret sources, redact their values too — only sources a
    target file may name (a journal is anyone's to write: `file:~/.ssh/id_rsa` or `env:HOME` in its meta made the
    report read that file or variable), and only values a target would accept."""
    from fsnb.target import _secret_value_problem, _source_problem
    out = []
    t = _d(meta.get("target"))
    for src in [_d(t.get("freeswitch")).get("esl_password", ""), _d(t.get("sip")).get("password", "")]:
        if not isinstance(src, str) or _source_problem(src):
            continue
        if src.startswith("file:"):
            try:
                out.append(files.read_text(Path(src[5:]).expanduser(), limit=64 * 1024).strip())
            except OSError:
                pass
        elif src.startswith("env:") and os.environ.get(src[4:]):
            out.append(os.environ[src[4:]])
    return [v for v in out if not _secret_value_problem(v)]


def load(path: str | Path, extra_secrets: list[str] | None = None) -> ReportData:
    j = read(path)
    metas = j.of("meta")
    meta = metas[0] if metas else {}
    red = Redactor(_secrets_from_meta(meta) + list(extra_secrets or []))
    runs: OrderedDict[str, list[Result]] = OrderedDict()
    diags, actions, confs, timeline, notes, declined = {}, [], [], [], [], []
    for raw in j.records:
        r = red.any(raw)
        try:
            rec = parse(r)
        except ShapeError as exc:      # journal.read checked the shape; defence in depth
            j.problems.append(f"{str(r.get('type'))[:40]} record unusable ({exc}) — skipped")
            continue
        ts = rec.ts
        if isinstance(rec, ResultRecord):
            runs.setdefault(rec.run or "?", []).append(rec.result())
        elif isinstance(rec, DiagnosisRecord):
            diags[rec.run or "?"] = r
            causes = ", ".join(i.cause or "?" for i in rec.items)
            timeline.append((ts, REPORT_WORDS["tl-diagnosis"].format(c=causes) if causes else REPORT_WORDS["tl-no-findings"]))
        elif isinstance(rec, ConfirmationRecord):
            confs.append(r)
            timeline.append((ts, REPORT_WORDS["tl-confirmed"].format(who=rec.who, cmd=rec.command, how=rec.how)))
        elif isinstance(rec, ActionRecord):
            actions.append(r)
            timeline.append((ts, REPORT_WORDS["tl-action"].format(
                cmd=rec.command, res=REPORT_WORDS["succeeded" if rec.ok else "failed"])))
        elif isinstance(rec, MetaRecord):
            timeline.append((ts, REPORT_WORDS["tl-journal"].format(host=rec.host or "?", v=rec.fsnb or "?")))
        elif isinstance(rec, DeclinedRecord):
            declined.append(r)
            timeline.append((ts, REPORT_WORDS["tl-declined"].format(cmd=rec.command)))
        elif isinstance(rec, NoteRecord):
            notes.append(r)
            timeline.append((ts, REPORT_WORDS["tl-manual-fix" if rec.kind == "manual-fix" else "tl-note"].format(
                who=rec.who or "?", text=rec.text)))
    for run_id, res in runs.items():
        counts = {}
        for x in res:
            counts[x.status.value] = counts.get(x.status.value, 0) + 1
        ts = min(x.ts for x in res)
        timeline.append((ts, REPORT_WORDS["tl-run"].format(
            id=run_id, counts=", ".join(f"{v} {k}" for k, v in sorted(counts.items())))))
    timeline.sort(key=lambda e: e[0])     # by time only: two entries of the same millisecond must not compare their T
    title = f"Incident {meta.get('incident') or Path(path).stem}: FreeSWITCH WSS (7443)"
    stamps = sorted(x for x in (r.get("ts") for r in j.records) if isinstance(x, str) and x)
    return ReportData(title, meta, runs, diags, actions, confs, timeline, j.problems,
                      fixes=[red.any(x) for x in j.records if str(x.get("type", "")).startswith("fix-")],
                      notes=notes, declined=declined, span=(stamps[0], stamps[-1]) if stamps else ("", ""))


def _utc(ts: str) -> str:
    """An ISO timestamp as 'YYYY-MM-DD HH:MM:SS UTC' (a write-up is read in other time zones)."""
    try:
        t = _dt.datetime.fromisoformat(ts)
    except (TypeError, ValueError):
        return str(ts or "—")
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.timezone.utc)
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass
class Summary:
    """The write-up's first line: the cause, whether it is resolved (and how), the incident's start and end."""
    state: str                  # "open" | "resolved" | "none"
    cause: str | None
    text: str                   # the cause in the reader's language
    steps: list                 # its concrete fix: (what to do, exact command or None)
    start: str                  # the journal's first record
    end: str                    # resolved: the first check run that found it gone; else ""
    last: str                   # the journal's last record
    action: str | None = None   # resolved by this confirmed, successful action
    manual: list = field(default_factory=list)     # … or by these manual fixes (their texts)


def _fails(items) -> list:
    return [i for i in items if getattr(i, "severity", "") == "fail"]


def summary(data: ReportData, lang: str = "de") -> Summary:
    targets = _targets(data)
    last = _latest(data, targets[0] if len(targets) == 1 else None) if targets else []
    fails = _fails(rules.diagnose(last))
    t = _d(data.meta.get("target"))
    start, end_of_journal = data.span if data.span[0] else (min((r.ts for r in last), default=""), "")
    if fails:
        lead = fails[0]
        return Summary("open", lead.cause, lead.text(lang), fixtext.steps(lead, t, {r.id: r for r in last}, lang),
                       start, "", end_of_journal)
    diags = sorted((d for d in map(_typed, data.diagnoses.values()) if isinstance(d, DiagnosisRecord)), key=lambda d: d.ts)
    bad = [d for d in diags if _fails(d.items)]
    if not bad:
        return Summary("none", None, "", [], start, "", end_of_journal)
    lead = _fails(bad[-1].items)[0]
    after = [d for d in diags if d.ts > bad[-1].ts and not _fails(d.items)]
    end = after[0].ts if after else end_of_journal
    fixed = [a for a in _actions(data) if a.ok and bad[-1].ts <= a.ts <= end]
    manual = [n.get("text", "") for n in data.notes if n.get("kind") == "manual-fix" and n.get("ts", "") <= end]
    return Summary("resolved", lead.cause, lead.text(lang),
                   fixtext.steps(lead, t, {r.id: r for r in _earliest(data).values()}, lang), start, end, end_of_journal,
                   fixed[-1].command if fixed else None, manual)


def _summary_md(data: ReportData, lang: str) -> list[str]:
    """The summary line (cause · state · start · end) and the concrete fix, in Markdown."""
    W, m, code = (lambda k: REPORT_WORDS[k](lang)), esc.md, esc.md_code
    s = summary(data, lang)
    if s.state == "none":
        state = W("s-none")
    elif s.state == "open":
        state = W("s-still-open").format(ts=_utc(s.last))
    else:
        how = ([W("s-by-action").format(cmd=code(s.action))] if s.action else []) + [
            W("s-by-hand").format(text=m(x)) for x in s.manual]
        state = W("s-resolved") + (" " + "; ".join(how) if how else "")
    line = (f"**{W('s-cause')}:** " + (f"{code(s.cause)} — {m(s.text)}" if s.cause else "—")
            + f" · **{W('s-state')}:** {state} · **{W('s-start')}:** {_utc(s.start)}"
            + (f" · **{W('s-end')}:** {_utc(s.end)}" if s.end else ""))
    out = [line, ""]
    if s.steps:
        out += [f"**{W('s-fix')}:**", ""] + fixtext.markdown_lines(s.steps, m, code) + [""]
    return out


def _actions(data: ReportData) -> list[ActionRecord]:
    return [a for a in map(_typed, data.actions) if isinstance(a, ActionRecord)]


def _typed(rec):
    """A record of ReportData as its type (None: not of a known shape; `load` keeps only records that are)."""
    try:
        return parse(rec)
    except ShapeError:
        return None


def _latest(data: ReportData, target: str | None = None) -> list[Result]:
    """The latest result of every check across runs (a section re-run replaces older results), per target."""
    latest: dict[tuple, Result] = {}
    for res in data.runs.values():
        for r in res:
            if target is None or r.target == target:
                latest[(r.target, r.id)] = r
    from fsnb.checks import order_key
    return sorted(latest.values(), key=lambda r: (r.target, order_key(r.id)))


def _targets(data: ReportData) -> list[str]:
    return sorted({r.target for res in data.runs.values() for r in res})


def _earliest(data: ReportData) -> dict[str, Result]:
    first: dict[str, Result] = {}
    for res in data.runs.values():
        for r in res:
            first.setdefault(r.id, r)
    return first


CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
CSS = """body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:24px auto;color:#263238}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #cfd8dc;padding-bottom:4px;margin-top:28px}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border:1px solid #e0e0e0;padding:4px 6px;text-align:left;vertical-align:top}
.s{display:inline-block;padding:1px 8px;border-radius:9px;color:#fff;font-weight:600;font-size:12px}
.s.fail{background:#c62828}.s.warn{background:#f9a825;color:#212121}.fsnb-muted{color:#607d8b}
""" + render.BADGE_CSS + """
pre{white-space:pre-wrap;background:#f7f9fa;padding:6px;font-size:12px;max-height:24em;overflow:auto}
.meta td:first-child{width:180px;font-weight:600}
.summary{border-left:4px solid #c62828;background:#fff5f5;padding:4px 12px;margin:8px 0}
.summary[data-state=resolved]{border-left-color:#2e7d32;background:#f1f8e9}
.summary[data-state=none]{border-left-color:#546e7a;background:#f5f7f8}"""

REPORT_WORDS = {   # the report's own words
    "tl-diagnosis": T("Diagnose: {c}", "Diagnosis: {c}"), "tl-no-findings": T("Diagnose: keine Befunde", "Diagnosis: no findings"),
    "tl-confirmed": T("Bestätigt von {who}: {cmd} ({how})", "Confirmed by {who}: {cmd} ({how})"),
    "tl-action": T("Aktion {cmd}: {res}", "Action {cmd}: {res}"),
    "tl-journal": T("Journal begonnen auf {host} (fsnb {v})", "Journal started on {host} (fsnb {v})"),
    "tl-declined": T("Aktion nicht bestätigt: {cmd}", "Action not confirmed: {cmd}"),
    "tl-run": T("Prüflauf {id}: {counts}", "Check run {id}: {counts}"),
    "succeeded": T("erfolgreich", "succeeded"), "failed": T("ohne Erfolg", "failed"), "ok": same("ok"),
    "nodes": T("Knoten", "Nodes"), "target": T("Ziel", "Target"), "first-cause": T("erste Ursache", "first cause"),
    "chain": T("Kette", "Chain"), "created": T("Erstellt", "Created"), "runs": T("Prüfläufe", "Check runs"),
    "esl-password": T("ESL-Passwort", "ESL password"), "cause": T("Ursache", "Cause"), "finding": T("Befund", "Finding"),
    "fix": T("Behebung", "Fix"), "evidence": T("Belege", "Evidence"), "time": T("Zeit", "Time"),
    "before": T("vorher", "before"), "after": T("nachher", "after"), "first": T("zuerst", "first"),
    "last": T("zuletzt", "last"), "first-vs-last": T("Erster vs. letzter Stand", "First vs. latest state"),
    "no-findings-works": T("Keine Befunde im letzten Stand: die Kette funktioniert.",
                           "No findings in the latest state: the chain works."),
    "no-findings": T("Keine Befunde im letzten Stand.", "No findings in the latest state."),
    "confirmed-by": T("bestätigt von {who} um {when} ({how})", "confirmed by {who} at {when} ({how})"),
    "result": T("Ergebnis", "Result"), "action-log": T("FreeSWITCH-Log während der Aktion", "FreeSWITCH's log during the action"),
    "output": T("Ausgabe", "Output"), "monitor": T("Beobachten; nichts zu tun.", "Monitor; nothing to do."),
    "ba-running": T("Profil läuft", "profile running"), "ba-from-here": T("7443 von hier", "7443 from here"),
    "ba-listening": T("7443 lauscht auf", "7443 listening on"), "no-journal": T("Kein Journal gefunden.", "No journal found."),
    "explains": T("erklärt", "explains"),
    "tl-note": T("Notiz von {who}: {text}", "Note by {who}: {text}"),
    "tl-manual-fix": T("Manuelle Behebung durch {who}: {text}", "Manual fix by {who}: {text}"),
    "report-created": T("Bericht erstellt", "Report created"),
    "s-cause": T("Ursache", "Cause"), "s-state": T("Stand", "State"), "s-start": T("Beginn", "Start"),
    "s-end": T("Ende", "End"), "s-fix": T("Behebung", "Fix"),
    "s-open": T("nicht behoben", "not resolved"), "s-resolved": T("behoben", "resolved"),
    "s-none": T("keine Ursache gefunden: die Kette funktioniert", "no cause found: the chain works"),
    "s-by-action": T("durch die Aktion {cmd}", "by the action {cmd}"),
    "s-by-hand": T("von Hand: {text}", "by hand: {text}"),
    "s-still-open": T("offen (zuletzt geprüft {ts})", "open (last checked {ts})"),
    "notes": T("Notizen", "Notes"), "note": T("Notiz", "Note"), "manual-fix": T("Manuelle Behebung", "Manual fix"),
}


def _md_head(lang: str, *keys: str) -> str:
    return " | ".join(REPORT_WORDS[k](lang) for k in keys)


LABEL = {"de": {"timeline": "Zeitleiste", "target": "Ziel", "results": "Ergebnisse", "diagnosis": "Diagnose",
                "actions": "Aktionen", "beforeafter": "Vorher / nachher", "chain": "Kette", "next": "Nächste Schritte",
                "hyp": "Vermutungen der Analyse", "none": "keine", "problems": "Hinweise zum Journal",
                "found": "Festgestellte Ursache (vor der Behebung)"},
         "en": {"timeline": "Timeline", "target": "Target", "results": "Results", "diagnosis": "Diagnosis",
                "actions": "Actions", "beforeafter": "Before / after", "chain": "Chain", "next": "Next steps",
                "hyp": "The analysis' hypotheses", "none": "none", "problems": "Journal notes",
                "found": "Cause found (before the fix)"}}


_ENV = None


def _template():
    """templates/report.html.j2 in an autoescaping environment whose finalize applies escape.html's rule to every
    value: text, with control characters made visible (autoescape then escapes the markup characters)."""
    global _ENV
    if _ENV is None:
        import jinja2
        _ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True,
                                  undefined=jinja2.StrictUndefined, finalize=_as_text, trim_blocks=True,
                                  lstrip_blocks=True, auto_reload=False)
        _ENV.filters["code"] = _code_spans
    return _ENV.get_template("report.html.j2")


def _code_spans(value):
    """`| code` in the template: the text escaped (escape.html), then fsnb's `backtick` spans as <code> — as the
    notebook shows them (a text's code must not show its backticks in the HTML report)."""
    import re

    from markupsafe import Markup
    if hasattr(value, "__html__"):
        return value
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", esc.html(value)))


def _as_text(value):
    if hasattr(value, "__html__"):          # fsnb's own HTML (Markup): the chain SVG, badges, evidence blocks
        return value
    return esc.controls(esc.text(value), "\n\t")


def _markup(s: str):
    """A fragment fsnb's renderers built (they escape what they embed): HTML, not text."""
    from markupsafe import Markup
    return Markup(s)


def html(data: ReportData, lang: str = "de") -> str:
    words = {k: v(lang) for k, v in REPORT_WORDS.items()}
    targets = _targets(data)
    last = _latest(data, targets[0] if len(targets) == 1 else None) if targets else []
    findings, verdicts = rules.diagnose(last), rules.hypotheses(last)
    t = _d(data.meta.get("target"))
    fs = _d(t.get("freeswitch"))
    fleet = []
    if len(targets) > 1:      # fsnb run --targets: one line per target, its chain and its first cause
        for name in targets:
            res = _latest(data, name)
            f = rules.diagnose(res)
            fleet.append({"target": name, "cause": f[0].cause if f else "—", "svg": _markup(chain_picture.svg(res, 640))})
    actions = []
    for a in _actions(data):
        c = a.confirmation
        actions.append({
            "command": a.command, "summary": a.summary, "output": a.output, "log": "\n".join(a.log),
            "confirmed": words["confirmed-by"].format(who=c and c.who, when=c and c.when, how=c and c.how),
            "state": "pass" if a.ok else "fail", "colour": render.COLOUR["pass" if a.ok else "fail"],
            "outcome": words["ok" if a.ok else "failed"],
            "before_after": [(k(lang), str(x), str(y)) for k, x, y in _before_after(a, lang)]})
    first = _earliest(data)
    changed = [(r.id, _markup(render.badge(first[r.id].status.value, lang)), _markup(render.badge(r.status.value, lang)))
               for r in last if len(targets) == 1 and r.id in first and first[r.id].status != r.status]
    return _template().render(
        lang=lang, title=data.title, csp=_markup(CSP), css=_markup(CSS), w=words, label=LABEL[lang],
        meta_rows=[(k, str(v)) for k, v in [
            (words["report-created"], _utc(_dt.datetime.now(_dt.timezone.utc).isoformat())),
            ("Host", data.meta.get("host", "?")), ("fsnb", data.meta.get("fsnb", "?")), (words["runs"], len(data.runs))]],
        problems=data.problems, fleet=fleet,
        chain_svg=_markup(chain_picture.svg(last, target=t, lang=lang)) if not fleet else "",
        timeline=[(ts, txt(lang)) for ts, txt in grouped_timeline(data, lang)],
        summary=_summary_html(data, lang),
        notes=[{"kind": words["manual-fix" if n.get("kind") == "manual-fix" else "note"], "who": n.get("who") or "?",
                "when": _utc(n.get("ts", "")), "text": n.get("text", "")} for n in data.notes],
        target_rows=[(k, str(v)) for k, v in [
            ("name", t.get("name")), ("container", fs.get("container")),
            ("FreeSWITCH", f"{fs.get('host')} ESL {fs.get('esl_port')} ws {fs.get('ws_port')} wss {fs.get('wss_port')}"),
            (words["esl-password"], fs.get("esl_password")), ("nginx", _d(t.get("nginx")).get("address")),
            ("tunnel", _d(t.get("tunnel")).get("public_url")), ("lab", t.get("lab") or "—")]],
        findings=[{"cause": f.cause, "severity": "warn" if f.severity == "warn" else "fail", "explains": ", ".join(f.explains),
                   "text": f.text(lang), "fix": f.fix(lang), "proof": f.proof(lang)} for f in findings],
        found=[{"cause": i.cause or "?", "text": i.text(lang), "fix": i.fix(lang), "proof": i.proof(lang)}
               for i in _found_before(data, findings)],
        verdicts=[{"claim": v.claim(lang), "word": v.word(lang), "reason": v.reason(lang)} for v in verdicts],
        actions=actions, changed=changed, fixes=fixreport.items(data.fixes, lang), fix_title=fixreport.WORDS["title"](lang),
        results=[{"badge": _markup(render.badge(r.status.value, lang)), "id": r.id, "title": r.title(lang),
                  "text": r.text(lang), "evidence": _markup(render.evidence(r.evidence, lang)), "ts": r.ts} for r in last],
        next_steps=[x for f in findings for x in fixtext.steps(f, t if len(targets) <= 1 else None,
                                                                 {r.id: r for r in last}, lang)])


def _summary_html(data: ReportData, lang: str) -> dict:
    """The summary for the template: the same facts and words as the Markdown's first line."""
    W = lambda k: REPORT_WORDS[k](lang)
    s = summary(data, lang)
    how = ([W("s-by-action").format(cmd=s.action)] if s.action else []) + [W("s-by-hand").format(text=x) for x in s.manual]
    state = (W("s-none") if s.state == "none" else W("s-still-open").format(ts=_utc(s.last)) if s.state == "open"
             else W("s-resolved") + (" " + "; ".join(how) if how else ""))
    return {"state": s.state, "cause": s.cause or "—", "text": s.text, "state_text": state, "start": _utc(s.start),
            "end": _utc(s.end) if s.end else "", "steps": s.steps}


def markdown(data: ReportData, lang: str = "de") -> str:
    """Markdown for a ticket. Every string from the journal goes through escape.md (no raw HTML, no `\\r`/`\\n`
    or `|` breaking a table, no link or image) or escape.md_code (an inline code span)."""
    L = LABEL[lang]
    targets = _targets(data)
    last = _latest(data, targets[0] if len(targets) == 1 else None) if targets else []
    findings, verdicts = rules.diagnose(last), rules.hypotheses(last)
    m, code = esc.md, esc.md_code
    de = lang == "de"
    t = _d(data.meta.get("target"))
    fs = _d(t.get("freeswitch"))
    out = [f"# {m(data.title)}", ""] + _summary_md(data, lang) + [
           f"- Host: {m(data.meta.get('host', '?'))} · fsnb {m(data.meta.get('fsnb', '?'))} · {REPORT_WORDS['runs'](lang)}: {len(data.runs)}",
           f"- {L['target']}: {m(t.get('name'))} — FreeSWITCH {m(fs.get('host'))} (ESL {m(fs.get('esl_port'))}, "
           f"wss {m(fs.get('wss_port'))}{', Container ' + m(fs['container']) if fs.get('container') else ''}), "
           f"nginx {m(_d(t.get('nginx')).get('address'))}", ""]
    if data.problems:
        out += [f"## {L['problems']}", ""] + [f"- {m(p, line_start=True)}" for p in data.problems] + [""]
    states = " → ".join(f"{m(label)} ({m(state or '—')})" for label, state in chain_picture.node_states(last, lang=lang, target=t))
    out += [f"## {L['chain']}", "", states, "", f"## {L['timeline']}", ""] + [
        f"- {code(ts)} {m(txt(lang))}" for ts, txt in grouped_timeline(data, lang)]
    out += [""]
    if data.notes:
        out += [f"## {REPORT_WORDS['notes'](lang)}", ""] + [
            f"- **{REPORT_WORDS['manual-fix' if n.get('kind') == 'manual-fix' else 'note'](lang)}** "
            f"({m(n.get('who') or '?')}, {_utc(n.get('ts', ''))}): {m(n.get('text', ''))}" for n in data.notes] + [""]
    out += [f"## {L['diagnosis']}", ""]
    if findings:
        out += [f"| # | {_md_head(lang, 'cause', 'finding', 'fix')} |", "|---|---|---|---|"] + [
            f"| {i} | {code(f.cause)} ({m(f.severity)}){_explains_md(f.explains, de, m)} | {m(f.text(lang))} "
            f"| {m(f.fix(lang))} |"
            for i, f in enumerate(findings, 1)]
    else:
        out.append(REPORT_WORDS["no-findings"](lang))
    found = _found_before(data, findings)
    if found:
        out += ["", f"### {L['found']}", ""] + [
            f"- {code(i.cause)} — {m(i.text(lang))} → {m(i.fix(lang))}" for i in found]
    out += ["", f"### {L['hyp']}", ""] + [f"- **{m(v.claim(lang))}**: {m(v.word(lang))} — {m(v.reason(lang))}" for v in verdicts]
    out += ["", f"## {L['actions']}", ""]
    actions = _actions(data)
    for a in actions:
        c = a.confirmation
        out += [f"- {code(a.command)} — "
                f"{m(REPORT_WORDS['confirmed-by'](lang).format(who=c and c.who, when=c and c.when, how=c and c.how))}; "
                f"{REPORT_WORDS['succeeded' if a.ok else 'failed'](lang)}: {m(a.summary)}",
                f"  - {REPORT_WORDS['output'](lang)}: {code(a.output.strip())}", "",
                f"  | {L['beforeafter']} | {_md_head(lang, 'before', 'after')} |", "  |---|---|---|"]
        out += [f"  | {m(k(lang))} | {m(x)} | {m(y)} |" for k, x, y in _before_after(a, lang)] + [""]
    if not actions:
        out.append(L["none"])
    out += fixreport.markdown(data.fixes, lang)
    if len(targets) > 1:
        out += ["", f"## {REPORT_WORDS['nodes'](lang)}", ""] + [
            f"- {m(t, line_start=True)}: {(lambda f: m(f[0].cause) if f else '—')(rules.diagnose(_latest(data, t)))}" for t in targets]
    out += ["", f"## {L['results']}", "", f"| Status | {REPORT_WORDS['target'](lang)} | Check | {REPORT_WORDS['finding'](lang)} |", "|---|---|---|---|"] + [
        f"| {m(r.status.value)} | {m(r.target)} | {code(r.id)} | {m(r.text(lang))} |" for r in last]
    by = {r.id: r for r in last}
    nxt = [x for f in findings for x in fixtext.steps(f, t if len(targets) <= 1 else None, by, lang)]
    out += ["", f"## {L['next']}", ""] + (fixtext.markdown_lines(nxt, m, code) or ["1. —"])
    return "\n".join(out) + "\n"


def _word(v, lang: str) -> str:
    """A recorded state value as a word, never a raw None/True/False/[]."""
    if v is None or v == []:
        return T("—", "—")(lang) if v is None else T("nirgends", "nowhere")(lang)
    if isinstance(v, bool):
        return T("ja", "yes")(lang) if v else T("nein", "no")(lang)
    if isinstance(v, list):
        return ", ".join(map(str, v))
    return {"open": T("erreichbar", "reachable"), "refused": T("abgelehnt", "refused")}.get(v, same(str(v)))(lang)


def _before_after(action: ActionRecord, lang: str = "de") -> list[tuple[T, object, object]]:
    """The state an action changed: (label, before, after), as words."""
    b, a = action.before, action.after
    return [(label, _word(b.get(key), lang), _word(a.get(key), lang)) for label, key in (
        (REPORT_WORDS["ba-running"], "profile_running"), (REPORT_WORDS["ba-from-here"], "wss_from_here"),
        (REPORT_WORDS["ba-listening"], "wss_listening_on"), (same("WSS-BIND-URL"), "wss_bind_url"))]


def _found_before(data: ReportData, latest_findings) -> list[DiagnosisItem]:
    """The first recorded diagnosis with findings, when the latest state no longer shows them (fixed since)."""
    now = {f.cause for f in latest_findings}
    for rec in map(_typed, data.diagnoses.values()):
        if isinstance(rec, DiagnosisRecord) and rec.items and {i.cause for i in rec.items} != now:
            return rec.items
    return []


def from_run(run) -> ReportData:
    runs = OrderedDict([(run.run_id or "run", run.results)])
    return ReportData(f"fsnb: {run.target.name}", {"target": run.target.public()}, runs, {}, [], [], [])


def run_markdown(run, lang: str = "de") -> str:
    return markdown(from_run(run), lang)


def latest_journal() -> str | None:
    files = sorted(glob.glob(str(Path.home() / ".local/state/fsnb/journals/*.jsonl")), key=os.path.getmtime)
    return files[-1] if files else None


def show(journal: str | None = None, lang: str = "de"):
    """Render the report inline in a notebook."""
    from IPython.display import HTML, display
    path = journal or latest_journal()
    if not path:
        display(HTML(f"<p>{REPORT_WORDS['no-journal'](lang)}</p>"))
        return None
    body = html(load(path), lang)
    display(HTML(body[body.index("<body>") + 6:body.index("</body>")].replace("<h1>", "<h2>").replace("</h1>", "</h2>")
                 + f"<style>{CSS.split('}', 1)[1]}</style>"))
    return None


def cli_note(args) -> int:
    """`fsnb note TEXT [--manual-fix] [--journal FILE]`: the operator's words into the journal (default: the newest)."""
    import sys
    from fsnb.journal import Journal, NoteRecord
    path = args.journal or latest_journal()
    if not path:
        print("fsnb note: no journal (pass --journal FILE)", file=sys.stderr)
        return 2
    from fsnb.present.cli_run import check_output_path
    check_output_path(path, "--journal")
    text = " ".join(args.text).strip()
    if not text:
        print("fsnb note: empty note", file=sys.stderr)
        return 2
    kind = "manual-fix" if args.manual_fix else "note"
    try:
        rec = Journal(path).note(text, kind)
    except ValueError as exc:
        print(f"fsnb note: {exc}", file=sys.stderr)
        return 2
    assert isinstance(_typed(rec), NoteRecord)
    print(esc.terminal(f"{path}: {kind} recorded ({rec['ts']})"))
    return 0


def cli_report(args) -> int:
    import sys
    if args.out:
        from fsnb.present.cli_run import check_output_path
        check_output_path(args.out, "--out")          # before reading: a typo must not cost the work
    data = load(args.journal)
    problems = [esc.terminal(p, multiline=False) for p in data.problems]
    if not data.runs and not data.actions:
        print(f"fsnb: {esc.terminal(args.journal)}: no results in this journal" + (f" ({'; '.join(problems[:5])})" if problems else ""),
              file=sys.stderr)
        return 2
    for p in problems:
        print(f"fsnb report: {p}", file=sys.stderr)
    text = html(data, args.lang) if args.format == "html" else markdown(data, args.lang)
    if args.out:
        from fsnb.present.output import write_private
        write_private(args.out, text)
        print(args.out)
    else:
        print(esc.terminal(text))
    return 0


def _explains_md(ids: list[str], de: bool, m) -> str:
    return f" — {'erklärt' if de else 'explains'}: {m(', '.join(ids))}" if ids else ""
