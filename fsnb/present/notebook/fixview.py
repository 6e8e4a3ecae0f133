"""The notebook's fix view (issue #20): the computed fix of the leading cause — the file, its hunks, what will be
reloaded — shown before anything changes; applied only after the operator types `ja`/`yes` and confirms; then the
re-run's verdict (verified, or rolled back and why). The computation is fsnb/fix/plan.py, applying fsnb/fix/apply.py.

The Runbook's action card adds `panel(self)` (one line); headless, `plan_html` is shown as it is.
"""
from __future__ import annotations

import re
import threading

from fsnb.i18n import T
from fsnb.present.escape import html as escape
from fsnb.present.notebook.views import code

WORDS = {
    "title": T("Berechnete Behebung", "Computed fix"),
    "file": T("Datei", "File"),
    "removed": T("wird beiseitegelegt (Sicherung bleibt)", "moved aside (the backup stays)"),
    "reload": T("Danach neu laden", "Then reload"),
    "you": T("Von Hand", "You must"),
    "not": T("fsnb wendet das nicht selbst an", "fsnb does not apply this itself"),
    "type": T("Zum Anwenden 'ja' tippen", "Type 'yes' to apply"),
    "apply": T("Anwenden und nachprüfen", "Apply and verify"),
    "running": T("wird angewendet, neu geladen und nachgeprüft …", "applying, reloading, verifying …"),
    "verified": T("Nachgeprüft", "Verified"),
    "rolled-back": T("Zurückgerollt", "Rolled back"),
    "failed": T("Zurückgerollt, aber nicht byte-gleich", "Rolled back, but not byte-identical"),
    "backup": T("Sicherung", "Backup"),
    "none": T("Keine Behebung nötig.", "No fix needed."),
}


def _diff_html(diff: str) -> str:
    rows = []
    for line in diff.splitlines():
        colour = ("#e6ffed" if line.startswith("+") and not line.startswith("+++") else
                  "#ffeef0" if line.startswith("-") and not line.startswith("---") else
                  "#f1f8ff" if line.startswith("@@") else "")
        rows.append(f"<span style='background:{colour}'>{escape(line)}</span>" if colour else escape(line))
    return "<pre class='fsnb-diff'>" + "\n".join(rows) + "</pre>"


def plan_html(p, lang: str = "de") -> str:
    """The plan as the notebook shows it, before anything changes."""
    L = lang
    if p is None:
        return f"<div class='fsnb-nb fsnb-fix' data-fix='none'>{WORDS['none'](L)}</div>"
    html = [f"<div class='fsnb-nb fsnb-fix' data-cause='{escape(p.cause)}' data-applicable='{str(p.applicable).lower()}'>"
            f"<h4>{WORDS['title'](L)}: {escape(p.cause)} ({escape(p.kind)})</h4><p>{code(p.summary(L))}</p>"]
    for e in p.edits:
        html.append(f"<p>{WORDS['file'](L)}: <code>{escape(e.path)}</code>"
                    + (f" — {WORDS['removed'](L)}" if e.after is None else "")
                    + (f" <span class='fsnb-muted'>{escape(e.why(L))}</span>" if e.why else "") + "</p>"
                    + _diff_html(e.diff))
    if p.reloads:
        html.append(f"<p>{WORDS['reload'](L)}:</p><ul>" + "".join(
            f"<li><code>{escape(r.command)}</code> <span class='fsnb-muted'>{escape(r.why(L))}</span></li>" for r in p.reloads)
            + "</ul>")
    if p.user_steps:
        html.append(f"<p>{WORDS['you'](L)}:</p><ul>" + "".join(f"<li><code>{escape(s(L))}</code></li>" for s in p.user_steps)
                    + "</ul>")
    if not p.applicable:
        html.append(f"<p class='fsnb-muted'>{WORDS['not'](L)}: {escape(p.why_not(L))}</p>")
    return "".join(html) + "</div>"


def outcome_html(out, lang: str = "de") -> str:
    """The re-run's verdict: verified, or rolled back (files restored byte-identical?) and what the re-run showed."""
    L = lang
    word = WORDS.get(out.verdict, WORDS["failed"])(L)
    # the message starts with the verdict's own English word (the CLI prints it so): not twice
    message = re.sub(r"^(verified|nachgeprüft):\s*", "", out.message or "")
    html = [f"<div class='fsnb-nb fsnb-fix-result' data-verdict='{escape(out.verdict)}'><b>{word}</b>: "
            f"{escape(message)}"]
    for a in out.applied:
        html.append(f"<br>{WORDS['backup'](L)}: <code>{escape(a.backup)}</code>")
    if out.outputs:
        html.append("<pre>" + escape("\n".join(out.outputs)) + "</pre>")
    return "".join(html) + "</div>"


def compute_for(session):
    """The plan for the session's leading finding (fail first, else a warning) once every check has a result."""
    from fsnb.fix import plan as fixplan
    snap = session.snapshot()
    if not snap.settled or not snap.findings:
        return None
    return fixplan.compute(snap.lead or snap.findings[0], snap, snap.target)


def panel(session):
    """The fix view as a widget under the Runbook's action card (headless: None — plan_html is enough there)."""
    if session.headless:
        return None
    import ipywidgets as w
    from fsnb.fix import apply as fixapply
    from fsnb.fix.actions import Confirmation
    view, out = w.HTML(), w.HTML()
    typed = w.Text(placeholder=WORDS["type"](session.lang), layout=w.Layout(width="12em"))
    go = w.Button(description=WORDS["apply"](session.lang), button_style="danger", disabled=True,
                  layout=w.Layout(width="auto"))
    go.add_class("fsnb-fix-apply")
    state = {"plan": None, "busy": False}

    def draw():
        if state["busy"]:
            return
        try:
            p = compute_for(session)
        except Exception as exc:        # shown, never a traceback
            view.value = f"<div class='fsnb-nb'>{escape(str(exc))}</div>"
            return
        before, state["plan"] = state["plan"], p
        if typed.value and before is not None and (p is None or p.command() != before.command()):
            # the plan changed under the typed 'yes' (a re-run, a file changed meanwhile): that 'yes' was for the
            # plan shown before — the new one must be read and confirmed anew (this draws again, with the same plan)
            typed.value = ""
        view.value = plan_html(p, session.lang) if p is not None else ""
        can = p is not None and p.applicable
        typed.layout.display = go.layout.display = None if can else "none"
        go.disabled = not can or typed.value.strip().lower() not in ("ja", "yes")

    def apply(_):
        p = state["plan"]
        if p is None or state["busy"] or typed.value.strip().lower() not in ("ja", "yes"):
            return
        state["busy"] = True
        go.disabled = True
        out.value = f"<div class='fsnb-nb'><i>{WORDS['running'](session.lang)}</i></div>"
        snap = session.snapshot()
        conf = Confirmation.make(p.command(), f"notebook: typed {typed.value.strip()!r}")

        def work():
            try:
                if session.journal:
                    session.journal.write(fixapply.plan_record(p))
                res = fixapply.apply(session.target, p, snap, conf, session.journal, session.lang)
                out.value = outcome_html(res, session.lang)
            except Exception as exc:
                text = getattr(exc, "text", None)       # a refusal says it in both languages (FixRefused)
                said = text(session.lang) if isinstance(text, T) else str(exc)
                out.value = f"<div class='fsnb-nb'><b>{escape(type(exc).__name__)}</b>: {escape(said)}</div>"
            state["busy"] = False
            typed.value = ""
            session.run_in_background(None)
        threading.Thread(target=work, daemon=True).start()

    typed.observe(lambda _: draw(), names="value")
    go.on_click(apply)
    session._on_change.append(draw)
    draw()
    return w.VBox([view, w.HBox([typed, go]), out])
