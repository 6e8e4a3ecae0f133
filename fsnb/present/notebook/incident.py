"""The incident write-up in a notebook: a journal's report (fsnb.present.report) with its CSS scoped to it, the
timeline grouped by run, the Markdown to copy or download, and which journal to open ('this session's')."""
from __future__ import annotations

import getpass
import os
import re
import time
from pathlib import Path

from fsnb.present.escape import html as escape
from fsnb.present.notebook.session import session_journal, state_dir
from fsnb.present.timeline import REPORT_TEXT, grouped_timeline  # noqa: F401  (the notebook's names for them)

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
