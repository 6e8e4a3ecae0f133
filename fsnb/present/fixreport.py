"""The report's fix section (issue #20): per fix, the applied diff, who confirmed it, the backups, the re-run's
verdict and any rollback — from the journal's fix-plan / fix-applied / fix-verification records. report.py calls
`items` (HTML, rendered by templates/fix_section.html.j2) and `markdown` once each."""
from __future__ import annotations

from fsnb.i18n import T
from fsnb.journal import FixAppliedRecord, FixPlanRecord, FixVerificationRecord, parse
from fsnb.present import escape as esc
from fsnb.schema import ShapeError

WORDS = {
    "title": T("Behebungen (Diff, Bestätigung, Nachprüfung)", "Fixes (diff, confirmation, verification)"),
    "shown": T("gezeigt, nicht angewendet", "shown, not applied"),
    "verified": T("nachgeprüft: Ursache weg, nichts neu fehlgeschlagen", "verified: cause gone, nothing newly failed"),
    "rolled-back": T("zurückgerollt", "rolled back"),
    "failed": T("zurückgerollt, aber nicht byte-gleich", "rolled back, but not byte-identical"),
    "confirmed": T("bestätigt von {who} am {when} ({how})", "confirmed by {who} at {when} ({how})"),
    "backup": T("Sicherung", "backup"),
    "reload": T("danach", "then"),
    "new": T("neu fehlgeschlagen", "newly failed"),
    "restored": T("wiederhergestellt (byte-gleich: {ok})", "restored (byte-identical: {ok})"),
}


def _typed(records: list[dict]):
    for r in records:
        try:
            yield parse(r)
        except ShapeError:
            continue


def items(records: list[dict], lang: str = "de") -> list[dict]:
    """One item per fix plan: applied (with its verification) or only shown."""
    out: list[dict] = []
    cur = None
    for rec in _typed(records):
        if isinstance(rec, FixPlanRecord):
            # the German texts where the journal has them (older journals kept the English only)
            de = lang == "de"
            cur = {"cause": rec.cause, "kind": rec.kind, "command": rec.command, "ts": rec.ts,
                   "state": "shown", "word": WORDS["shown"](lang),
                   "why_not": (de and rec.why_not_de) or rec.why_not,
                   "edits": [{"path": e.path, "diff": e.diff, "backup": "", "removed": e.removed} for e in rec.edits],
                   "reloads": list(rec.reloads), "user_steps": list((de and rec.user_steps_de) or rec.user_steps),
                   "confirmed": "", "outputs": [], "backup_word": WORDS["backup"](lang),
                   "message": "", "new_failures": [], "rollback": []}
            out.append(cur)
        elif isinstance(rec, FixAppliedRecord) and cur and cur["command"] == rec.command:
            c = rec.confirmation
            cur["confirmed"] = WORDS["confirmed"](lang).format(who=c and c.who, when=c and c.when, how=c and c.how)
            cur["edits"] = [{"path": e.path, "diff": e.diff, "backup": e.backup, "removed": e.removed} for e in rec.edits]
            cur["outputs"] = list(rec.outputs)
            cur["state"], cur["word"] = "applied", ""
        elif isinstance(rec, FixVerificationRecord) and cur and cur["cause"] == rec.cause:
            cur["state"] = "pass" if rec.verdict == "verified" else "fail"
            cur["word"] = WORDS.get(rec.verdict, WORDS["failed"])(lang)
            cur["message"] = rec.message
            cur["new_failures"] = list(rec.new_failures)
            cur["rollback"] = [WORDS["restored"](lang).format(ok=rec.restored_identical)] if rec.rollback else []
    return out


def markdown(records: list[dict], lang: str = "de") -> list[str]:
    m, code = esc.md, esc.md_code
    its = items(records, lang)
    if not its:
        return []
    out = ["", f"## {WORDS['title'](lang)}", ""]
    for i in its:
        out.append(f"- {code(i['cause'])} ({m(i['kind'])}): **{m(i['word'] or i['state'])}**"
                   + (f" — {m(i['confirmed'])}" if i["confirmed"] else "") + (f" — {m(i['why_not'])}" if i["why_not"] else ""))
        for e in i["edits"]:
            out.append(f"  - {code(e['path'])}" + (f" ({WORDS['backup'](lang)}: {code(e['backup'])})" if e["backup"] else ""))
            out += ["", "    ```diff"] + ["    " + line.replace("```", "ʼʼʼ") for line in esc.controls(e["diff"], "\n").splitlines()] + ["    ```", ""]
        for r in i["reloads"]:
            out.append(f"  - {WORDS['reload'](lang)}: {code(r)}")
        if i["message"]:
            out.append(f"  - {m(i['message'])}")
        if i["new_failures"]:
            out.append(f"  - {WORDS['new'](lang)}: {m(', '.join(i['new_failures']))}")
    return out
