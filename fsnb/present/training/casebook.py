"""The training's cases: one per lab scenario with a cause (every cause the lab reproduces, warnings included), each
with its own briefing — symptoms only, what a user, the monitoring or a colleague reports — and its own label.

`draw()` picks a random case, never the one of the last round (remembered in the state dir), and not its cause when
another is left. The answer list is every cause of the catalogue, grouped by the chain hop it breaks, in full text.
"""
from __future__ import annotations

import json
import os
import random
from pathlib import Path

from fsnb.diagnosis.catalogue import CAUSES, Node
from fsnb.i18n import T
from fsnb.lab import scenarios

# scenario → (label, briefing). Symptoms and circumstances only: never a scenario's name, cause or description.
DEFAULT_BRIEFING = (T("Ticket", "Ticket"), T("Ticket: „FreeSWITCH lauscht nicht auf 7443 für WSS.“",
                                           "Ticket: “FreeSWITCH does not listen on 7443 for WSS.”"))

# the chain hops in the answer list, browser first (the chain picture's order); `unexplained-failure` is no answer
HOPS: list[tuple[Node, T]] = [
    (Node.BROWSER, T("Browser und Client", "Browser and client")),
    (Node.CLOUDFLARE, T("Cloudflare-Tunnel", "Cloudflare tunnel")),
    (Node.NGINX, T("nginx (Proxy)", "nginx (proxy)")),
    (Node.FREESWITCH, T("FreeSWITCH: Listener, Bindungen, Zertifikat", "FreeSWITCH: listeners, bindings, certificate")),
    (Node.PROFILE, T("FreeSWITCH: Prozess, Module, SIP-Profil", "FreeSWITCH: process, modules, SIP profile")),
    (Node.ESL, T("ESL (Event Socket)", "ESL (event socket)")),
    (Node.MEDIA, T("Medien: RTP/UDP zwischen Browser und FreeSWITCH, TURN", "Media: RTP/UDP between browser and "
                   "FreeSWITCH, TURN")),
]


def _runnable(s: scenarios.Scenario, real: bool) -> bool:
    return (s.real if real else s.sim) and not s.hostile


def cases(real: bool = False) -> list[scenarios.Scenario]:
    """Every scenario with a cause the lab can run here (the simulator, or the real lab with `real`), in the
    scenarios' order (the label's number says nothing about the cause)."""
    return [s for s in scenarios.SCENARIOS if s.cause and _runnable(s, real)]


def pool(real: bool = False) -> list[scenarios.Scenario]:
    """What `random` draws from: every case (kept as its own name for the notebook and the tests)."""
    return cases(real)


def label(s: scenarios.Scenario) -> T:
    return (s.briefing or DEFAULT_BRIEFING)[0]


def symptom(s: scenarios.Scenario) -> T:
    return (s.briefing or DEFAULT_BRIEFING)[1]


def labels(real: bool = False, lang: str = "de") -> list[tuple[str, str]]:
    """(label, scenario name) of every case, numbered."""
    word = T("Fall", "Case")(lang)
    return [(f"{word} {i}: {label(s)(lang)}", s.name) for i, s in enumerate(cases(real), 1)]


# -- no case twice in a row ------------------------------------------------------------------------------------
def _last_file() -> Path:
    from fsnb.present.notebook.session import state_dir
    return state_dir() / "training-last.json"


def _last() -> dict:
    try:
        v = json.loads(_last_file().read_text())
    except (OSError, ValueError):
        return {}
    return v if isinstance(v, dict) else {}


def last_case() -> str | None:
    v = _last().get("scenario")
    return v if isinstance(v, str) else None


def last_offset() -> int | None:
    """The lab port offset of the last round (the next round reuses its lab's ports)."""
    v = _last().get("offset")
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def remember(name: str, offset: int | None = None) -> None:
    f = _last_file()
    try:
        f.parent.mkdir(parents=True, exist_ok=True)
        tmp = f.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"scenario": name, "offset": offset}))
        tmp.replace(f)
    except OSError:     # a read-only home: repeats are then only avoided within this kernel
        pass


def draw(rng: random.Random, real: bool = False, last: str | None = None) -> scenarios.Scenario:
    """A random case — not `last` (default: the last round's, from the state dir) and, while others are left,
    not its cause either."""
    last = last if last is not None else last_case()
    every = pool(real)
    prev = scenarios.BY_NAME.get(last) if last else None
    fresh = [s for s in every if s.name != last and (prev is None or s.cause != prev.cause)]
    return rng.choice(fresh or [s for s in every if s.name != last] or every)


# -- the answer list -------------------------------------------------------------------------------------------
def cause_long(cause: str | None, lang: str) -> str:
    if cause is None or cause not in CAUSES:
        return T("keine Antwort", "no answer")(lang)
    c = CAUSES[cause]
    return c.en if lang == "en" else c.de


def cause_text(cause: str | None) -> T:
    """The cause in a few words (its catalogue text up to the first colon or parenthesis) — for short mentions."""
    if cause is None or cause not in CAUSES:
        return T("keine Antwort", "no answer")
    short = lambda s: s.split(": ")[0].split(" (")[0].rstrip(".")
    c = CAUSES[cause]
    return T(short(c.de), short(c.en))


def answer_groups(lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The answer list: (hop, [(full cause text, cause id)]) by chain hop, browser first; within a hop in the
    catalogue's order. Every cause a case can have is in it, warnings included."""
    out = []
    for node, name in HOPS:
        items = [(cause_long(c.id, lang), c.id) for c in CAUSES.values() if c.node is node]
        if items:
            out.append((name(lang), items))
    return out


def answer_ids() -> list[str]:
    return [cid for _, items in answer_groups("de") for _, cid in items]
