"""How fsnb draws things, once: status words and colours, badges, evidence blocks and result tables — for the
notebook (live and exported), the HTML report, the chain picture and the terminal. Every string that is not
fsnb's own passes fsnb.present.escape here.
"""
from __future__ import annotations

from fsnb.i18n import T
from fsnb.present.escape import html as escape
from fsnb.present.escape import terminal

STATUSES = ("pass", "warn", "fail", "error", "skip")
COLOUR = {"pass": "#2e7d32", "warn": "#f9a825", "fail": "#c62828", "error": "#6a1b9a", "skip": "#78909c"}
INK = {"warn": "#212121"}                       # text on a badge of that colour (white otherwise)
UNKNOWN_COLOUR, UNKNOWN_INK = "#eceff1", "#37474f"
RANK = {"error": 4, "fail": 3, "warn": 2, "pass": 1, "skip": 0}
WORD = {"pass": T("OK", "OK"), "fail": T("FEHLER", "FAIL"), "warn": T("WARNUNG", "WARN"),
        "skip": T("ÜBERSPRUNGEN", "SKIPPED"), "error": T("ABBRUCH", "ERROR")}
ICON = {"pass": "OK  ", "fail": "FAIL", "warn": "WARN", "skip": "SKIP", "error": "ERR "}   # the terminal's column


def ink(status: str | None) -> str:
    return UNKNOWN_INK if status is None else INK.get(status, "#ffffff")


def badge(status: str | None, lang: str = "de") -> str:
    """One status word on its colour (HTML)."""
    if status is None:
        return f'<span class="fsnb-badge" style="background:{UNKNOWN_COLOUR};color:{UNKNOWN_INK}">—</span>'
    return (f'<span class="fsnb-badge fsnb-status-{status}" style="background:{COLOUR[status]};color:{ink(status)}">'
            f'{WORD[status](lang)}</span>')


BADGE_CSS = ".fsnb-badge{display:inline-block;padding:2px 10px;border-radius:10px;font-weight:600;font-size:12px;" \
            "white-space:nowrap}"


def evidence(items, lang: str = "de") -> str:
    """Evidence blocks (label, how it was obtained, what was seen verbatim) as HTML."""
    parts = [f"<b>{escape(e.title(lang))}</b> <small class='fsnb-muted'>{escape(e.via)}</small>"
             f"<pre>{escape(e.body(lang))}</pre>" for e in items]
    return "".join(parts) or "<em>—</em>"


def result_row(r, lang: str = "de", title: str | None = None) -> str:
    """One check's result as a table row: status, title, finding, time (HTML)."""
    return (f"<tr data-check='{escape(r.id)}' data-status='{r.status.value}' title='{escape(r.id)}'>"
            f"<td class='fsnb-st'>{badge(r.status.value, lang)}</td><td>{escape(title or r.title(lang))}</td>"
            f"<td>{escape(r.text(lang))}</td><td class='fsnb-num'>{round(r.duration * 1000)} ms</td></tr>")


HEAD = {"status": T("Status", "Status"), "check": T("Prüfung", "Check"), "finding": T("Befund", "Finding"),
        "time": T("Zeit", "Time")}


def results_table(results, lang: str = "de", title=None) -> str:
    """Results as one HTML table (`title(result)` names a check; default: its own title)."""
    if not results:
        return "<em class='fsnb-muted'>—</em>"
    head = "".join(f"<th>{HEAD[k](lang)}</th>" for k in ("status", "check", "finding", "time"))
    rows = "".join(result_row(r, lang, title(r) if title else None) for r in results)
    return f"<table class='fsnb-table'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def finding(f, lang: str = "de") -> str:
    """A diagnosis finding as an HTML block: cause, severity, text, fix, what it explains, its evidence."""
    explains = (f"<div class='fsnb-muted'>{T('erklärt', 'explains')(lang)}: {escape(', '.join(f.explains))}</div>"
                if f.explains else "")
    return (f"<div class='fsnb-finding' data-cause='{escape(f.cause)}' data-severity='{escape(f.severity)}'>"
            f"<h5>{badge('fail' if f.severity == 'fail' else 'warn', lang)} <code>{escape(f.cause)}</code></h5>"
            f"<div>{escape(f.text(lang))}</div><div><b>{T('Behebung', 'Fix')(lang)}:</b> {escape(f.fix(lang))}</div>"
            f"{explains}</div>")


def line(r, lang: str = "de") -> str:
    """One check's result as a terminal line (control characters made visible)."""
    return f"[{ICON[r.status.value]}] {terminal(r.id, multiline=False):<22} {terminal(r.text(lang), multiline=False)}"
