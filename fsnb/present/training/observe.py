"""What a trainee sees of a check before the reveal: its observations — the evidence (socket table, config lines, log
lines, handshake bytes) and the observed values — without its verdict (status word, summary). And where the deciding
evidence of a case is: which check, which evidence block, which line (for the hints and the solution).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from fsnb.diagnosis.catalogue import CAUSES
from fsnb.i18n import T
from fsnb.present import render
from fsnb.present.escape import html as escape
from fsnb.present.notebook.texts import SECTIONS, check_title
from fsnb.result import Result

# where the deciding evidence of a cause is: (check, regex of the line; None: the check's first evidence block)
GENERIC = r"\[ERR\]|\[CRIT\]|refused|502|403"

# words a reasoning that found the deciding evidence would use (lower case, de and en)


@dataclass
class Pointer:
    """Where to look: a check, one of its evidence blocks (label), one line of it (None: the block as a whole)."""
    check: str
    label: str
    line: str | None

    @property
    def section(self) -> str:
        return self.check.split(".")[0]


def pointers(cause: str | None, results: dict[str, Result], target=None, lang: str = "de") -> list[Pointer]:
    """The deciding evidence of `cause` in these results: which check, which block, which line (`target`: kept for
    callers; the patterns need no ports)."""
    if cause not in CAUSES:
        return []
    where = CAUSES[cause].deciding or [(c, GENERIC) for c in CAUSES[cause].reads[:2]]
    out = []
    for check, pattern in where:
        r = results.get(check)
        if r is None or not r.evidence:
            continue
        if pattern is None:
            out.append(Pointer(check, r.evidence[0].title(lang), None))
            continue
        rx = re.compile(pattern, re.I)
        hit = next(((e, ln) for e in r.evidence for ln in e.body(lang).splitlines() if rx.search(ln)), None)
        if hit:
            out.append(Pointer(check, hit[0].title(lang), hit[1].strip()[:240]))
        else:
            out.append(Pointer(check, r.evidence[0].title(lang), None))
    return out


def pointer_text(p: Pointer, lang: str, *, here: bool = True) -> str:
    """A pointer as a sentence (text with `code` spans)."""
    title = check_title(p.check, lang)
    step = SECTIONS[p.section](lang) if p.section in SECTIONS else p.section
    where = (T("in diesem Schritt", "in this step") if here else T("in „{s}“", "in “{s}”").format(s=step))(lang)
    label = p.label.replace("`", "'")
    if p.line:
        line = p.line.replace("`", "'")
        return T("Prüfung „{c}“ ({w}), Beleg „{l}“: die Zeile `{x}`",
                 "Check “{c}” ({w}), evidence “{l}”: the line `{x}`").format(c=title, w=where, l=label, x=line)(lang)
    return T("Prüfung „{c}“ ({w}): der Beleg „{l}“ — was fehlt darin?",
             "Check “{c}” ({w}): the evidence “{l}” — what is missing in it?").format(c=title, w=where, l=label)(lang)


def reasoning_hits(cause: str | None, reasoning: str, ptrs: list[Pointer]) -> bool:
    """The trainee's reasoning names the deciding evidence: a keyword of the cause, a deciding line (a good part of
    it) or the check that holds it."""
    text = (reasoning or "").lower()
    if not text or cause is None:
        return False
    if any(k in text for k in (CAUSES[cause].keywords if cause in CAUSES else ())):
        return True
    for p in ptrs:
        if p.line and any(len(w) >= 6 and w.lower() in text for w in re.split(r"[\s'\"]+", p.line)):
            return True
    return False


# -- observations without verdicts ---------------------------------------------------------------------------------
_SKIP = {"nginx_block"}     # long text already shown as evidence


def _value(v) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{k}={_value(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return ", ".join(map(_value, v)) if v else "[]"
    s = "—" if v is None else str(v)
    return s if len(s) <= 160 else s[:157] + "…"


def observed_html(r: Result) -> str:
    rows = "".join(f"<tr><td><code>{escape(k)}</code></td><td>{escape(_value(v))}</td></tr>"
                   for k, v in r.observed.items() if k not in _SKIP)
    return f"<table class='fsnb-table fsnb-observed'><tbody>{rows}</tbody></table>" if rows else ""


NEUTRAL = T("gelesen", "read")
OBS_TEXT = dict(evidence=T("Belege", "Evidence"), observed=T("Beobachtete Werte", "Observed values"),
                held=T("Das Urteil der Prüfungen bleibt bis zur Auflösung verborgen — lies die Beobachtungen.",
                       "The checks' verdicts stay hidden until the reveal — read the observations."),
                verdict=T("Urteil", "Verdict"))


def section_badge(results: list[Result], revealed: bool, lang: str) -> str:
    """Before the reveal: a neutral word once the step has observations; after it, the step's worst status."""
    if not results:
        return render.badge(None, lang)
    if revealed:
        from fsnb.present.notebook.views import worst
        return render.badge(worst(results), lang)
    return f"<span class='fsnb-badge fsnb-status-observed' style='background:#546e7a;color:#fff'>{NEUTRAL(lang)}</span>"


def observations_html(results: list[Result], lang: str, revealed: bool = False) -> str:
    """Each check of a step: its title, its evidence verbatim and its observed values; its status and summary only
    once `revealed`."""
    if not results:
        return "<div class='fsnb-nb'><em class='fsnb-muted'>—</em></div>"
    parts = [] if revealed else [f"<p class='fsnb-muted fsnb-held'>{OBS_TEXT['held'](lang)}</p>"]
    for r in results:
        verdict = (f"<div class='fsnb-verdict' data-status='{r.status.value}'>{render.badge(r.status.value, lang)} "
                   f"{escape(r.text(lang))}</div>" if revealed else "")
        obs = observed_html(r)
        parts.append(f"<details class='fsnb-observation' data-check='{escape(r.id)}' open><summary><b>"
                     f"{escape(check_title(r.id, lang))}</b></summary>{verdict}"
                     f"<div class='fsnb-evidence'>{render.evidence(r.evidence, lang)}</div>"
                     + (f"<details><summary>{OBS_TEXT['observed'](lang)}</summary>{obs}</details>" if obs else "")
                     + "</details>")
    return "<div class='fsnb-nb fsnb-observations'>" + "".join(parts) + "</div>"
