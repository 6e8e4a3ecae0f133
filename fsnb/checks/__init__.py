"""The runbook's checks, one module per section of the analysis; each check reads like its step.

A check is `async def f(ctx) -> Outcome`; `@check` registers it with its id, section, titles, the type
of what it observes (fsnb/observed.py: the diagnosis reads only that) and the checks it needs (a failed
dependency skips it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Awaitable, Callable

from fsnb.diagnosis.observed import Observed
from fsnb.i18n import T, same  # noqa: F401  (checks import T/same from here)
from fsnb.result import Evidence, Status

SECTIONS = ["wissen", "schritt1", "schritt2", "schritt3", "schritt4", "schritt5", "alternative"]


@dataclass
class Outcome:
    status: Status
    text: T                     # the one-line summary, in both languages
    evidence: list[Evidence] = field(default_factory=list)
    observed: dict = field(default_factory=dict)


@dataclass
class CheckSpec:
    id: str
    section: str
    title_de: str
    title_en: str
    func: Callable[..., Awaitable[Outcome]]
    observes: type[Observed]
    needs: tuple[str, ...] = ()


REGISTRY: dict[str, CheckSpec] = {}


def check(id: str, section: str, title_de: str, title_en: str, observes: type[Observed], needs: tuple[str, ...] = ()):
    def deco(func):
        REGISTRY[id] = CheckSpec(id, section, title_de, title_en, func, observes, needs)
        return func
    return deco


def ok(text: T, **kw) -> Outcome:
    return Outcome(Status.PASS, text, **kw)


def fail(text: T, **kw) -> Outcome:
    return Outcome(Status.FAIL, text, **kw)


def warn(text: T, **kw) -> Outcome:
    return Outcome(Status.WARN, text, **kw)


def skip(text: T, **kw) -> Outcome:
    return Outcome(Status.SKIP, text, **kw)


def all_checks() -> list[CheckSpec]:
    from fsnb.checks import alternative, schritt1, schritt2, schritt3, schritt4, schritt5, wissen  # noqa: F401  (registers)
    order = {s: i for i, s in enumerate(SECTIONS)}
    return sorted(REGISTRY.values(), key=lambda c: order[c.section])


def order_key(check_id: str) -> int:
    """Position of a check in the analysis' order (unknown ids, e.g. from an older journal, last)."""
    order = {c.id: i for i, c in enumerate(all_checks())}
    return order.get(check_id, len(order))
