"""Many FreeSWITCH nodes at once: one table, one journal, one exit code."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

from fsnb import target as tgt
from fsnb.errors import TargetError
from fsnb.journal import Journal, new_run_id
from fsnb.present import escape
from fsnb.read import files
from fsnb.redact import Redactor
from fsnb.runner import Run, run_async, run_sync

MAX_TARGETS = 1000


def load_targets(path: str) -> list[tgt.Target]:
    """A file listing target files, one per line (relative to the list; `#` comments)."""
    p = Path(path).expanduser().absolute()
    try:
        lines = files.read_text(p, limit=1024 * 1024).splitlines()
    except OSError as exc:
        raise TargetError(f"targets file {p}: {exc.strerror}") from None
    out, seen = [], {}
    for n, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if escape.has_controls(line):     # a NUL byte would reach open() as a ValueError
            raise TargetError(f"{p}:{n}: a control character in the path; one target file per line")
        f = (Path(line) if Path(line).is_absolute() else p.parent / line).resolve()
        if f in seen:
            raise TargetError(f"{p}:{n}: {escape.terminal(str(f))} is listed twice (first on line {seen[f]})")
        seen[f] = n
        if len(out) == MAX_TARGETS:
            raise TargetError(f"targets file {p}: more than {MAX_TARGETS} targets")
        try:
            out.append(tgt.load(f))
        except TargetError as exc:
            raise TargetError(f"{p}:{n}: {exc}") from None
    if not out:
        raise TargetError(f"targets file {p}: no targets")
    return out


PARALLEL = 32


async def run_fleet_async(targets: list[tgt.Target], timeout: float | None = None, on_result=None,
                          parallel: int = PARALLEL) -> list[Run]:
    """All targets, at most `parallel` at once: each run holds ~15 sockets and files at its peak, and a default
    limit of 1024 descriptors would otherwise turn a fleet of 100 into 'Too many open files' failures."""
    shared: dict = {}   # host facts (socket tables) read once per host, not once per target
    gate = asyncio.Semaphore(max(1, parallel))

    async def one(t):
        async with gate:
            return await run_async(t, timeout=timeout, on_result=on_result, shared=shared)
    return list(await asyncio.gather(*(one(t) for t in targets)))


def run_fleet(targets: list[tgt.Target], timeout: float | None = None, on_result=None,
              parallel: int = PARALLEL) -> list[Run]:
    return run_sync(run_fleet_async(targets, timeout, on_result, parallel))


def raise_fd_limit(want: int) -> int:
    """Raise the soft descriptor limit towards what the fleet needs (up to the hard limit); returns the limit."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def table(runs: list[Run]) -> str:
    lines = [f"{'target':<34} {'exit':>4} {'fail':>4} {'warn':>4}  first cause"]
    for r in runs:
        fails = sum(1 for x in r.results if x.status.failed)
        warns = sum(1 for x in r.results if x.status.value == "warn")
        name = escape.terminal(r.target.name, multiline=False)[:34]
        cause = escape.terminal(r.findings[0].cause if r.findings else "-", multiline=False)
        lines.append(f"{name:<34} {r.exit_code:>4} {fails:>4} {warns:>4}  {cause}")
    return "\n".join(lines)


def cli_fleet(args) -> int:
    from fsnb.present.cli_run import check_output_path
    if args.timeout is not None:
        tgt.check_timeout(args.timeout, "--timeout")
    if args.journal:
        check_output_path(args.journal, "--journal")
    targets = load_targets(args.targets)
    for t in targets:
        t.ask_secrets()
    journal = None
    run_id = new_run_id()
    if args.journal:
        secrets = [s for t in targets for s in t.secret_values()]
        journal = Journal(args.journal, Redactor(secrets))
        for t in targets:
            journal.meta(t)
    parallel = max(1, args.parallel)
    limit = raise_fd_limit(64 + 16 * min(parallel, len(targets)))
    parallel = max(1, min(parallel, (limit - 64) // 16))    # what the descriptor limit allows
    runs = run_fleet(targets, args.timeout, (lambda r: journal.result(r, run_id)) if journal else None, parallel)
    if journal:
        for r in runs:
            journal.run(r, run_id)
    if args.format == "json":
        print(escape.json_text(json.dumps({"targets": [r.to_json() for r in runs], "exit": max(r.exit_code for r in runs)},
                                          ensure_ascii=False, indent=2)))
    else:
        print(table(runs))
    return max(r.exit_code for r in runs)
