"""`fsnb fix`: run the runbook, compute the leading cause's fix from the target's own files, show it (the diff as
a diff), and — only after a typed, recorded confirmation (or --yes) — apply it, verify it by a re-run, roll it
back when the re-run is worse (fsnb/fix/plan.py, fsnb/fix/apply.py)."""
from __future__ import annotations

import sys

from fsnb.errors import TargetError
from fsnb.i18n import T
from fsnb.journal import DeclinedRecord, Journal, new_run_id
from fsnb.present import escape
from fsnb.present.cli_run import check_output_path, resolve_target
from fsnb.runner import run as run_runbook

WORDS = {
    "none": T("Keine Befunde — nichts zu beheben.", "No findings — nothing to fix."),
    "ask": T("Genau diese Änderung anwenden? Tippe 'ja': {cmd}\n> ", "Apply exactly this change? Type 'yes': {cmd}\n> "),
    "declined": T("nicht bestätigt — nichts geändert.", "not confirmed — nothing changed."),
    "no-confirm": T("keine Bestätigung möglich (kein Terminal, kein --yes) — nichts geändert.",
                    "no confirmation possible (no terminal, no --yes) — nothing changed."),
    "dry": T("--dry-run: nichts geändert.", "--dry-run: nothing changed."),
    "others": T("fsnb kann außerdem anwenden (fsnb fix --cause …): {c}", "fsnb can also apply (fsnb fix --cause …): {c}"),
    "backup": T("Sicherung: {b}", "backup: {b}"),
}


def choose(run, cause: str | None):
    """The finding to fix: --cause, else the leading one (fail before warn, catalogue rank) — never silently a
    lesser cause while the leading one stays (`others` names the ones fsnb could apply with --cause)."""
    from fsnb.fix import plan as fixplan
    if cause:
        f = next((f for f in run.findings if f.cause == cause), None)
        if f is None:
            raise TargetError(f"--cause {cause}: not diagnosed on this target (findings: "
                              f"{', '.join(x.cause for x in run.findings) or 'none'})")
        return f, fixplan.compute(f, run, run.target)
    if not run.findings:
        return None, None
    return run.findings[0], fixplan.compute(run.findings[0], run, run.target)


def others(run, chosen) -> list[str]:
    from fsnb.fix import plan as fixplan
    return [f.cause for f in run.findings if f is not chosen and fixplan.compute(f, run, run.target).applicable]


def cli_fix(args) -> int:
    from fsnb.fix import apply as fixapply
    from fsnb.fix.actions import Confirmation
    lang = args.lang
    if args.journal:
        check_output_path(args.journal, "--journal")
    target = resolve_target(args.target)
    target.ask_secrets()
    journal = None
    run_id = new_run_id()
    if args.journal:
        from fsnb.redact import Redactor
        journal = Journal(args.journal, Redactor(target.secret_values()))
        journal.meta(target)
    run = run_runbook(target, on_result=(lambda r: journal.result(r, run_id)) if journal else None)
    run.run_id = run_id
    if journal:
        journal.run(run, run_id)
    finding, p = choose(run, args.cause)
    if p is None:
        print(WORDS["none"](lang))
        return run.exit_code
    if journal:
        journal.write(fixapply.plan_record(p))
    print(escape.terminal(p.text(lang)))
    if args.dry_run:
        print(WORDS["dry"](lang), file=sys.stderr)
        return run.exit_code
    if not p.applicable:
        more = others(run, finding)
        if more:
            print(escape.terminal(WORDS["others"](lang).format(c=", ".join(more))))
        return run.exit_code
    cmd = p.command()
    if args.yes:
        how = "--yes"
    elif sys.stdin.isatty():
        answer = input(escape.terminal(WORDS["ask"](lang).format(cmd=cmd)))
        if answer.strip().lower() not in ("ja", "yes"):
            print(WORDS["declined"](lang), file=sys.stderr)
            if journal:
                journal.write(DeclinedRecord(command=cmd))
            return run.exit_code
        how = "interactive"
    else:
        print(WORDS["no-confirm"](lang), file=sys.stderr)
        return run.exit_code
    out = fixapply.apply(target, p, run, Confirmation.make(cmd, how), journal, lang)
    for line in out.outputs:
        print(escape.terminal(line), file=sys.stderr)
    for a in out.applied:
        print(escape.terminal(WORDS["backup"](lang).format(b=a.backup)), file=sys.stderr)
    print(escape.terminal(out.message))
    return 0 if out.ok else 1
