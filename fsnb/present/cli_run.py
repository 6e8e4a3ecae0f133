"""`fsnb run`: pick the target, run the runbook, print, journal, optionally fix (with confirmation)."""
from __future__ import annotations

import json
import os
import sys

from fsnb import target as tgt
from fsnb.errors import TargetError
from fsnb.i18n import T
from fsnb.journal import DeclinedRecord, Journal, new_run_id
from fsnb.present import escape, render
from fsnb.runner import run as run_runbook


def resolve_target(path: str | None = None) -> tgt.Target:
    """--target, else $FSNB_TARGET, else the running lab's target file."""
    if path:
        return tgt.load(path)
    if os.environ.get("FSNB_TARGET"):
        return tgt.load(os.environ["FSNB_TARGET"])
    from fsnb.lab.manager import current_target
    cur = current_target()
    if cur:
        return tgt.load(cur)
    raise TargetError("no target: pass --target FILE, set FSNB_TARGET, or start the lab (fsnb lab up)")


def check_output_path(path: str, what: str) -> None:
    """An output file fsnb will write: checked before the run, so a typo does not cost a whole run (or leave
    a traceback at the end). Its directory must exist; the path must not be a directory, FIFO, device or a symbolic
    link (fsnb does not write or append through a link)."""
    import stat
    from pathlib import Path
    from fsnb.present.output import refuse_link
    p = Path(path).expanduser().absolute()
    if not p.parent.is_dir():
        raise TargetError(f"{what} {p}: directory {p.parent} does not exist")
    refuse_link(p, what)
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise TargetError(f"{what} {p}: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise TargetError(f"{what} {p}: not a regular file (a directory, FIFO or device)")


CLI_WORDS = {
    "diagnosis": T("Diagnose (wahrscheinlichste zuerst):", "Diagnosis (most likely first):"),
    "explains": T("erklärt", "explains"),
    "no-findings": T("Diagnose: keine Befunde.", "Diagnosis: no findings."),
    "hypotheses": T("Hypothesen der Analyse:", "The analysis' hypotheses:"),
    "nothing-to-do": T("\nfsnb --fix: nichts, was fsnb ändern kann oder was helfen würde (kein Start/Restart des Profils): "
                       "zuerst die Behebung der führenden Ursache.",
                       "\nfsnb --fix: nothing fsnb can change that would help (no profile start/restart): first the fix "
                       "of the leading cause."),
    "proposed": T("\nVorgeschlagene Aktion: {cmd}\n  {why}", "\nProposed action: {cmd}\n  {why}"),
    "ask": T("Genau diesen Befehl auf FreeSWITCH ausführen? Tippe 'ja': {cmd}\n> ",
             "Run exactly this command on FreeSWITCH? Type 'yes': {cmd}\n> "),
    "declined": T("nicht bestätigt — nichts geändert.", "not confirmed — nothing changed."),
    "no-confirm": T("keine Bestätigung möglich (kein Terminal, kein --yes) — nichts geändert.",
                    "no confirmation possible (no terminal, no --yes) — nothing changed."),
}


def table(run, lang: str = "de") -> str:
    """The terminal table. Every string in it passes escape.terminal (a summary can quote a log line or a config
    value from the target: an ESC or BEL in it must not retitle or clear the operator's terminal)."""
    t = lambda s: escape.terminal(s, multiline=False)
    lines = [f"fsnb runbook — {t(run.target.name)} ({run.duration:.2f}s)", ""]
    lines += [render.line(r, lang) for r in run.results]
    lines.append("")
    if run.findings:
        lines.append(CLI_WORDS["diagnosis"](lang))
        from fsnb.present import fixtext      # the concrete steps, as in the notebook and both reports
        by = {r.id: r for r in run.results}
        for i, f in enumerate(run.findings, 1):
            lines.append(f"  {i}. [{t(f.severity)}] {t(f.cause)}: {t(f.text(lang))}")
            lines += [t(x) for x in fixtext.terminal_lines(fixtext.steps(f, getattr(run, "target", None), by, lang))]
            if f.explains:
                lines.append(f"     {CLI_WORDS['explains'](lang)}: {t(', '.join(f.explains))}")
    else:
        lines.append(CLI_WORDS["no-findings"](lang))
    lines.append("")
    lines.append(CLI_WORDS["hypotheses"](lang))
    for v in run.verdicts:
        lines.append(f"  - {t(v.claim(lang))}: {t(v.word(lang))} — {t(v.reason(lang))}")
    return "\n".join(lines)


def cli_run(args) -> int:
    if args.targets:
        from fsnb.present.fleet import cli_fleet
        return cli_fleet(args)
    if args.timeout is not None:
        tgt.check_timeout(args.timeout, "--timeout")      # nan, inf, 0, -1: exit 2 before anything runs
    if args.journal:
        check_output_path(args.journal, "--journal")
    target = resolve_target(args.target)
    target.ask_secrets()
    if args.timeout is not None:
        target.timeouts.check = args.timeout
    journal = None
    run_id = new_run_id()
    if args.journal:
        from fsnb.redact import Redactor
        journal = Journal(args.journal, Redactor(target.secret_values()))
        journal.meta(target)
    on_result = (lambda r: journal.result(r, run_id)) if journal else None
    run = run_runbook(target, on_result=on_result, progress=args.format == "table" and sys.stderr.isatty())
    run.run_id = run_id
    if journal:
        journal.run(run, run_id)
    if args.format == "json":
        print(escape.json_text(json.dumps(run.to_json(), ensure_ascii=False, indent=2)))
    elif args.format == "markdown":
        from fsnb.present.report import run_markdown
        print(run_markdown(run, args.lang))
    else:
        print(table(run, args.lang))
    if args.fix:
        return _fix(run, target, journal, args)
    return run.exit_code


def _fix(run, target, journal, args) -> int:
    from fsnb.fix import actions
    lang = args.lang
    p = actions.plan(run)
    if p is None:
        print(CLI_WORDS["nothing-to-do"](lang), file=sys.stderr)
        return run.exit_code
    why = p.reason_en if lang == "en" else p.reason_de
    print(escape.terminal(CLI_WORDS["proposed"](lang).format(cmd=p.command, why=why)), file=sys.stderr)
    if args.yes:
        how = "--yes"
    elif sys.stdin.isatty():
        answer = input(escape.terminal(CLI_WORDS["ask"](lang).format(cmd=p.command)))
        if answer.strip().lower() not in ("ja", "yes"):
            print(CLI_WORDS["declined"](lang), file=sys.stderr)
            if journal:
                journal.write(DeclinedRecord(command=p.command))
            return run.exit_code
        how = "interactive"
    else:
        print(CLI_WORDS["no-confirm"](lang), file=sys.stderr)
        return run.exit_code
    conf = actions.Confirmation.make(p.command, how)
    res = actions.execute(target, p, conf, journal)
    print(escape.terminal(f"{p.command} → {res.output.strip()}\n{res.summary}"), file=sys.stderr)
    return 0 if res.ok else 1
