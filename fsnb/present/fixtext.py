"""The concrete fix of a finding for one target — the same steps and commands wherever fsnb shows it: the runbook's
summary and action card, `fsnb run`, the HTML and the Markdown report (fsnb.fix.steps writes them)."""
from __future__ import annotations

from types import SimpleNamespace

Step = tuple[str, "str | None"]


def _target(target):
    """A Target, or the target as a journal keeps it (Target.public(): a dict) — what fix_steps reads of it."""
    if not isinstance(target, dict):
        return target
    fs = target.get("freeswitch") if isinstance(target.get("freeswitch"), dict) else {}
    text = lambda v, default="": v if isinstance(v, str) else default
    return SimpleNamespace(freeswitch=SimpleNamespace(certs_dir=text(fs.get("certs_dir")), container=text(fs.get("container")),
                                                      profile=text(fs.get("profile"), "internal") or "internal"))


def steps(finding, target, by: dict, lang: str) -> list[Step]:
    """(what to do, the exact command or None), in order; the finding's own fix text when fsnb knows no more."""
    from fsnb.fix.steps import fix_steps
    if target is None:
        return [(finding.fix(lang), None)]
    try:
        return fix_steps(finding, _target(target), by or {}, lang)
    except (AttributeError, TypeError, KeyError):        # a foreign or damaged journal's target
        return [(finding.fix(lang), None)]


def terminal_lines(items: list[Step], indent: str = "     ") -> list[str]:
    """For `fsnb run`: the steps as '→ text' with the command on its own line ('$ cmd'); the caller escapes."""
    out = []
    for text, cmd in items:
        out.append(f"{indent}→ {text}")
        if cmd:
            out.append(f"{indent}  $ {cmd}")
    return out


def markdown_lines(items: list[Step], md, code, indent: str = "") -> list[str]:
    """For the Markdown report: a numbered list, each command as a code span after its step."""
    return [f"{indent}{i}. {md(text, line_start=True)}" + (f" {code(cmd)}" if cmd else "") for i, (text, cmd) in enumerate(items, 1)]
