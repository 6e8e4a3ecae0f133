"""The runbook's views: pure functions from a session Snapshot (or results) to HTML strings — one HTML for the live
notebook, the headless run and the export. Every string from the target passes fsnb.present.escape; status words,
badges and evidence come from fsnb.present.render.
"""
from __future__ import annotations

import re

from fsnb.diagnosis.rules import VERDICT, Judgement
from fsnb.i18n import T
from fsnb.present import chain_picture, render
from fsnb.present.escape import html as escape
from fsnb.present.notebook.session import Snapshot
from fsnb.present.notebook.texts import (
    CSS,
    HYPOTHESES_EN,
    OUTCOME_WORDS,
    SECTIONS,
    STATUS,
    UNKNOWN_VERDICT_COLOUR,
    RUNBOOK_TEXT,
    VERDICT_COLOUR,
    all_ids,
    check_title,
    known_check,
    text,
)
from fsnb.result import Result

RUNBOOK_FIXED = RUNBOOK_TEXT["fixed"]


# -- small helpers ----------------------------------------------------------------------------------------------
def pick(obj, name: str, lang: str) -> str:
    """A bilingual field of a fsnb object: a T, or `name_de`/`name_en` (also `summary`/`summary_en`)."""
    v = getattr(obj, name, None)
    if isinstance(v, T):
        return v(lang)
    if callable(v):                 # an accessor: text(lang), fix(lang), reason(lang)
        try:
            out = v(lang)
        except TypeError:
            out = None
        if isinstance(out, str):
            return out
    v = getattr(obj, f"{name}_{lang}", None)
    if isinstance(v, T):
        return v(lang)
    if v:
        return v
    v = getattr(obj, f"{name}_de", None) or getattr(obj, name, None)
    return v(lang) if isinstance(v, T) else (v or "")


def code(s: str) -> str:
    """Escaped text with `backtick` spans as <code> (the text is escaped first, so no markup can come through)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(s))


def decode(s: str, lang: str) -> str:
    """Outcome codes quoted in a text, as words: '(http-status)' → '(HTTP-Fehlerstatus statt 101)'."""
    words = OUTCOME_WORDS
    s = re.sub(r"\(([a-z-]+|None)\)", lambda m: f"({words[m.group(1)](lang)})" if m.group(1) in words else m.group(0), s)
    s = re.sub(r"\b(beobachtet|observed): ([a-z-]+)\b",
               lambda m: f"{m.group(1)}: {words[m.group(2)](lang)}" if m.group(2) in words else m.group(0), s)
    return re.sub(r"(: )None\b", lambda m: m.group(1) + words["None"](lang), s)


def human(v, lang: str) -> str:
    """A state value as a word: no raw None/True/False/[] in front of an operator."""
    if v is None:
        return text("unknown", lang)
    if v is True:
        return text("yes", lang)
    if v is False:
        return text("no", lang)
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v)) if v else text("nowhere", lang)
    key = {"open": "reachable", "closed": "unreachable", "refused": "unreachable", "timeout": "no_answer"}.get(v)
    return text(key, lang) if key else str(v)


def badge(status: str | None, lang: str = "de") -> str:
    return render.badge(status, lang)


def worst(results: list[Result]) -> str | None:
    return max((r.status.value for r in results), key=chain_picture.RANK.get) if results else None


def evidence_line(line: str, lang: str, by: dict | None = None) -> str:
    """'check-id: text' → '<title>: text' (the check's own summary in the reader's language when it is that)."""
    cid, sep, rest = line.partition(": ")
    r = (by or {}).get(cid)
    if sep and r is not None and rest in (r.summary, getattr(r, "summary_en", "")):
        rest = r.text(lang)
    if sep and known_check(cid):
        return f"<b>{escape(check_title(cid, lang))}</b>: {escape(rest)}"
    return escape(line)


def error_html(message: str, lang: str) -> str:
    """What every cell shows when the session has no target."""
    return (f'{CSS}<div class="fsnb-nb fsnb-card fsnb-error"><b>{text("no_target", lang)}:</b> '
            f"{escape(message)}</div>")


# -- results ----------------------------------------------------------------------------------------------------
class ResultsView:
    """The result table of one step: one status word per check, text left-aligned."""

    def __init__(self, results: list[Result], lang: str = "de"):
        self.results, self.lang = results, lang

    def _repr_html_(self) -> str:
        L = self.lang
        if not self.results:
            return "<div class='fsnb-nb'><em class='fsnb-muted'>—</em></div>"
        rows = "".join(render.result_row(r, L, check_title(r.id, L)) for r in self.results)
        return (f"<div class='fsnb-nb'><table class='fsnb-table'><thead><tr><th>{text('col_status', L)}</th>"
                f"<th>{text('col_check', L)}</th><th>{text('col_finding', L)}</th><th>{text('col_time', L)}</th></tr>"
                f"</thead><tbody>{rows}</tbody></table></div>")


def styled_html(results: list[Result], lang: str = "de") -> str:
    """A step's result table as HTML (every cell escaped)."""
    return ResultsView(results, lang)._repr_html_()


def evidence_html(r: Result, lang: str = "de") -> str:
    return "<div class='fsnb-nb'>" + render.evidence(r.evidence, lang) + "</div>"


def evidence_title(r: Result, lang: str) -> str:
    """A check's line in the evidence accordion: title — status word."""
    return f"{check_title(r.id, lang)} — {STATUS[r.status.value](lang)}"


def step_html(snap: Snapshot, section: str) -> str:
    """A step's card, static: title, badge, result table, evidence."""
    L, res = snap.lang, snap.section(section)
    return (f'{CSS}<div class="fsnb-nb fsnb-card" data-section="{escape(section)}"><h4>{escape(SECTIONS[section](L))} '
            f'{badge(worst(res), L)}</h4>' + ResultsView(res, L)._repr_html_()
            + "".join(f"<details><summary>{escape(check_title(r.id, L))}</summary>{evidence_html(r, L)}"
                      "</details>" for r in res) + "</div>")


def header_html(snap: Snapshot) -> str:
    t, L = snap.target, snap.lang
    fs = t.freeswitch
    info = (f"<b>{text('target', L)}</b>: {escape(snap.display_name or t.name)} — FreeSWITCH {escape(fs.host)} "
            f"(ESL {fs.esl_port}, ws {fs.ws_port}, wss {fs.wss_port}"
            + (f", Container {escape(fs.container)}" if fs.container else "")
            + f"), nginx {escape(t.nginx.address)}, {text('public', L)} {escape(t.tunnel.public_url)}"
            + (f" <i>({text('standin', L)})</i>" if t.tunnel.standin else "")
            + f"<br><b>{text('journal', L)}</b>: <code>{escape(snap.journal)}</code>")
    if t.lab and snap.simulated:
        info += f"<br><i class='fsnb-muted'>{text('lab', L)}</i>"
    return f"{CSS}<div class='fsnb-nb'>{info}</div>"


def chain_html(snap: Snapshot) -> str:
    """The chain picture, coloured by the results so far; the break point only once settled."""
    settled = snap.settled
    svg = chain_picture.svg(snap.results, 900, target=snap.target, lang=snap.lang, mark=settled)
    return f"<div class='fsnb-nb fsnb-chain-box' data-settled='{str(settled).lower()}'>{svg}</div>"


# -- conclusions ------------------------------------------------------------------------------------------------
class DiagnosisView:
    """Findings (most likely first: cause → evidence → fix → what it explains) and the verdicts on the analysis'
    hypotheses. Drawn only from complete results (the session makes sure)."""

    def __init__(self, findings, verdicts, lang: str = "de", target=None, results: list | None = None):
        self.findings, self.verdicts, self.lang, self.target = findings, verdicts, lang, target
        self.by = {r.id: r for r in results or []}

    def first_cause(self) -> str | None:
        lead = next((f for f in self.findings if f.severity == "fail"), None) or (self.findings[0] if self.findings else None)
        return lead.cause if lead else None

    def finding_html(self, f, i: int, lead: bool) -> str:
        L = self.lang
        sev = "fail" if f.severity == "fail" else "warn"
        head = text("lead" if lead else "also", L) if sev == "fail" else text("sev_warn", L)
        proof = f.proof(L) if callable(getattr(f, "proof", None)) else f.evidence
        ev = "".join(f"<li>{evidence_line(x, L, self.by)}</li>" for x in proof[:6])
        expl = ", ".join(escape(check_title(c, L)) for c in f.explains)
        return (f"<div class='fsnb-finding{' fsnb-lead' if lead else ''}' data-cause='{escape(f.cause)}' "
                f"data-severity='{sev}' title='{escape(f.cause)}'>"
                f"<h5>{i}. {escape(head)}: {code(pick(f, 'text', L))}</h5>"
                f"<div><b>{text('fix', L)}:</b> {code(pick(f, 'fix', L))}</div>"
                + (f"<div><b>{text('evidence', L)}:</b><ul>{ev}</ul></div>" if ev else "")
                + (f"<div class='fsnb-muted'>{text('explains', L)}: {expl}</div>" if expl else "") + "</div>")

    def verdicts_html(self) -> str:
        L = self.lang
        rows = []
        for v in self.verdicts:
            key = getattr(v, "verdict", "")
            judged = Judgement.parse(key)
            if judged is None:
                key = key.de if isinstance(key, T) else key
                word, colour = T(key, pick(v, "verdict", "en") or key), UNKNOWN_VERDICT_COLOUR
            else:
                word, colour = VERDICT[judged], VERDICT_COLOUR[judged]
            if callable(getattr(v, "claim", None)):
                hyp = v.claim(L)
            else:
                hyp = v.hypothesis
                if L == "en":
                    hyp = next((en for k, en in HYPOTHESES_EN.items() if hyp.startswith(k)), hyp)
            rows.append(f"<tr><td>{escape(hyp)}</td><td class='fsnb-st'><span class='fsnb-badge' style='background:{colour}'>"
                        f"{escape(word(L))}</span></td><td>{code(decode(pick(v, 'reason', L), L))}</td></tr>")
        return (f"<h4>{text('hyps', L)}</h4><table class='fsnb-table fsnb-hypotheses'><thead><tr><th>{text('hyp', L)}</th>"
                f"<th>{text('verdict', L)}</th><th>{text('reason', L)}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")

    def _repr_html_(self) -> str:
        L = self.lang
        fails = [f for f in self.findings if f.severity == "fail"]
        warns = [f for f in self.findings if f.severity != "fail"]
        if self.findings:
            body = "".join(self.finding_html(f, i, i == 1 and bool(fails)) for i, f in enumerate(fails + warns, 1))
        else:
            body = f"<p>{text('no_findings', L)}</p>"
        first = self.first_cause()
        return (f"{CSS}<div class='fsnb-nb fsnb-diagnosis' data-state='complete' data-first-cause='{escape(first or '')}'>"
                f"<h4>{text('diagnosis', L)}</h4>{body}{self.verdicts_html()}</div>")


class WaitingView:
    def __init__(self, text: str):
        self.text = text

    def _repr_html_(self) -> str:
        return f"{CSS}<div class='fsnb-nb fsnb-diagnosis' data-state='waiting'><p class='fsnb-wait'>{escape(self.text)}</p></div>"


def diagnosis_view(snap: Snapshot):
    """The diagnosis of settled results; else what it waits for (running checks, or checks not run yet)."""
    L = snap.lang
    if not snap.settled:
        if snap.busy:
            return WaitingView(text("waiting", L, n=max(snap.expected - snap.got, 1)))
        return WaitingView(text("incomplete", L, have=len(set(snap.by) & all_ids()), all=len(all_ids())))
    return DiagnosisView(snap.findings, snap.verdicts, L, snap.target, snap.results)


# -- the action: the fix of the leading cause -------------------------------------------------------------------
def steps_html(steps) -> str:
    """The concrete fix (fsnb.present.fixtext.steps) as a numbered list, each exact command below its step."""
    return "<ol class='fsnb-steps'>" + "".join(
        f"<li>{code(t)}" + (f"<br><code class='fsnb-step-cmd'>{escape(cmd)}</code>" if cmd else "") + "</li>"
        for t, cmd in steps) + "</ol>"


def fixed_html(fixed, lang: str) -> str:
    """After a confirmed, successful action: what it resolved (instead of 'no cause found')."""
    finding, command = fixed
    return (f"<div class='fsnb-nb fsnb-action-plan' data-plan='fixed' data-cause='{escape(finding.cause)}'>"
            f"{badge('pass', lang)} "
            + code(RUNBOOK_FIXED.format(cause=pick(finding, 'text', lang), cmd=f"`{command}`")(lang)) + "</div>")


def summary_html(snap: Snapshot, plan, fixed=None) -> str:
    """The cause first: what the runbook found, once every check is in — the leading cause and its concrete fix
    (the same steps as `fsnb run` and the reports), the command fsnb offers for it; or that nothing fails."""
    from fsnb.present import fixtext
    L = snap.lang
    n = len(all_ids())
    if not snap.settled:
        msg = (text("sum_wait", L, got=min(snap.got, snap.expected) if snap.busy else len(set(snap.by) & all_ids()),
                    n=snap.expected or n) if snap.busy or snap.results else text("sum_not_run", L))
        return f"{CSS}<div class='fsnb-nb fsnb-summary' data-state='waiting'><p class='fsnb-wait'>{escape(msg)}</p></div>"
    lead = snap.lead
    if lead is None:
        if fixed is not None:
            return CSS + fixed_html(fixed, L).replace("fsnb-action-plan", "fsnb-summary", 1).replace(
                "data-plan='fixed'", "data-state='fixed'", 1)
        warns = [f.cause for f in snap.findings]
        body = text("sum_warn", L, causes=", ".join(warns)) if warns else text("no_findings", L)
        return (f"{CSS}<div class='fsnb-nb fsnb-summary' data-state='ok'>{badge('pass', L)} <b>{escape(body)}</b>"
                "</div>")
    steps = fixtext.steps(lead, snap.target, snap.by, L)
    offer = (f"<p>{text('sum_offer', L)} <code class='fsnb-summary-cmd'>{escape(plan.command)}</code></p>"
             if plan is not None else "")
    return (f"{CSS}<div class='fsnb-nb fsnb-summary' data-state='cause' data-cause='{escape(lead.cause)}'>"
            f"{badge('fail', L)} <b>{text('lead', L)}:</b> {code(pick(lead, 'text', L))} "
            f"<span class='fsnb-muted'>({escape(lead.cause)})</span>"
            f"<div class='fsnb-summary-fix'><b>{text('fix', L)}:</b>{steps_html(steps)}</div>{offer}</div>")


def action_html(snap: Snapshot, plan, fixed=None) -> str:
    """What to do about the leading cause (the steps of its fix), and the profile start/restart `plan` when it helps
    (the session's snap.plan()). `fixed`: (finding, command) of a confirmed action that succeeded in this session."""
    from fsnb.present import fixtext
    L = snap.lang
    if not snap.settled:
        return f"<div class='fsnb-nb'><p class='fsnb-wait'>{text('action_wait', L)}</p></div>"
    lead = snap.lead
    if lead is None:
        if fixed is not None:
            return fixed_html(fixed, L)
        return f"<div class='fsnb-nb fsnb-action-plan' data-plan='none'>{text('nothing_to_do', L)}</div>"
    steps = fixtext.steps(lead, snap.target, snap.by, L) if plan is None else []
    html = (f"<div class='fsnb-nb fsnb-action-plan' data-plan='{'command' if plan else 'steps'}' "
            f"data-cause='{escape(lead.cause)}'><b>{text('lead', L)}:</b> {code(pick(lead, 'text', L))}")
    if plan is None:
        html += (f"<h4>{text('fix', L)}</h4>{steps_html(steps)}"
                 f"<p class='fsnb-no-start fsnb-muted'>{text('no_start', L)}</p>")
    else:
        html += f"<br>{code(plan.reason_en if L == 'en' else plan.reason_de)}"
    return html + "</div>"


def command_html(plan, lang: str, headless: bool = False) -> str:
    """The exact command before it runs (live: with the note on confirmation; headless: marked as such)."""
    html = f"<div class='fsnb-nb'>{text('command', lang)}: <code class='fsnb-command'>{escape(plan.command)}</code>"
    if headless:
        return html + " (headless)</div>"
    return html + f"<br><span class='fsnb-muted'>{text('confirm_note', lang)}</span></div>"


def _log_rank(line: str) -> int:
    return 0 if re.search(r"\[(ERR|CRIT|ALERT)\]", line) else 1 if "[WARNING]" in line else 2


def action_result_html(plan, res, port: str, lang: str) -> str:
    """The action's outcome: the deciding log lines first, the state before and after, everything else folded."""
    L = lang
    at = list(getattr(res, "log_at", None) or [])
    lines = [(line, at[i] if i < len(at) else None) for i, line in enumerate(res.log)]
    rank = _log_rank
    if res.ok:     # what decides a success: the listeners coming up (warnings about other things are noise)
        deciding = [x for x in lines if rank(x[0]) == 0 or re.search(r"wss|Adding|Starting|started|tport", x[0])][:6]
    else:          # what decides a failure: errors first, then warnings, each with its time after the command
        deciding = sorted([x for x in lines if rank(x[0]) < 2], key=lambda x: (rank(x[0]), x[1] or 0))
    fmt = lambda l, at: (f"<div class='{'fsnb-log-err' if rank(l) == 0 else 'fsnb-log-warn' if rank(l) == 1 else ''}'>"
                         + (f"<span class='fsnb-muted'>+{at:.1f} s</span> " if at is not None else "")
                         + f"{escape(l)}</div>")
    dec = ("".join(fmt(l, at) for l, at in deciding[:12]) if deciding else f"<i>{text('no_log', L)}</i>")
    st = [(text("st_wss", L, port=port), "wss_from_here"), (text("st_listen", L, port=port), "wss_listening_on"),
          (text("st_profile", L), "profile_running"), (text("st_bind", L), "wss_bind_url")]
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{escape(human(res.before.get(f), L))}</td>"
                   f"<td>{escape(human(res.after.get(f), L))}</td></tr>" for k, f in st)
    summary = text("action_ok", L, port=port) if res.ok else text("action_bad", L, port=port)
    elapsed = getattr(res, "elapsed", 0.0) or 0.0
    return (f"{CSS}<div class='fsnb-nb fsnb-action-result' data-ok='{str(res.ok).lower()}'>"
            f"{badge('pass' if res.ok else 'fail', L)} <b>{escape(summary)}</b> "
            f"<span class='fsnb-muted'>(<code>{escape(plan.command)}</code>, {text('after', L, s=elapsed)})</span>"
            + ("" if res.ok and not deciding else f"<h4>{text('deciding', L)}</h4><div class='fsnb-deciding'>{dec}</div>")
            + f"<table class='fsnb-table'><thead><tr><th></th><th>{text('before', L)}</th><th>{text('after_', L)}</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
            f"<details><summary>{text('all_lines', L, n=len(lines))}</summary>"
            f"<pre>{escape(chr(10).join(res.log))}</pre></details>"
            f"<details><summary>{text('reply', L)}</summary><pre>{escape(res.output)}</pre></details></div>")
