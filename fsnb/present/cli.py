"""`fsnb` command line: run the runbook, write reports, drive the lab."""
from __future__ import annotations

import argparse
import json
import os
import sys

from fsnb.errors import FsnbError

EXIT_USAGE = 2
EXIT_PIPE = 141     # as a shell reports a command killed by SIGPIPE


def _lab(args) -> int:
    from fsnb.lab import manager, scenarios
    if args.lab_cmd == "scenarios":
        items = [s.public() for s in scenarios.SCENARIOS]
        if args.json:
            print(json.dumps(items, ensure_ascii=False, indent=2))
        else:
            for s in items:
                default = " (default)" if s["name"] == scenarios.DEFAULT else ""
                real = "sim only" if not s["real"] else "real only" if s.get("sim") is False else "sim+real"
                desc = s["description_en"] if args.lang == "en" else s["description"]
                default = default if args.lang == "en" else default.replace("default", "Standard")
                print(f"{s['name']:<26} cause={s['cause'] or '-':<26} exit={s['exit']} {real:<9}  {desc}{default}")
        return 0
    if args.lab_cmd == "up":
        count = max(1, args.count)
        _check_offsets(args.port_offset, count, args.offset_step)   # before anything is created
        for i in range(count):
            offset = args.port_offset + i * args.offset_step
            lab = manager.up(args.scenario, docker=args.docker, offset=offset, real=args.real, image=args.image)
            print("\n".join(lab.lines()))
        return 0
    if args.lab_cmd == "ensure":   # used by `make run`: a lab unless a target is configured
        import os
        if os.environ.get("FSNB_TARGET"):
            print(f"using FSNB_TARGET={os.environ['FSNB_TARGET']}")
            return 0
        labs = [l for l in manager.labs() if l.running]
        lab = labs[0] if labs else manager.up(scenarios.DEFAULT)
        print("\n".join(lab.lines()))
        return 0
    if args.lab_cmd == "down":
        stopped = manager.down(None if args.all else args.port_offset)
        if args.all:
            from fsnb.lab import dockerd
            if (manager.state_root() / "docker" / "dockerd.json").exists():
                dockerd.stop(manager.state_root() / "docker")
                stopped.append("private dockerd")
        print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
        return 0
    if args.lab_cmd == "status":
        labs = manager.labs()
        if not labs:
            print("no lab is up (fsnb lab up [--scenario NAME])")
            return 1
        for lab in labs:
            try:
                sc = scenarios.get(lab.scenario)
                desc = sc.description_en if args.lang == "en" else sc.description
            except (KeyError, ValueError):
                desc = "?"
            print("\n".join(lab.lines()) + f"\nscenario is   {desc}"
                  + f"\nstate         {'up' if lab.running else 'DOWN (something died)'}\n")
        return 0 if all(l.running for l in labs) else 1
    return EXIT_USAGE


def _check_offsets(offset: int, count: int, step: int) -> None:
    """Every port of every lab (FreeSWITCH's and the lab's base ports + offset) must be a TCP port."""
    from fsnb.lab import layout
    top = max(vars(layout.Ports()).values())
    last = offset + (count - 1) * step
    if offset < 0 or step < 1 or last + top > 65535:
        raise FsnbError(f"--port-offset {offset} (--count {count}, --offset-step {step}): ports would leave 1–65535 "
                        f"(the highest lab port is {top} + offset); use 0 ≤ offset ≤ {65535 - top - (count - 1) * max(step, 1)}")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="fsnb", description="FreeSWITCH WSS runbook: checks, diagnosis, journal, lab")
    sub = ap.add_subparsers(dest="cmd", required=True)

    run = sub.add_parser("run", help="run the runbook against a target (default: the running lab)")
    run.add_argument("--target", help="target TOML file (default: $FSNB_TARGET, else the running lab's)")
    run.add_argument("--targets", help="a file listing target files, one per line (fleet)")
    run.add_argument("--parallel", type=int, default=32,
                     help="fleet: targets checked at once (each holds ~15 sockets; default 32)")
    run.add_argument("--format", choices=["table", "json", "markdown"], default="table")
    run.add_argument("--fix", action="store_true", help="offer the profile start/restart action (asks to confirm)")
    run.add_argument("--yes", action="store_true", help="with --fix: confirm non-interactively (recorded as such)")
    run.add_argument("--journal", help="append results to this JSON-lines journal")
    run.add_argument("--lang", choices=["de", "en"], default="de")
    run.add_argument("--timeout", type=float, help="per-check timeout in seconds (default from the target: 3)")

    fx = sub.add_parser("fix", help="compute the fix of the leading cause from the target's files, show it, apply it "
                        "after confirmation, verify by a re-run (rolled back when worse)")
    fx.add_argument("--target", help="target TOML file (default: $FSNB_TARGET, else the running lab's)")
    fx.add_argument("--cause", help="fix this diagnosed cause (default: the first one fsnb can fix)")
    fx.add_argument("--dry-run", action="store_true", help="show the fix, change nothing")
    fx.add_argument("--yes", action="store_true", help="confirm non-interactively (recorded as such)")
    fx.add_argument("--journal", help="append everything to this JSON-lines journal")
    fx.add_argument("--lang", choices=["de", "en"], default="de")

    rep = sub.add_parser("report", help="write an incident report from a journal")
    rep.add_argument("journal")
    rep.add_argument("--format", choices=["html", "markdown"], default="html")
    rep.add_argument("--out")
    rep.add_argument("--lang", choices=["de", "en"], default="de")

    note = sub.add_parser("note", help="record an operator's note (or a fix done by hand) in a journal")
    note.add_argument("text", nargs="+", help="the note")
    note.add_argument("--journal", help="the journal (default: the newest in ~/.local/state/fsnb/journals)")
    note.add_argument("--manual-fix", action="store_true",
                      help="the note describes a fix done by hand (the report lists it as such, not as an action)")

    nb = sub.add_parser("notebook", help="run the runbook notebook headless (papermill) and export HTML, inputs hidden")
    nb.add_argument("--target")
    nb.add_argument("--journal")
    nb.add_argument("--out", default="fsnb-runbook")
    nb.add_argument("--lang", choices=["de", "en"], default="de")

    lab = sub.add_parser("lab", help="the training/test lab (FreeSWITCH simulator + nginx + tunnel stand-in)")
    lsub = lab.add_subparsers(dest="lab_cmd", required=True)
    up = lsub.add_parser("up")
    up.add_argument("--scenario", default=None)
    up.add_argument("--docker", action="store_true")
    up.add_argument("--real", action="store_true", help="a real FreeSWITCH (tools/build-freeswitch) instead of the simulator")
    up.add_argument("--image", help="with --real: run this FreeSWITCH image (same container layout) instead of the build")
    up.add_argument("--port-offset", type=int, default=0)
    up.add_argument("--count", type=int, default=1, help="start N labs, each shifted by --offset-step")
    # 10: no two of FreeSWITCH's/the lab's base ports differ by a multiple of 10 below 1000, so up to 100 labs never collide
    up.add_argument("--offset-step", type=int, default=10)
    down = lsub.add_parser("down")
    down.add_argument("--port-offset", type=int, default=0)
    down.add_argument("--all", action="store_true")
    st = lsub.add_parser("status")
    st.add_argument("--lang", choices=["de", "en"], default="de", help="language of the scenario's description")
    lsub.add_parser("ensure")
    sc = lsub.add_parser("scenarios")
    sc.add_argument("--json", action="store_true")
    sc.add_argument("--lang", choices=["de", "en"], default="de", help="language of the descriptions (JSON has both)")
    return ap


from pathlib import Path  # noqa: E402  (fsnb notebook: paths resolved against the caller's directory)


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    try:
        args = ap.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else 0
    try:
        if args.cmd == "lab":
            if getattr(args, "scenario", "x") is None:
                from fsnb.lab import scenarios
                args.scenario = scenarios.DEFAULT
            return _lab(args)
        if args.cmd == "run":
            from fsnb.present.cli_run import cli_run
            return cli_run(args)
        if args.cmd == "fix":
            from fsnb.present.cli_fix import cli_fix
            return cli_fix(args)
        if args.cmd == "notebook":
            from fsnb.present.cli_run import check_output_path, resolve_target
            from fsnb.present.notebook.headless import check_out_dir, export_html, run_notebook
            # relative paths are the caller's (papermill runs the kernel in --out); the target must load here,
            # else the notebook would only show "no target" and the command exit 0
            target = resolve_target(args.target).source
            journal = str(Path(args.journal).expanduser().absolute()) if args.journal else None
            if journal:
                check_output_path(journal, "--journal")
            check_out_dir(args.out)
            out = run_notebook("runbook.ipynb", Path(args.out).expanduser().absolute(),
                               {"target": target, "journal": journal, "lang": args.lang})
            print(out)
            print(export_html(out))
            return 0
        if args.cmd == "report":
            from fsnb.present.report import cli_report
            return cli_report(args)
        if args.cmd == "note":
            from fsnb.present.report import cli_note
            return cli_note(args)
    except FsnbError as exc:
        from fsnb.i18n import T
        from fsnb.present.escape import terminal  # a message can quote a path or value from the target: no raw ESC/BEL
        text = getattr(exc, "text", None)         # a refusal that says it in both languages (fsnb.fix.edits.FixRefused)
        said = text(getattr(args, "lang", "de")) if isinstance(text, T) else str(exc)
        print(terminal(f"fsnb: {said}"), file=sys.stderr)
        return EXIT_USAGE
    except KeyError as exc:
        from fsnb.present.escape import terminal
        print(terminal(f"fsnb: {exc.args[0]}"), file=sys.stderr)
        return EXIT_USAGE
    return EXIT_USAGE


def entry() -> None:
    """The `fsnb` command: main(), then the ordinary interpreter exit, or `blocking.exit_if_stuck` when a pool
    thread is still blocked in a call its deadline abandoned (the one place fsnb ends the process early)."""
    from fsnb import blocking
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader went away (`fsnb run | head -1`): nobody is left to tell; stdout is closed so that
        # the interpreter's own flush at exit does not raise again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = EXIT_PIPE
    blocking.exit_if_stuck(code)
    # Everything is written; what is left is the interpreter's own teardown, whose cyclic collection would walk
    # every object the run created once more (~50 ms here). Frozen objects are skipped by it; nothing else is:
    # atexit handlers, flushes and closes all run (tests/test_odd_inputs.py: output and journal are complete).
    import gc
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    entry()
