"""Incident write-up from a journal: one self-contained HTML file (no external assets) or Markdown for a ticket."""
from __future__ import annotations

import datetime as _dt
import glob
import os
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from . import chain, diagnosis, escape as esc, files
from .journal import read
from .redact import Redactor
from .result import Result


@dataclass
class ReportData:
    title: str
    meta: dict
    runs: "OrderedDict[str, list[Result]]"
    diagnoses: dict
    actions: list[dict]
    confirmations: list[dict]
    timeline: list[tuple[str, str]]
    problems: list[str] = field(default_factory=list)

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
    """Defence in depth: where the journal names readable secret sources, redact their values too."""
    out = []
    t = _d(meta.get("target"))
    for src in [_d(t.get("freeswitch")).get("esl_password", ""), _d(t.get("sip")).get("password", "")]:
        if isinstance(src, str) and src.startswith("file:"):
            try:
                out.append(files.read_text(Path(src[5:]).expanduser(), limit=64 * 1024).strip())
            except OSError:
                pass
        elif isinstance(src, str) and src.startswith("env:") and os.environ.get(src[4:]):
            out.append(os.environ[src[4:]])
    return out


def load(path: str | Path, extra_secrets: list[str] | None = None) -> ReportData:
    j = read(path)
    metas = j.of("meta")
    meta = metas[0] if metas else {}
    red = Redactor(_secrets_from_meta(meta) + list(extra_secrets or []))
    recs = [red.any(r) for r in j.records]
    runs: OrderedDict[str, list[Result]] = OrderedDict()
    diags, actions, confs, timeline = {}, [], [], []
    for r in recs:
        kind, ts = r.get("type"), r.get("ts", "")
        if kind == "result":
            try:
                res = Result.from_dict(r)
            except (TypeError, ValueError) as exc:     # journal.read checked the shape; defence in depth
                j.problems.append(f"result record {str(r.get('id'))[:40]!r} unusable ({type(exc).__name__}) — skipped")
                continue
            runs.setdefault(r.get("run", "?"), []).append(res)
        elif kind == "diagnosis":
            diags[r.get("run", "?")] = r
            timeline.append((ts, f"Diagnose: {', '.join(i.get('cause', '?') for i in r.get('items', [])) or 'keine Befunde'}"))
        elif kind == "confirmation":
            confs.append(r)
            timeline.append((ts, f"Bestätigt von {r.get('who')}: {r.get('command')} ({r.get('how')})"))
        elif kind == "action":
            actions.append(r)
            timeline.append((ts, f"Aktion {r.get('command')}: {'erfolgreich' if r.get('ok') else 'ohne Erfolg'}"))
        elif kind == "meta":
            timeline.append((ts, f"Journal begonnen auf {r.get('host')} (fsnb {r.get('fsnb')})"))
        elif kind == "declined":
            timeline.append((ts, f"Aktion nicht bestätigt: {r.get('command')}"))
    for run_id, res in runs.items():
        counts = {}
        for x in res:
            counts[x.status.value] = counts.get(x.status.value, 0) + 1
        ts = min(x.ts for x in res)
        timeline.append((ts, f"Prüflauf {run_id}: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))))
    timeline.sort()
    title = f"Incident {meta.get('incident') or Path(path).stem}: FreeSWITCH WSS (7443)"
    confs = [c for c in confs if isinstance(c, dict)]
    return ReportData(title, meta, runs, diags, actions, confs, timeline, j.problems)


def _latest(data: ReportData, target: str | None = None) -> list[Result]:
    """The latest result of every check across runs (a section re-run replaces older results), per target."""
    latest: dict[tuple, Result] = {}
    for res in data.runs.values():
        for r in res:
            if target is None or r.target == target:
                latest[(r.target, r.id)] = r
    from .checks import order_key
    return sorted(latest.values(), key=lambda r: (r.target, order_key(r.id)))


def _targets(data: ReportData) -> list[str]:
    return sorted({r.target for res in data.runs.values() for r in res})


def _fleet_html(data: ReportData, lang: str) -> str:
    """With several targets (fsnb run --targets): one line per target, its chain and its first cause."""
    rows = []
    for t in _targets(data):
        res = _latest(data, t)
        f = diagnosis.diagnose(res)
        rows.append(f"<tr><td>{esc.html(t)}</td><td>{esc.html(f[0].cause) if f else '—'}</td><td>{chain.svg(res, 640)}</td></tr>")
    return f"<h2>{'Knoten' if lang == 'de' else 'Nodes'}</h2><table><tr><th>Ziel</th><th>erste Ursache</th><th>Kette</th></tr>{''.join(rows)}</table>"


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
.pass{background:#2e7d32}.fail{background:#c62828}.warn{background:#f9a825}.skip{background:#9e9e9e}.error{background:#6a1b9a}
pre{white-space:pre-wrap;background:#f7f9fa;padding:6px;font-size:12px;max-height:24em;overflow:auto}
.meta td:first-child{width:180px;font-weight:600}"""

LABEL = {"de": {"timeline": "Zeitleiste", "target": "Ziel", "results": "Ergebnisse", "diagnosis": "Diagnose",
                "actions": "Aktionen", "beforeafter": "Vorher / nachher", "chain": "Kette", "next": "Nächste Schritte",
                "hyp": "Vermutungen der Analyse", "none": "keine", "problems": "Hinweise zum Journal",
                "found": "Festgestellte Ursache (vor der Behebung)"},
         "en": {"timeline": "Timeline", "target": "Target", "results": "Results", "diagnosis": "Diagnosis",
                "actions": "Actions", "beforeafter": "Before / after", "chain": "Chain", "next": "Next steps",
                "hyp": "The analysis' hypotheses", "none": "none", "problems": "Journal notes",
                "found": "Cause found (before the fix)"}}


def html(data: ReportData, lang: str = "de") -> str:
    L = LABEL[lang]
    targets = _targets(data)
    last = _latest(data, targets[0] if len(targets) == 1 else None) if targets else []
    findings, verdicts = diagnosis.diagnose(last), diagnosis.hypotheses(last)
    e = esc.html       # every string from the journal (the target's data) is text, never markup
    out = [f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
           f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
           f"<title>{e(data.title)}</title><style>{CSS}</style></head><body>", f"<h1>{e(data.title)}</h1>"]
    t = _d(data.meta.get("target"))
    fs = _d(t.get("freeswitch"))
    out.append("<table class='meta'>" + "".join(f"<tr><td>{e(k)}</td><td>{e(str(v))}</td></tr>" for k, v in [
        ("Erstellt" if lang == "de" else "Created", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")),
        ("Host", data.meta.get("host", "?")), ("fsnb", data.meta.get("fsnb", "?")),
        ("Prüfläufe" if lang == "de" else "Runs", len(data.runs))]) + "</table>")
    if data.problems:
        out.append(f"<h2>{L['problems']}</h2><ul>" + "".join(f"<li>{e(p)}</li>" for p in data.problems) + "</ul>")
    out.append(_fleet_html(data, lang) if len(targets) > 1 else f"<h2>{L['chain']}</h2>" + chain.svg(last))
    out.append(f"<h2>{L['timeline']}</h2><table>" + "".join(f"<tr><td>{e(ts)}</td><td>{e(txt)}</td></tr>" for ts, txt in data.timeline) + "</table>")
    out.append(f"<h2>{L['target']}</h2><table class='meta'>" + "".join(
        f"<tr><td>{e(k)}</td><td>{e(str(v))}</td></tr>" for k, v in [
            ("name", t.get("name")), ("container", fs.get("container")), ("FreeSWITCH", f"{fs.get('host')} ESL {fs.get('esl_port')} ws {fs.get('ws_port')} wss {fs.get('wss_port')}"),
            ("ESL-Passwort", fs.get("esl_password")), ("nginx", _d(t.get("nginx")).get("address")),
            ("tunnel", _d(t.get("tunnel")).get("public_url")), ("lab", t.get("lab") or "—")]) + "</table>")
    out.append(f"<h2>{L['diagnosis']}</h2>")
    if findings:
        out.append("<table><tr><th>#</th><th>Ursache</th><th>Befund</th><th>Behebung</th><th>Belege</th></tr>" + "".join(
            f"<tr><td>{i}</td><td><span class='s {'warn' if f.severity == 'warn' else 'fail'}'>{e(f.cause)}</span>"
            f"{_explains_html(f.explains, lang)}</td>"
            f"<td>{e(f.text_de if lang == 'de' else f.text_en)}</td><td>{e(f.fix_de if lang == 'de' else f.fix_en)}</td>"
            f"<td>{'<br>'.join(e(x) for x in f.evidence)}</td></tr>" for i, f in enumerate(findings, 1)) + "</table>")
    else:
        out.append(f"<p>{'Keine Befunde im letzten Stand: die Kette funktioniert.' if lang == 'de' else 'No findings in the latest state: the chain works.'}</p>")
    found = _found_before(data, findings)
    if found:
        out.append(f"<h3>{L['found']}</h3><table><tr><th>Ursache</th><th>Befund</th><th>Behebung</th><th>Belege</th></tr>" + "".join(
            f"<tr><td><span class='s fail'>{e(i.get('cause', '?'))}</span></td><td>{e(i.get('text_de' if lang == 'de' else 'text_en', ''))}</td>"
            f"<td>{e(i.get('fix_de' if lang == 'de' else 'fix_en', ''))}</td><td>{'<br>'.join(e(x) for x in i.get('evidence', []))}</td></tr>"
            for i in found) + "</table>")
    out.append(f"<h3>{L['hyp']}</h3><table>" + "".join(
        f"<tr><td>{e(v.hypothesis)}</td><td><b>{e(v.verdict if lang == 'de' else v.verdict_en)}</b></td>"
        f"<td>{e(v.reason_de if lang == 'de' else v.reason_en)}</td></tr>" for v in verdicts) + "</table>")
    out.append(f"<h2>{L['actions']}</h2>")
    if data.actions:
        for a in data.actions:
            c = _d(a.get("confirmation"))
            out.append(f"<p><b>{e(a.get('command', ''))}</b> — bestätigt von {e(str(c.get('who')))} um {e(str(c.get('when')))} "
                       f"({e(str(c.get('how')))}); Ergebnis: <span class='s {'pass' if a.get('ok') else 'fail'}'>"
                       f"{'ok' if a.get('ok') else 'fehlgeschlagen'}</span> — {e(a.get('summary', ''))}</p>"
                       f"<pre>{e(a.get('output', ''))}</pre>")
            if a.get("log"):
                out.append(f"<details><summary>FreeSWITCH-Log während der Aktion</summary><pre>{e(chr(10).join(a['log']))}</pre></details>")
            rows = _before_after(a)
            out.append(f"<h3>{L['beforeafter']}</h3><table class='beforeafter'><tr><th></th><th>vorher</th><th>nachher</th></tr>"
                       + "".join(f"<tr><td>{e(k)}</td><td>{e(str(x))}</td><td>{e(str(y))}</td></tr>" for k, x, y in rows) + "</table>")
    else:
        out.append(f"<p>{L['none']}</p>")
    first = _earliest(data)
    changed = [(r.id, first[r.id].status.value, r.status.value) for r in last
               if len(targets) == 1 and r.id in first and first[r.id].status != r.status]
    if changed:
        out.append("<h3>Erster vs. letzter Stand</h3><table><tr><th>Check</th><th>zuerst</th><th>zuletzt</th></tr>" + "".join(
            f"<tr><td>{e(i)}</td><td><span class='s {a}'>{a}</span></td><td><span class='s {b}'>{b}</span></td></tr>" for i, a, b in changed) + "</table>")
    out.append(f"<h2>{L['results']}</h2><table><tr><th>Status</th><th>Check</th><th>Befund</th><th>Zeit</th></tr>" + "".join(
        f"<tr><td><span class='s {r.status.value}'>{r.status.value}</span></td><td>{e(r.id)}<br><small>{e(r.title(lang))}</small></td>"
        f"<td>{e(r.text(lang))}<details><summary>Belege</summary>"
        + "".join(f"<b>{e(ev.label)}</b> <small>{e(ev.via)}</small><pre>{e(ev.text)}</pre>" for ev in r.evidence)
        + f"</details></td><td>{e(r.ts)}</td></tr>" for r in last) + "</table>")
    out.append(f"<h2>{L['next']}</h2><ol>" + ("".join(f"<li>{e(f.fix_de if lang == 'de' else f.fix_en)}</li>" for f in findings)
                                              or f"<li>{'Beobachten; nichts zu tun.' if lang == 'de' else 'Monitor; nothing to do.'}</li>") + "</ol>")
    out.append("</body></html>")
    return "".join(out)


def markdown(data: ReportData, lang: str = "de") -> str:
    """Markdown for a ticket. Every string from the journal goes through escape.md (no raw HTML, no `\\r`/`\\n`
    or `|` breaking a table, no link or image) or escape.md_code (an inline code span)."""
    L = LABEL[lang]
    targets = _targets(data)
    last = _latest(data, targets[0] if len(targets) == 1 else None) if targets else []
    findings, verdicts = diagnosis.diagnose(last), diagnosis.hypotheses(last)
    m, code = esc.md, esc.md_code
    de = lang == "de"
    t = _d(data.meta.get("target"))
    fs = _d(t.get("freeswitch"))
    out = [f"# {m(data.title)}", "",
           f"- Host: {m(data.meta.get('host', '?'))} · fsnb {m(data.meta.get('fsnb', '?'))} · Prüfläufe: {len(data.runs)}",
           f"- {L['target']}: {m(t.get('name'))} — FreeSWITCH {m(fs.get('host'))} (ESL {m(fs.get('esl_port'))}, "
           f"wss {m(fs.get('wss_port'))}{', Container ' + m(fs['container']) if fs.get('container') else ''}), "
           f"nginx {m(_d(t.get('nginx')).get('address'))}", ""]
    if data.problems:
        out += [f"## {L['problems']}", ""] + [f"- {m(p)}" for p in data.problems] + [""]
    states = " → ".join(f"{m(label)} ({m(state or '—')})" for label, state in chain.node_states(last))
    out += [f"## {L['chain']}", "", states, "", f"## {L['timeline']}", ""] + [f"- {code(ts)} {m(txt)}" for ts, txt in data.timeline] + [""]
    out += [f"## {L['diagnosis']}", ""]
    if findings:
        out += ["| # | Ursache | Befund | Behebung |", "|---|---|---|---|"] + [
            f"| {i} | {code(f.cause)} ({m(f.severity)}){_explains_md(f.explains, de, m)} | {m(f.text_de if de else f.text_en)} "
            f"| {m(f.fix_de if de else f.fix_en)} |"
            for i, f in enumerate(findings, 1)]
    else:
        out.append("Keine Befunde im letzten Stand." if de else "No findings in the latest state.")
    found = _found_before(data, findings)
    if found:
        out += ["", f"### {L['found']}", ""] + [
            f"- {code(i.get('cause'))} — {m(i.get('text_de' if de else 'text_en', ''))} → {m(i.get('fix_de' if de else 'fix_en', ''))}"
            for i in found]
    out += ["", f"### {L['hyp']}", ""] + [f"- **{m(v.hypothesis)}**: {m(v.verdict if de else v.verdict_en)} — "
                                           f"{m(v.reason_de if de else v.reason_en)}" for v in verdicts]
    out += ["", f"## {L['actions']}", ""]
    for a in data.actions:
        c = _d(a.get("confirmation"))
        out += [f"- {code(a.get('command'))} — bestätigt von {m(c.get('who'))} um {m(c.get('when'))} ({m(c.get('how'))}); "
                f"{'erfolgreich' if a.get('ok') else 'ohne Erfolg'}: {m(a.get('summary'))}",
                f"  - Ausgabe: {code((a.get('output') or '').strip())}", "", f"  | {L['beforeafter']} | vorher | nachher |", "  |---|---|---|"]
        out += [f"  | {m(k)} | {m(x)} | {m(y)} |" for k, x, y in _before_after(a)] + [""]
    if not data.actions:
        out.append(L["none"])
    if len(targets) > 1:
        out += ["", "## Knoten" if de else "## Nodes", ""] + [
            f"- {m(t)}: {(lambda f: m(f[0].cause) if f else '—')(diagnosis.diagnose(_latest(data, t)))}" for t in targets]
    out += ["", f"## {L['results']}", "", "| Status | Ziel | Check | Befund |", "|---|---|---|---|"] + [
        f"| {m(r.status.value)} | {m(r.target)} | {code(r.id)} | {m(r.text(lang))} |" for r in last]
    out += ["", f"## {L['next']}", ""] + ([f"1. {m(f.fix_de if de else f.fix_en)}" for f in findings] or ["1. —"])
    return "\n".join(out) + "\n"


def _before_after(action: dict) -> list[tuple[str, object, object]]:
    """The state an action changed: (label, before, after)."""
    b, a = _d(action.get("before")), _d(action.get("after"))
    return [(label, b.get(key), a.get(key)) for label, key in (
        ("Profil läuft", "profile_running"), ("7443 von hier", "wss_from_here"),
        ("7443 lauscht auf", "wss_listening_on"), ("WSS-BIND-URL", "wss_bind_url"))]


def _found_before(data: ReportData, latest_findings) -> list[dict]:
    """The first recorded diagnosis with findings, when the latest state no longer shows them (fixed since)."""
    now = {f.cause for f in latest_findings}
    for rec in data.diagnoses.values():
        items = [i for i in rec.get("items", []) if isinstance(i, dict)]
        if items and {i.get("cause") for i in items} != now:
            return items
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
        display(HTML("<p>Kein Journal gefunden.</p>"))
        return None
    body = html(load(path), lang)
    display(HTML(body[body.index("<body>") + 6:body.index("</body>")].replace("<h1>", "<h2>").replace("</h1>", "</h2>")
                 + f"<style>{CSS.split('}', 1)[1]}</style>"))
    return None


def cli_report(args) -> int:
    import sys
    if args.out:
        from .runner import check_output_path
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
        Path(args.out).expanduser().absolute().write_text(text, encoding="utf-8")
        print(args.out)
    else:
        print(esc.terminal(text))
    return 0


def _explains_html(ids: list[str], lang: str) -> str:
    """Which failed checks a finding accounts for (the diagnosis' `explains`)."""
    if not ids:
        return ""
    return f"<br><small>{'erklärt' if lang == 'de' else 'explains'}: {esc.html(', '.join(ids))}</small>"


def _explains_md(ids: list[str], de: bool, m) -> str:
    return f" — {'erklärt' if de else 'explains'}: {m(', '.join(ids))}" if ids else ""
