"""The engine: run the checks in the analysis' order, independent ones concurrently, each under a deadline.

A failed dependency (e.g. ESL) skips what needs it; the socket and WebSocket checks still run.
"""
from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import asdict, dataclass
from typing import Callable

from fsnb.checks import CheckSpec, Outcome, all_checks
from fsnb.context import Ctx
from fsnb.diagnosis import rules
from fsnb.errors import FsnbError
from fsnb.i18n import T, same
from fsnb.result import Evidence, Result, Status
from fsnb.target import Target


@dataclass
class Run:
    target: Target
    results: list[Result]
    findings: list[rules.Finding]
    verdicts: list[rules.Verdict]
    started: float
    duration: float
    run_id: str = ""

    def __repr__(self) -> str:
        # short: asyncio formats the finished main task's result whenever SIGINT handling is set up or torn down
        # (twice per run); the whole run's repr took ~1.5 ms of every `fsnb run`
        return (f"Run(target={getattr(self.target, 'name', self.target)!r}, {len(self.results)} results, "
                f"{len(self.findings)} findings, run_id={self.run_id!r})")

    @property
    def failed(self) -> bool:
        return any(r.status.failed for r in self.results)

    @property
    def exit_code(self) -> int:
        """1 exactly when the diagnosis has a fail-level finding (every failed check yields one)."""
        return 1 if any(f.severity == "fail" for f in self.findings) else 0

    def to_json(self) -> dict:
        return {"target": self.target.name, "lab": self.target.lab or None, "duration": round(self.duration, 3),
                "exit": self.exit_code, "results": [r.to_dict() for r in self.results],
                "diagnosis": [f.to_dict() for f in self.findings], "hypotheses": [v.to_dict() for v in self.verdicts]}


async def _run_one(ctx: Ctx, spec: CheckSpec, deps: dict[str, asyncio.Future]) -> Result:
    for dep in spec.needs:
        d = await deps[dep]
        if d.status != Status.PASS:
            return _result(ctx, spec, Outcome(Status.SKIP, T(f"übersprungen: {dep} ist {d.status.value}",
                                                             f"skipped: {dep} is {d.status.value}")), 0.0)
    t0 = time.monotonic()
    try:
        outcome = await asyncio.wait_for(spec.func(ctx), ctx.timeout + 1.0)
        err = ""
    except asyncio.TimeoutError:
        outcome, err = Outcome(Status.ERROR, T(f"keine Antwort innerhalb von {ctx.timeout + 1.0:.1f}s",
                                                 f"no answer within {ctx.timeout + 1.0:.1f}s")), "CheckTimeout"
    except FsnbError as exc:
        outcome, err = Outcome(Status.ERROR, same(str(exc))), type(exc).__name__
    except Exception as exc:  # a bug in a check must not end the run: typed, visible, with its traceback
        outcome, err = _internal_error(exc), type(exc).__name__
    try:
        r = _result(ctx, spec, outcome, time.monotonic() - t0)
    except TypeError as exc:   # the check broke its declared contract (fsnb/observed.py)
        r, err = _result(ctx, spec, _internal_error(exc), time.monotonic() - t0), type(exc).__name__
    if err:
        r.error_type = err
    return r


def _internal_error(exc: BaseException) -> Outcome:
    import traceback
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return Outcome(Status.ERROR, T(f"interner Fehler: {type(exc).__name__}: {exc}",
                                   f"internal error: {type(exc).__name__}: {exc}"),
                   evidence=[Evidence("Traceback", tb, "fsnb (a bug: please report it with this traceback)")])


def _result(ctx: Ctx, spec: CheckSpec, o: Outcome, duration: float) -> Result:
    red = ctx.redactor
    observed = asdict(spec.observes.of(o.observed, strict=True)) if o.observed else {}
    return Result(id=spec.id, section=spec.section, title_de=spec.title_de, title_en=spec.title_en, status=o.status,
                  summary=red.text(o.text.de), summary_en=red.text(o.text.en),
                  evidence=[Evidence(red.text(e.label), red.text(e.text), red.text(e.via), red.text(e.label_en),
                                     red.text(e.text_en)) for e in o.evidence],
                  observed=red.any(observed), duration=round(duration, 4), target=ctx.target.name)


def selected(only: list[str] | None = None) -> list[CheckSpec]:
    """The checks a run of `only` (check ids or sections; None: all) runs, in the analysis' order — with their
    dependencies, whose results are real results too."""
    every = all_checks()
    wanted = {s.id for s in every if not only or s.id in only or s.section in only}
    for s in every:
        if s.id in wanted:
            wanted.update(s.needs)
    return [s for s in every if s.id in wanted]


async def run_async(target: Target, *, timeout: float | None = None, only: list[str] | None = None,
                    on_result: Callable[[Result], None] | None = None, progress: bool = False,
                    shared: dict | None = None) -> Run:
    ctx = Ctx(target, timeout, shared)
    ctx.prefetch()
    # let the prefetch start its I/O (connects, the container lookup and file reads in the pool) before the check
    # modules are imported: the peers and the pool work while websockets & co. load (~20 ms in a fresh process)
    await asyncio.sleep(0)
    specs = selected(only)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(specs), desc=target.name, leave=False)
    t0 = time.time()
    futures: dict[str, asyncio.Future] = {}

    async def runner(spec):
        r = await _run_one(ctx, spec, {d: futures[d] for d in spec.needs})
        if on_result:
            on_result(r)
        if bar:
            bar.update(1)
        return r

    for spec in specs:
        futures[spec.id] = asyncio.ensure_future(runner(spec))
    try:
        results = list(await asyncio.gather(*futures.values()))
    finally:
        ctx.close()
        if bar:
            bar.close()
    return Run(target, results, rules.diagnose(results), rules.hypotheses(results), t0, time.time() - t0)


def run_sync(coro):
    """Run a coroutine from sync code, also inside Jupyter (whose loop is already running)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict = {}

    def worker():
        try:
            box["v"] = asyncio.run(coro)
        except BaseException as exc:   # re-raised in the caller's thread
            box["e"] = exc
    t = threading.Thread(target=worker, daemon=True)
    t.start()
    t.join()
    if "e" in box:
        raise box["e"]
    return box["v"]


def run(target: Target, **kw) -> Run:
    return run_sync(run_async(target, **kw))
