"""The notebooks' UI: one card per step (run button, badge, result table, evidence), run-all with progress,
the chain picture, the action that follows the diagnosis, the rules. All logic stays in fsnb; cells only call this.

Live (JupyterLab) checks run in background threads while the notebook goes on. Nothing is concluded from
unfinished results: the diagnosis, the chain's break point and the action wait until every check has a result
and no run is in flight, and redraw when a later run finishes; `rb.table()` waits for running checks. The
journal gets a diagnosis only of complete results.

Headless (papermill/nbclient, `headless=True`) every call runs its checks synchronously and displays static
HTML, so an executed notebook and its HTML export carry the same results as an interactive run. Both draw
with the same views (`_repr_html_`), and every string from the target goes through fsnb.present.escape.
"""
from __future__ import annotations

import getpass
import json
import os
import re
import threading
import time
from pathlib import Path

import pandas as pd

from fsnb.diagnosis import rules
from fsnb.errors import FsnbError
from fsnb.fix import actions
from fsnb.i18n import LANGS, T
from fsnb.journal import Journal, new_run_id
from fsnb.present import chain_picture, headings, render
from fsnb.present.cli_run import resolve_target
from fsnb.present.escape import html as escape
from fsnb.present.escape import styler
from fsnb.redact import Redactor
from fsnb.result import Result
from fsnb.runner import run_async, run_sync

# -- texts (every user-facing string in both languages) --------------------------------------------------------
SECTIONS = headings.SECTIONS
SHORT = {"wissen": T("Annahmen prüfen", "Check the assumptions"), "schritt1": T("Schritt 1 prüfen", "Run step 1"),
         "schritt2": T("Schritt 2 prüfen", "Run step 2"), "schritt3": T("Schritt 3 prüfen", "Run step 3"),
         "schritt4": T("Schritt 4 prüfen", "Run step 4"), "alternative": T("Alternative prüfen", "Check the alternative")}
STATUS = render.WORD
U = dict(
    target=T("Ziel", "Target"), public=T("öffentlich", "public"), no_target=T("Kein Ziel", "No target"),
    standin=T("Cloudflare-Kante: lokaler Stand-in des Labs", "Cloudflare edge: the lab's local stand-in"),
    lab=T("Lab: FreeSWITCH ist hier ein Simulator, der byte-genau wie die aufgezeichneten FreeSWITCH-1.11-Transkripte "
          "antwortet; nginx, TLS und Docker sind echt.",
          "Lab: FreeSWITCH is a simulator here that answers byte for byte like the recorded FreeSWITCH 1.11 "
          "transcripts; nginx, TLS and Docker are real."),
    run_all=T("Alle Schritte prüfen", "Run all steps"), running=T("läuft …", "running …"),
    aborted=T("Abbruch", "Aborted"),
    col_status=T("Status", "Status"), col_check=T("Prüfung", "Check"), col_finding=T("Befund", "Finding"),
    col_time=T("Dauer", "Time"), col_run=T("Lauf", "Run"), col_step=T("Schritt", "Step"),
    waiting=T("Warte auf {n} laufende Prüfungen … Die Diagnose erscheint hier, sobald alle Ergebnisse da sind.",
              "Waiting for {n} running checks … The diagnosis appears here once every result is in."),
    incomplete=T("Noch nicht alle Prüfungen sind gelaufen ({have} von {all}): keine Diagnose aus halben Ergebnissen.",
                 "Not every check has run yet ({have} of {all}): no diagnosis from half the results."),
    diagnosis=T("Diagnose", "Diagnosis"), no_findings=T("Keine Befunde: die ganze Kette funktioniert.",
                                                        "No findings: the whole chain works."),
    lead=T("Wahrscheinlichste Ursache", "Most likely cause"), also=T("Außerdem", "Also"),
    fix=T("Behebung", "Fix"), evidence=T("Belege", "Evidence"),
    explains=T("Erklärt die Fehler von", "Explains the failures of"),
    hyps=T("Die Vermutungen der Analyse", "The analysis' hypotheses"), hyp=T("Vermutung", "Hypothesis"),
    verdict=T("Urteil", "Verdict"), reason=T("Begründung", "Reason"),
    sev_fail=T("Ursache", "Cause"), sev_warn=T("Warnung", "Warning"),
    prepare=T("Aktion vorbereiten", "Prepare action"), confirm=T("Bestätigen und ausführen", "Confirm and run"),
    recheck=T("Erneut prüfen", "Check again"),
    command=T("Befehl an FreeSWITCH", "Command to FreeSWITCH"),
    confirm_note=T("Wird nur nach Bestätigung ausgeführt und mit Name und Zeit im Journal festgehalten.",
                   "Runs only after confirmation; who and when is recorded in the journal."),
    steps=T("Schritte", "Steps"),
    no_start=T("fsnb bietet hier keinen Start oder Neustart des Profils an: solange diese Ursache besteht, würde er "
               "nicht helfen. Erst die Schritte oben, dann „Erneut prüfen“ — fsnb bietet den Start an, sobald er hilft.",
               "fsnb offers no profile start or restart here: while this cause stands it would not help. Do the "
               "steps above first, then “Check again” — fsnb offers the start as soon as it helps."),
    nothing_to_do=T("Keine Aktion nötig: keine Ursache gefunden.", "No action needed: no cause found."),
    action_wait=T("Die Aktion folgt der Diagnose: erst wenn alle Prüfungen fertig sind.",
                  "The action follows the diagnosis: once every check has finished."),
    action_running=T("läuft … fsnb sendet den Befehl und wartet bis zu {s:.0f} s, ob {port} lauscht.",
                     "running … fsnb sends the command and waits up to {s:.0f} s for {port} to listen."),
    action_ok=T("{port} lauscht jetzt, das Profil läuft.", "{port} is listening now; the profile runs."),
    action_bad=T("Nach dem Befehl lauscht {port} nicht. Die Log-Zeilen, die das entscheiden:",
                 "After the command {port} is not listening. The log lines that decide it:"),
    after=T("nach {s:.1f} s", "after {s:.1f} s"), deciding=T("Entscheidende Log-Zeilen", "Deciding log lines"),
    all_lines=T("Alle {n} Log-Zeilen während der Aktion", "All {n} log lines during the action"),
    no_log=T("FreeSWITCH hat während der Aktion keine Fehler- oder Warnzeile geloggt.",
             "FreeSWITCH logged no error or warning line during the action."),
    reply=T("Antwort von FreeSWITCH", "FreeSWITCH's reply"), before=T("vorher", "before"), after_=T("nachher", "after"),
    st_profile=T("Profil läuft", "Profile running"), st_wss=T("{port} von hier", "{port} from here"),
    st_listen=T("{port} lauscht auf", "{port} listens on"), st_bind=T("WSS-Bind-Adresse", "WSS bind URL"),
    yes=T("ja", "yes"), no=T("nein", "no"), unknown=T("unbekannt", "unknown"), nowhere=T("nirgends", "nowhere"),
    reachable=T("erreichbar", "reachable"), unreachable=T("nicht erreichbar", "unreachable"),
    no_answer=T("keine Antwort", "no answer"), not_checked=T("nicht geprüft", "not checked"),
    journal=T("Journal", "Journal"), table_caption=T("Alle Ergebnisse dieser Sitzung — {target}",
                                                     "Every result of this session — {target}"),
    break_at=T("Die Kette bricht bei: {hop}", "The chain breaks at: {hop}"),
)
VERDICT = {"bestätigt": (T("bestätigt", "confirmed"), "#2e7d32"), "widerlegt": (T("widerlegt", "refuted"), "#546e7a"),
           "teilweise": (T("teilweise", "partly"), "#ef6c00"), "offen": (T("offen", "open"), "#78909c")}
HYPOTHESES_EN = {"1.": "1. The profile is not loaded / does not load automatically",
                 "2.": "2. The WSS binding needs explicit activation", "3.": "3. ESL is not configured",
                 "4.": "4. Cloudflare tunnel: FreeSWITCH must listen on HTTP/WS",
                 "Schritt 4": "Step 4 of the analysis: curl -H 'Upgrade: websocket' http://localhost:7443/"}
# outcome codes of the typed observations, as words (a safety net for texts that quote them)
CODES = {"http-status": T("HTTP-Fehlerstatus statt 101", "an HTTP error status instead of 101"),
         "refused": T("Verbindung abgelehnt", "connection refused"), "timeout": T("keine Antwort", "no answer"),
         "connect-timeout": T("Verbindungsaufbau ohne Antwort", "connect timed out"),
         "unreachable": T("unerreichbar", "unreachable"), "tls-error": T("TLS-Fehler", "TLS error"),
         "not-http": T("kein HTTP", "not HTTP"), "no-subprotocol": T("ohne Subprotokoll sip", "without subprotocol sip"),
         "sip-no-answer": T("keine SIP-Antwort", "no SIP answer"), "sip-error": T("SIP-Fehler", "SIP error"),
         "acl": T("per ACL abgewiesen", "rejected by the ACL"), "bad-password": T("falsches Passwort", "wrong password"),
         "not-esl": T("kein ESL auf dem Port", "no ESL on the port"), "no-answer": T("keine Antwort", "no answer"),
         "closed": T("Verbindung geschlossen", "connection closed"), "no-password": T("kein Passwort", "no password"),
         "empty": T("leere Antwort", "an empty reply"), "None": T("nicht geprüft", "not checked")}

BADGE = render.COLOUR
CSS = """<style>
""" + render.BADGE_CSS + """
.fsnb-status-warn{color:#212121!important}
.fsnb-card{border:1px solid #cfd8dc;border-radius:8px;padding:8px 12px;margin:6px 0}
.fsnb-nb{font-size:13px;line-height:1.45;color:#263238}
.fsnb-nb pre,.fsnb-card pre{white-space:pre-wrap;font-size:11px;max-height:22em;overflow:auto;background:#f7f9fa;padding:6px;text-align:left}
.fsnb-nb table.fsnb-table{border-collapse:collapse;width:100%;margin:4px 0;table-layout:auto}
.fsnb-nb .fsnb-table th,.fsnb-nb .fsnb-table td{text-align:left!important;vertical-align:top;padding:4px 8px;
  border:none;border-bottom:1px solid #eceff1;white-space:pre-wrap;word-break:normal;overflow-wrap:anywhere}
.fsnb-nb .fsnb-table th{background:#f5f7f8;font-weight:600;white-space:nowrap}
.fsnb-nb .fsnb-table td.fsnb-num{white-space:nowrap;color:#546e7a}
.fsnb-nb .fsnb-table td.fsnb-st{white-space:nowrap;width:1%}
.fsnb-nb .fsnb-finding{border-left:4px solid #c62828;padding:6px 10px;margin:8px 0;background:#fff}
.fsnb-nb .fsnb-finding[data-severity=warn]{border-left-color:#f9a825}
.fsnb-nb .fsnb-finding.fsnb-lead{background:#fff5f5}
.fsnb-nb .fsnb-finding h5{margin:0 0 4px 0;font-size:14px}
.fsnb-nb .fsnb-finding ul{margin:2px 0 2px 18px;padding:0}
.fsnb-nb .fsnb-muted{color:#607d8b;font-size:12px}
.fsnb-nb code{background:#eef2f4;padding:0 3px;border-radius:3px;white-space:pre-wrap}
.fsnb-nb .fsnb-steps li{margin:3px 0}
.fsnb-nb .fsnb-log-err{color:#b71c1c;font-weight:600}
.fsnb-nb .fsnb-log-warn{color:#8d5b00}
.fsnb-nb .fsnb-wait{color:#37474f;background:#eceff1;padding:6px 10px;border-radius:6px}
.fsnb-nb h4{margin:10px 0 4px 0}
</style>"""
ALL_IDS: frozenset[str] = frozenset()


def _all_ids() -> frozenset[str]:
    global ALL_IDS
    if not ALL_IDS:
        from fsnb.checks import all_checks
        ALL_IDS = frozenset(c.id for c in all_checks())
    return ALL_IDS


def _titles() -> dict[str, tuple[str, str]]:
    from fsnb.checks import all_checks
    return {c.id: (c.title_de, c.title_en) for c in all_checks()}


def check_title(cid: str, lang: str, short: bool = True) -> str:
    de, en = _titles().get(cid, (cid, cid))
    t = en if lang == "en" else de
    return re.sub(r"^(Schritt|Step) \d+: ", "", t) if short else t


def pick(obj, name: str, lang: str) -> str:
    """A bilingual field of a fsnb object: a T, or `name_de`/`name_en` (also `summary`/`summary_en`)."""
    v = getattr(obj, name, None)
    if isinstance(v, T):
        return v(lang)
    if callable(v):                 # an accessor: text(lang), fix(lang), reason(lang)
        try:
            out = v(lang)
        except TypeError:
            out = None
        if isinstance(out, str):
            return out
    v = getattr(obj, f"{name}_{lang}", None)
    if isinstance(v, T):
        return v(lang)
    if v:
        return v
    v = getattr(obj, f"{name}_de", None) or getattr(obj, name, None)
    return v(lang) if isinstance(v, T) else (v or "")


def _code(s: str) -> str:
    """Escaped text with `backtick` spans as <code> (the text is escaped first, so no markup can come through)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(s))


def _decode(s: str, lang: str) -> str:
    """Outcome codes quoted in a text, as words: '(http-status)' → '(HTTP-Fehlerstatus statt 101)'."""
    s = re.sub(r"\(([a-z-]+|None)\)", lambda m: f"({CODES[m.group(1)](lang)})" if m.group(1) in CODES else m.group(0), s)
    s = re.sub(r"\b(beobachtet|observed): ([a-z-]+)\b",
               lambda m: f"{m.group(1)}: {CODES[m.group(2)](lang)}" if m.group(2) in CODES else m.group(0), s)
    return re.sub(r"(: )None\b", lambda m: m.group(1) + CODES["None"](lang), s)


def human(v, lang: str) -> str:
    """A state value as a word: no raw None/True/False/[] in front of an operator."""
    if v is None:
        return U["unknown"](lang)
    if v is True:
        return U["yes"](lang)
    if v is False:
        return U["no"](lang)
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v)) if v else U["nowhere"](lang)
    return {"open": U["reachable"], "closed": U["unreachable"], "refused": U["unreachable"],
            "timeout": U["no_answer"]}.get(v, T(str(v), str(v)))(lang)


def badge(status: str | None, lang: str = "de") -> str:
    return render.badge(status, lang)


def worst(results: list[Result]) -> str | None:
    return max((r.status.value for r in results), key=chain_picture.RANK.get) if results else None


# -- views: one HTML for the live notebook, the headless run and the export -----------------------------------
class ResultsView:
    """The result table of one step: one status word per check, text left-aligned."""

    def __init__(self, results: list[Result], lang: str = "de"):
        self.results, self.lang = results, lang

    def _repr_html_(self) -> str:
        L = self.lang
        if not self.results:
            return "<div class='fsnb-nb'><em class='fsnb-muted'>—</em></div>"
        rows = "".join(render.result_row(r, L, check_title(r.id, L)) for r in self.results)
        return (f"<div class='fsnb-nb'><table class='fsnb-table'><thead><tr><th>{U['col_status'](L)}</th>"
                f"<th>{U['col_check'](L)}</th><th>{U['col_finding'](L)}</th><th>{U['col_time'](L)}</th></tr></thead>"
                f"<tbody>{rows}</tbody></table></div>")


def styled_html(results: list[Result], lang: str = "de") -> str:
    """A step's result table as HTML (every cell escaped)."""
    return ResultsView(results, lang)._repr_html_()


def evidence_html(r: Result, lang: str = "de") -> str:
    return "<div class='fsnb-nb'>" + render.evidence(r.evidence, lang) + "</div>"


def _evidence_line(line: str, lang: str, by: dict | None = None) -> str:
    """'check-id: text' → '<title>: text' (the check's own summary in the reader's language when it is that)."""
    cid, sep, rest = line.partition(": ")
    r = (by or {}).get(cid)
    if sep and r is not None and rest in (r.summary, getattr(r, "summary_en", "")):
        rest = r.text(lang)
    if sep and cid in _titles():
        return f"<b>{escape(check_title(cid, lang))}</b>: {escape(rest)}"
    return escape(line)


class DiagnosisView:
    """Findings (most likely first: cause → evidence → fix → what it explains) and the verdicts on the analysis'
    hypotheses. Drawn only from complete results (the Runbook makes sure)."""

    def __init__(self, findings, verdicts, lang: str = "de", target=None, results: list | None = None):
        self.findings, self.verdicts, self.lang, self.target = findings, verdicts, lang, target
        self.by = {r.id: r for r in results or []}

    def first_cause(self) -> str | None:
        lead = next((f for f in self.findings if f.severity == "fail"), None) or (self.findings[0] if self.findings else None)
        return lead.cause if lead else None

    def finding_html(self, f, i: int, lead: bool) -> str:
        L = self.lang
        sev = "fail" if f.severity == "fail" else "warn"
        head = (U["lead"] if lead else U["also"])(L) if sev == "fail" else U["sev_warn"](L)
        proof = f.proof(L) if callable(getattr(f, "proof", None)) else f.evidence
        ev = "".join(f"<li>{_evidence_line(x, L, self.by)}</li>" for x in proof[:6])
        expl = ", ".join(escape(check_title(c, L)) for c in f.explains)
        return (f"<div class='fsnb-finding{' fsnb-lead' if lead else ''}' data-cause='{escape(f.cause)}' "
                f"data-severity='{sev}' title='{escape(f.cause)}'>"
                f"<h5>{i}. {escape(head)}: {_code(pick(f, 'text', L))}</h5>"
                f"<div><b>{U['fix'](L)}:</b> {_code(pick(f, 'fix', L))}</div>"
                + (f"<div><b>{U['evidence'](L)}:</b><ul>{ev}</ul></div>" if ev else "")
                + (f"<div class='fsnb-muted'>{U['explains'](L)}: {expl}</div>" if expl else "") + "</div>")

    def verdicts_html(self) -> str:
        L = self.lang
        rows = []
        for v in self.verdicts:
            key = getattr(v, "verdict", "")
            key = key.de if isinstance(key, T) else key
            word, colour = VERDICT.get(key, (T(key, pick(v, "verdict", "en") or key), "#78909c"))
            if callable(getattr(v, "claim", None)):
                hyp = v.claim(L)
            else:
                hyp = v.hypothesis
                if L == "en":
                    hyp = next((en for k, en in HYPOTHESES_EN.items() if hyp.startswith(k)), hyp)
            rows.append(f"<tr><td>{escape(hyp)}</td><td class='fsnb-st'><span class='fsnb-badge' style='background:{colour}'>"
                        f"{escape(word(L))}</span></td><td>{_code(_decode(pick(v, 'reason', L), L))}</td></tr>")
        return (f"<h4>{U['hyps'](L)}</h4><table class='fsnb-table fsnb-hypotheses'><thead><tr><th>{U['hyp'](L)}</th>"
                f"<th>{U['verdict'](L)}</th><th>{U['reason'](L)}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")

    def _repr_html_(self) -> str:
        L = self.lang
        fails = [f for f in self.findings if f.severity == "fail"]
        warns = [f for f in self.findings if f.severity != "fail"]
        if self.findings:
            body = "".join(self.finding_html(f, i, i == 1 and bool(fails)) for i, f in enumerate(fails + warns, 1))
        else:
            body = f"<p>{U['no_findings'](L)}</p>"
        first = self.first_cause()
        return (f"{CSS}<div class='fsnb-nb fsnb-diagnosis' data-state='complete' data-first-cause='{escape(first or '')}'>"
                f"<h4>{U['diagnosis'](L)}</h4>{body}{self.verdicts_html()}</div>")


class WaitingView:
    def __init__(self, text: str):
        self.text = text

    def _repr_html_(self) -> str:
        return f"{CSS}<div class='fsnb-nb fsnb-diagnosis' data-state='waiting'><p class='fsnb-wait'>{escape(self.text)}</p></div>"


def fix_steps(finding, target, results: dict, lang: str) -> list[tuple[str, str | None]]:
    """The fix of a finding as steps (text, exact command or None) for this target."""
    L = lang
    fs = target.freeswitch
    cert = results.get("wissen.zertifikat")
    certs_dir = (cert.observed.get("certs_dir") if cert else None) or fs.certs_dir or "$(fs_cli -x 'global_getvar certs_dir')"
    pem = f"{certs_dir.rstrip('/')}/wss.pem"
    where = (T(" (im Container {c}: `docker exec {c} …`)", " (in container {c}: `docker exec {c} …`)").format(c=fs.container)(L)
             if fs.container else "")
    prof = results.get("schritt2.profil")
    running = bool(prof and prof.observed.get("running"))
    again = f"sofia profile {fs.profile} {'restart' if running else 'start'}"
    if finding.cause == "wss-pem-bad":
        return [
            (T("wss.pem neu bauen — privater Schlüssel, eigenes Zertifikat, dann die Kette, genau in dieser Reihenfolge"
               + "{w}:", "Rebuild wss.pem — private key, own certificate, then the chain, in exactly this order{w}:")
             .format(w=where)(L), f"cat privkey.pem cert.pem chain_picture.pem > {pem} && chmod 600 {pem}"),
            (T("Prüfen, dass Schlüssel und Zertifikat zusammenpassen (beide Zeilen gleich):",
               "Check that key and certificate match (both lines equal):")(L),
             f"openssl x509 -in {pem} -noout -pubkey | sha256sum; openssl pkey -in {pem} -pubout | sha256sum"),
            (T("„Erneut prüfen“: sobald wss.pem in Ordnung ist, bietet fsnb hier an:",
               "“Check again”: once wss.pem is fine, fsnb offers here:")(L), again),
        ]
    if finding.cause in ("wss-cert-expired", "wss-cert-not-yet-valid"):
        return [(T("Gültiges Zertifikat ausstellen und wss.pem neu bauen (Schlüssel, Zertifikat, Kette){w}:",
                   "Issue a valid certificate and rebuild wss.pem (key, certificate, chain){w}:").format(w=where)(L),
                 f"cat privkey.pem cert.pem chain_picture.pem > {pem} && chmod 600 {pem}"),
                (T("FreeSWITCH liest wss.pem nur beim Profilstart:", "FreeSWITCH reads wss.pem only at profile start:")(L),
                 f"sofia profile {fs.profile} restart")]
    return [(pick(finding, "fix", L), None)]


# -- the notebook session ---------------------------------------------------------------------------------------
def _state_dir() -> Path:
    return Path.home() / ".local/state/fsnb"


def session_key() -> str:
    """This Jupyter server (all its kernels) for this user: where the incident report finds 'this session'."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"{user}-{os.environ.get('JPY_PARENT_PID') or os.getppid()}"


def session_journal() -> str | None:
    f = _state_dir() / "sessions" / f"{session_key()}.json"
    try:
        p = json.loads(f.read_text()).get("journal")
    except (OSError, ValueError, AttributeError):
        return None
    return p if isinstance(p, str) and Path(p).is_file() else None


class Runbook:
    """One notebook session: target, journal, latest results, the widgets that show them."""

    def __init__(self, target: str | None = None, journal: str | None = None, lang: str = "de",
                 headless: bool = False, auto_run: bool = True, *, error: str | None = None):
        self.lang = lang if lang in LANGS else "de"
        self.headless, self.auto_run = headless, auto_run
        self.error, self.target, self.journal = error, None, None
        self.results: dict[str, Result] = {}
        self.cards: dict[str, dict] = {}
        self._cv = threading.Condition()
        self._running: dict[str, frozenset[str]] = {}      # run id -> the checks it will report
        self._got: dict[str, int] = {}                     # run id -> results so far
        self._on_result: list = []                         # fn(result), from the checks' thread
        self._on_change: list = []                         # fn(), when a run starts or ends
        self._journaled: tuple | None = None
        self._journal_lock = threading.Lock()
        self._progress = None
        self.display_name: str | None = None      # shown instead of the target's name (training: the name tells)
        self.simulated = True                     # the lab's FreeSWITCH is the simulator
        if error is not None:
            return
        try:
            self.target = resolve_target(target)
            self.target.ask_secrets(getpass.getpass)   # in a kernel, getpass asks through the notebook
        except FsnbError as exc:   # shown as a message in every cell, never as a traceback
            self.error, self.target = str(exc), None
            return
        self._open_journal(journal)

    @classmethod
    def unusable(cls, message: str, lang: str = "de") -> "Runbook":
        """A runbook without a target: every cell shows `message`."""
        return cls(lang=lang, error=message)

    def _open_journal(self, journal: str | None) -> None:
        self.redactor = Redactor(self.target.secret_values())
        if journal is None:
            stamp = pd.Timestamp.now().strftime("%Y%m%d-%H%M%S")
            journal = str(_state_dir() / "journals" / f"{stamp}-{self.target.lab or 'target'}.jsonl")
        self.journal = Journal(journal, self.redactor)
        self.journal.meta(self.target)
        try:   # the incident report of this Jupyter session opens this journal by default
            d = _state_dir() / "sessions"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"{session_key()}.json").write_text(json.dumps({"journal": str(self.journal.path),
                                                                   "target": self.target.name}))
        except OSError:
            pass

    def retarget(self, target: str, journal: str | None = None) -> None:
        """Another target (training: another scenario): new journal, results cleared, widgets redrawn."""
        self.wait_idle()
        self.target = resolve_target(target)
        self.error = None
        with self._cv:
            self.results.clear()
            self._journaled = None
        self._open_journal(journal)
        self._changed()
        for section, card in self.cards.items():
            self._fill(card, section)

    def _t(self, key: str, **kw) -> str:
        t = U[key]
        return (t.format(**kw) if kw else t)(self.lang)

    def _unusable(self) -> bool:
        if self.error is None:
            return False
        from IPython.display import HTML, display
        display(HTML(f'{CSS}<div class="fsnb-nb fsnb-card fsnb-error"><b>{self._t("no_target")}:</b> '
                     f"{escape(self.error)}</div>"))
        return True

    # -- running ---------------------------------------------------------------------------------------
    @staticmethod
    def expected(only: list[str] | None) -> frozenset[str]:
        """The checks a run of `only` reports (with their dependencies, as run_async runs them)."""
        from fsnb.checks import all_checks
        every = all_checks()
        wanted = {s.id for s in every if not only or s.id in only or s.section in only}
        for s in every:
            if s.id in wanted:
                wanted.update(s.needs)
        return frozenset(wanted)

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def running_checks(self) -> set[str]:
        with self._cv:
            return {cid for ids in self._running.values() for cid in ids}

    @property
    def complete(self) -> bool:
        return _all_ids() <= set(self.results)

    def settled(self) -> bool:
        """Every check has a result and none is running: only now may anything be concluded."""
        return not self.busy and self.complete

    def wait_idle(self, timeout: float | None = None) -> bool:
        if timeout is None:
            timeout = 60.0 if self.target is None else (self.target.timeouts.check + 1.0) * 6 + 20
        with self._cv:
            return self._cv.wait_for(lambda: not self._running, timeout)

    def _record(self, r: Result, run_id: str) -> None:
        with self._cv:
            self.results[r.id] = r
            self._got[run_id] = self._got.get(run_id, 0) + 1
        self.journal.result(r, run_id)
        for fn in list(self._on_result):
            try:
                fn(r)
            except Exception:   # a display problem must not stop the checks
                pass

    def _changed(self) -> None:
        for fn in list(self._on_change):
            try:
                fn()
            except Exception:
                pass

    def run(self, only: list[str] | None = None):
        """Run checks (all, or some sections/ids) and record every result; returns the Run."""
        run_id = new_run_id()
        with self._cv:
            self._running[run_id] = self.expected(only)
        self._changed()
        try:
            r = run_sync(run_async(self.target, only=only, on_result=lambda x: self._record(x, run_id)))
            if not only:
                with self._journal_lock:
                    self.journal.run(r, run_id)
                    self._journaled = self._signature()
        finally:
            with self._cv:
                self._running.pop(run_id, None)
                self._got.pop(run_id, None)
                self._cv.notify_all()
            self._journal_diagnosis(run_id)
            self._changed()
        return r

    def _signature(self) -> tuple:
        return tuple(sorted((r.id, r.ts) for r in self.results.values()))

    def _journal_diagnosis(self, run_id: str) -> None:
        """After a partial run: journal the session's diagnosis — only of complete results, once per state."""
        with self._journal_lock:
            if not self.settled() or self._journaled == self._signature():
                return
            findings, verdicts = self.findings()
            self.journal.write({"type": "diagnosis", "run": run_id, "scope": "session",
                                "items": [f.to_dict() for f in findings], "hypotheses": [v.to_dict() for v in verdicts]})
            self._journaled = self._signature()

    def run_in_background(self, only=None, done=None) -> threading.Thread:
        def work():
            try:
                run = self.run(only)
                outcome = run
            except Exception as exc:  # shown on the card, never a traceback in the notebook
                outcome = exc
            if done:
                try:
                    done(outcome)
                except Exception:
                    pass
        # registered as running before the thread starts: a cell right after this sees it
        t = threading.Thread(target=work, daemon=True)
        t.start()
        self._await_registration(only)
        return t

    def _await_registration(self, only) -> None:
        end = time.monotonic() + 2
        want = self.expected(only)
        while time.monotonic() < end and not any(v == want for v in self._running.values()):
            time.sleep(0.005)

    def start_all(self) -> None:
        """Live: one run of every check in the background, unless results exist or one is running."""
        if not self.results and not self.busy:
            self.run_in_background(None)

    def section_results(self, section: str) -> list[Result]:
        return [r for r in self.all_results() if r.section == section]

    def all_results(self) -> list[Result]:
        from fsnb.checks import order_key
        with self._cv:
            res = list(self.results.values())
        return sorted(res, key=lambda r: order_key(r.id))

    def findings(self):
        res = self.all_results()
        return rules.diagnose(res), rules.hypotheses(res)

    def lead(self):
        """The leading fail-level finding of complete results (None: nothing fails, or not settled)."""
        if not self.settled():
            return None
        return next((f for f in self.findings()[0] if f.severity == "fail"), None)

    # -- display ---------------------------------------------------------------------------------------
    def header_html(self) -> str:
        t = self.target
        info = (f"<b>{self._t('target')}</b>: {escape(self.display_name or t.name)} — FreeSWITCH {escape(t.freeswitch.host)} "
                f"(ESL {t.freeswitch.esl_port}, ws {t.freeswitch.ws_port}, wss {t.freeswitch.wss_port}"
                + (f", Container {escape(t.freeswitch.container)}" if t.freeswitch.container else "")
                + f"), nginx {escape(t.nginx.address)}, {self._t('public')} {escape(t.tunnel.public_url)}"
                + (f" <i>({self._t('standin')})</i>" if t.tunnel.standin else "")
                + f"<br><b>{self._t('journal')}</b>: <code>{escape(self.journal.path)}</code>")
        if t.lab and self.simulated:
            info += f"<br><i class='fsnb-muted'>{self._t('lab')}</i>"
        return f"{CSS}<div class='fsnb-nb'>{info}</div>"

    def header(self):
        if self._unusable():
            return None
        from IPython.display import HTML, display
        if self.headless:
            display(HTML(self.header_html()))
            return None
        import ipywidgets as w
        self._header = w.HTML(self.header_html())
        self._progress = w.IntProgress(min=0, max=len(_all_ids()), value=0, bar_style="info")
        btn = w.Button(description=self._t("run_all"), button_style="primary", icon="play", layout=w.Layout(width="auto"))
        btn.add_class("fsnb-run-all")

        def all_clicked(_):
            self._progress.value = 0
            self.run_in_background(None)
        btn.on_click(all_clicked)

        def progress(_=None):
            with self._cv:
                total = sum(len(v) for v in self._running.values())
                got = sum(self._got.values())
            if total:
                self._progress.max, self._progress.value, self._progress.bar_style = total, min(got, total), "info"
            else:
                self._progress.bar_style = "success" if self.results else "info"
                self._progress.value = self._progress.max if self.results else 0
            btn.disabled = bool(total)
        self._on_result.append(progress)
        self._on_change.append(progress)
        display(w.VBox([self._header, w.HBox([btn, self._progress])]))
        return None

    def chain_html(self) -> str:
        res = self.all_results()
        settled = self.settled()
        svg = chain_picture.svg(res, 900, target=self.target, lang=self.lang, mark=settled)
        return f"<div class='fsnb-nb fsnb-chain-box' data-settled='{str(settled).lower()}'>{svg}</div>"

    def chain(self):
        """The chain picture, coloured as results come in; the break point once every check has finished."""
        if self._unusable():
            return None
        from IPython.display import HTML, display
        if self.headless:
            if not self.complete:
                self.run()
            display(HTML(self.chain_html()))
            return None
        import ipywidgets as w
        box = w.HTML(self.chain_html())
        box.add_class("fsnb-chain-widget")
        redraw = lambda *_: setattr(box, "value", self.chain_html())
        self._on_result.append(redraw)
        self._on_change.append(redraw)
        display(box)
        if self.auto_run:
            self.start_all()
        return None

    def _fill(self, card: dict, section: str) -> None:
        import ipywidgets as w
        res = self.section_results(section)
        card["badge"].value = badge(worst(res), self.lang)
        card["table"].value = ResultsView(res, self.lang)._repr_html_()
        card["evidence"].children = [w.HTML(evidence_html(r, self.lang)) for r in res]
        for i, r in enumerate(res):
            card["evidence"].set_title(i, f"{check_title(r.id, self.lang)} — {STATUS[r.status.value](self.lang)}")
        ids = {cid for cid in self.expected([section])}
        running = bool(ids & self.running_checks())
        card["status"].value = f"<i>{self._t('running')}</i>" if running else card.get("message", "")

    def step_html(self, section: str) -> str:
        res = self.section_results(section)
        title = SECTIONS[section](self.lang)
        return (f'{CSS}<div class="fsnb-nb fsnb-card" data-section="{escape(section)}"><h4>{escape(title)} '
                f'{badge(worst(res), self.lang)}</h4>' + ResultsView(res, self.lang)._repr_html_()
                + "".join(f"<details><summary>{escape(check_title(r.id, self.lang))}</summary>{evidence_html(r, self.lang)}"
                          "</details>" for r in res) + "</div>")

    def step(self, section: str):
        """One step of the analysis: card with run button, badge, result table and evidence."""
        if self._unusable():
            return None
        from IPython.display import HTML, display
        if self.headless:
            if not self.expected([section]) <= set(self.results):   # one run per notebook: the chain cell's
                self.run([section])                                  # run already has this step's results
            display(HTML(self.step_html(section)))
            return None
        import ipywidgets as w
        title = SECTIONS[section](self.lang)
        btn = w.Button(description=SHORT[section](self.lang), icon="play", tooltip=title, layout=w.Layout(width="auto"))
        btn.add_class(f"fsnb-run-{section}")
        card = {"badge": w.HTML(badge(None, self.lang)), "table": w.HTML(ResultsView([], self.lang)._repr_html_()),
                "evidence": w.Accordion([]), "status": w.HTML("")}
        card["badge"].add_class(f"fsnb-badge-{section}")
        card["table"].add_class(f"fsnb-table-{section}")
        card["status"].add_class(f"fsnb-state-{section}")
        self.cards[section] = card
        ids = self.expected([section])

        def clicked(_):
            card["message"] = ""
            def done(outcome):
                if isinstance(outcome, Exception):
                    card["message"] = f"<b>{self._t('aborted')}:</b> {escape(self.redactor.text(str(outcome)))}"
                self._fill(card, section)
            self.run_in_background([section], done)
        btn.on_click(clicked)
        self._on_result.append(lambda r: self._fill(card, section) if r.id in ids else None)
        self._on_change.append(lambda: self._fill(card, section))
        box = w.VBox([w.HTML(f"{CSS}<b>{escape(title)}</b>"), w.HBox([btn, card["badge"], card["status"]]),
                      card["table"], card["evidence"]])
        box.add_class("fsnb-card")
        display(box)
        self._fill(card, section)
        if self.auto_run:
            self.start_all()
        return None

    # -- the action: the fix of the leading cause ------------------------------------------------------
    def action_html(self) -> tuple[str, "actions.Plan | None"]:
        """What to do about the leading cause (the steps of its fix), and the profile start/restart when it helps."""
        L = self.lang
        if not self.settled():
            return f"<div class='fsnb-nb'><p class='fsnb-wait'>{self._t('action_wait')}</p></div>", None
        findings, _ = self.findings()
        lead = next((f for f in findings if f.severity == "fail"), None)
        if lead is None:
            return f"<div class='fsnb-nb fsnb-action-plan' data-plan='none'>{self._t('nothing_to_do')}</div>", None
        plan = actions.plan(_RunView(self))
        by = {r.id: r for r in self.all_results()}
        steps = fix_steps(lead, self.target, by, L) if plan is None else []
        items = "".join(f"<li>{_code(text)}" + (f"<br><code class='fsnb-step-cmd'>{escape(cmd)}</code>" if cmd else "")
                        + "</li>" for text, cmd in steps)
        html = (f"<div class='fsnb-nb fsnb-action-plan' data-plan='{'command' if plan else 'steps'}' "
                f"data-cause='{escape(lead.cause)}'><b>{self._t('lead')}:</b> {_code(pick(lead, 'text', L))}")
        if plan is None:
            html += (f"<h4>{self._t('fix')}</h4><ol class='fsnb-steps'>{items}</ol>"
                     f"<p class='fsnb-no-start fsnb-muted'>{self._t('no_start')}</p>")
        else:
            reason = plan.reason_en if L == "en" else plan.reason_de
            html += f"<br>{_code(reason)}"
        return html + "</div>", plan

    def action_result_html(self, p, res) -> str:
        L = self.lang
        port = str(self.target.freeswitch.wss_port)
        at = list(getattr(res, "log_at", None) or [])
        lines = [(line, at[i] if i < len(at) else None) for i, line in enumerate(res.log)]
        rank = lambda l: 0 if re.search(r"\[(ERR|CRIT|ALERT)\]", l) else 1 if "[WARNING]" in l else 2
        if res.ok:     # what decides a success: the listeners coming up (warnings about other things are noise)
            deciding = [x for x in lines if rank(x[0]) == 0 or re.search(r"wss|Adding|Starting|started|tport", x[0])][:6]
        else:          # what decides a failure: errors first, then warnings, each with its time after the command
            deciding = sorted([x for x in lines if rank(x[0]) < 2], key=lambda x: (rank(x[0]), x[1] or 0))
        fmt = lambda l, at: (f"<div class='{'fsnb-log-err' if rank(l) == 0 else 'fsnb-log-warn' if rank(l) == 1 else ''}'>"
                             + (f"<span class='fsnb-muted'>+{at:.1f} s</span> " if at is not None else "")
                             + f"{escape(l)}</div>")
        dec = ("".join(fmt(l, at) for l, at in deciding[:12]) if deciding else f"<i>{self._t('no_log')}</i>")
        st = [(self._t("st_wss", port=port), "wss_from_here"), (self._t("st_listen", port=port), "wss_listening_on"),
              (self._t("st_profile"), "profile_running"), (self._t("st_bind"), "wss_bind_url")]
        rows = "".join(f"<tr><td>{escape(k)}</td><td>{escape(human(res.before.get(f), L))}</td>"
                       f"<td>{escape(human(res.after.get(f), L))}</td></tr>" for k, f in st)
        summary = self._t("action_ok", port=port) if res.ok else self._t("action_bad", port=port)
        elapsed = getattr(res, "elapsed", 0.0) or 0.0
        return (f"{CSS}<div class='fsnb-nb fsnb-action-result' data-ok='{str(res.ok).lower()}'>"
                f"{badge('pass' if res.ok else 'fail', L)} <b>{escape(summary)}</b> "
                f"<span class='fsnb-muted'>(<code>{escape(p.command)}</code>, {self._t('after', s=elapsed)})</span>"
                + ("" if res.ok and not deciding else f"<h4>{self._t('deciding')}</h4><div class='fsnb-deciding'>{dec}</div>")
                + f"<table class='fsnb-table'><thead><tr><th></th><th>{self._t('before')}</th><th>{self._t('after_')}</th>"
                f"</tr></thead><tbody>{rows}</tbody></table>"
                f"<details><summary>{self._t('all_lines', n=len(lines))}</summary>"
                f"<pre>{escape(chr(10).join(res.log))}</pre></details>"
                f"<details><summary>{self._t('reply')}</summary><pre>{escape(res.output)}</pre></details></div>")

    def action(self):
        """The fix of the leading cause: its steps, and the profile start/restart (exact command, confirmation
        first) only when it can help."""
        if self._unusable():
            return None
        from IPython.display import HTML, display
        if self.headless:
            if not self.complete:
                self.run()
            html, plan = self.action_html()
            if plan is not None:
                html += (f"<div class='fsnb-nb'>{self._t('command')}: <code class='fsnb-command'>{escape(plan.command)}</code>"
                         " (headless)</div>")
            display(HTML(CSS + html))
            return None
        import ipywidgets as w
        head, cmd, out = w.HTML(), w.HTML(), w.HTML()
        head.add_class("fsnb-action-head")
        btn = w.Button(description=self._t("confirm"), button_style="danger", icon="check", disabled=True,
                       layout=w.Layout(width="auto"))
        btn.add_class("fsnb-confirm")
        prep = w.Button(description=self._t("prepare"), icon="wrench", disabled=True, layout=w.Layout(width="auto"))
        prep.add_class("fsnb-prepare")
        again = w.Button(description=self._t("recheck"), icon="refresh", layout=w.Layout(width="auto"))
        again.add_class("fsnb-recheck")
        state = {"plan": None, "acting": False}

        def draw():
            if state["acting"]:
                return
            html, plan = self.action_html()
            head.value = CSS + html
            if plan != state["plan"]:
                state["plan"] = plan
                cmd.value, btn.disabled = "", True
            prep.disabled = plan is None or self.busy
            again.disabled = self.busy
            for b in (prep, btn):      # no start/restart on offer: no buttons for it either
                b.layout.display = "none" if plan is None else None

        def prepare(_):
            p = state["plan"]
            if p is None:
                return
            cmd.value = (f"<div class='fsnb-nb'>{self._t('command')}: <code class='fsnb-command'>{escape(p.command)}</code>"
                         f"<br><span class='fsnb-muted'>{self._t('confirm_note')}</span></div>")
            btn.disabled = False

        def confirm(_):
            p = state["plan"]
            if p is None or state["acting"]:
                return
            state["acting"] = True
            btn.disabled = prep.disabled = again.disabled = True
            out.value = (f"<div class='fsnb-nb'><i>{self._t('action_running', s=4.0, port=self.target.freeswitch.wss_port)}"
                         "</i></div>")
            conf = actions.Confirmation.make(p.command, "notebook widget")

            def work():
                try:
                    res = actions.execute(self.target, p, conf, self.journal)
                    out.value = self.action_result_html(p, res)
                except Exception as exc:
                    out.value = f"<b>{self._t('aborted')}:</b> {escape(self.redactor.text(str(exc)))}"
                state["acting"] = False
                self.run_in_background(None)     # the whole chain again: the diagnosis follows the new state
            threading.Thread(target=work, daemon=True).start()

        prep.on_click(prepare)
        btn.on_click(confirm)
        again.on_click(lambda _: self.run_in_background(None))
        self._on_change.append(draw)
        box = w.VBox([head, w.HBox([prep, btn, again]), cmd, out])
        box.add_class("fsnb-card")
        box.add_class("fsnb-action")
        display(box)
        draw()
        if self.auto_run:
            self.start_all()
        return None

    # -- conclusions -----------------------------------------------------------------------------------
    def diagnosis_view(self):
        if not self.settled():
            if self.busy:
                with self._cv:
                    left = sum(len(v) for v in self._running.values()) - sum(self._got.values())
                return WaitingView(self._t("waiting", n=max(left, 1)))
            return WaitingView(self._t("incomplete", have=len(set(self.results) & _all_ids()), all=len(_all_ids())))
        findings, verdicts = self.findings()
        return DiagnosisView(findings, verdicts, self.lang, self.target, self.all_results())

    def diagnosis(self):
        """The diagnosis (most likely first) and the verdicts on the analysis' hypotheses — only ever from
        complete results: live it waits for running checks and redraws when a later run finishes."""
        if self._unusable():
            return None
        from IPython.display import HTML, display
        if self.headless:
            if not self.complete:
                self.run()
            display(HTML(self.diagnosis_view()._repr_html_()))
            return None
        import ipywidgets as w
        box = w.HTML(self.diagnosis_view()._repr_html_())
        box.add_class("fsnb-diagnosis-widget")
        self._on_change.append(lambda: setattr(box, "value", self.diagnosis_view()._repr_html_()))
        display(box)
        self.start_all()
        return None

    def table(self):
        """Every result of this session, one row per check per run, in the analysis' order, read back from the
        journal (survives kernel restarts). Waits for running checks. `.tidy` is the DataFrame."""
        if self._unusable():
            return None
        if not self.headless:
            self.wait_idle()
        df = tidy(self.journal.path, self.lang)
        return styled_table(df, self.lang)


def _local(ts: str):
    import datetime as _dt
    try:
        return _dt.datetime.fromisoformat(ts).astimezone()
    except (TypeError, ValueError):
        return None


def tidy(journal_path, lang: str = "de") -> pd.DataFrame:
    """The journal's results as a tidy frame: run number and time, step, check, status word, finding, ms."""
    from fsnb.checks import order_key
    from fsnb.journal import read
    recs = read(journal_path).of("result")
    runs: dict[str, str] = {}
    for r in recs:
        runs.setdefault(r.get("run", "?"), r.get("ts", ""))
    order = {run: i for i, run in enumerate(sorted(runs, key=runs.get), 1)}
    rows = []
    for r in recs:
        res = Result.from_dict(r)
        local = _local(runs[r.get("run", "?")])
        rows.append({U["col_run"](lang): f"{order[r.get('run', '?')]} · {local.strftime('%H:%M:%S') if local is not None else ''}",
                     "_run": order[r.get("run", "?")], "_order": order_key(res.id),
                     U["col_step"](lang): SECTIONS.get(res.section, T(res.section, res.section))(lang).split(":")[0].split(" —")[0],
                     U["col_check"](lang): check_title(res.id, lang), U["col_status"](lang): STATUS[res.status.value](lang),
                     U["col_finding"](lang): res.text(lang), "ms": round(res.duration * 1000), "_id": res.id,
                     "_target": res.target})
    cols = [U["col_run"](lang), U["col_step"](lang), U["col_check"](lang), U["col_status"](lang), U["col_finding"](lang), "ms"]
    df = pd.DataFrame(rows, columns=cols + ["_run", "_order", "_id", "_target"])
    df = df.sort_values(["_run", "_order"], kind="stable").reset_index(drop=True)
    df.attrs["target"] = ", ".join(sorted({t for t in df["_target"] if t}))
    df.attrs["ids"] = list(df["_id"])
    return df[cols]


def styled_table(df: pd.DataFrame, lang: str = "de"):
    """The tidy frame as an escaped, left-aligned Styler: the target once in the caption, run and step only where
    they change."""
    shown = df.copy()
    run, step = U["col_run"](lang), U["col_step"](lang)
    if len(df):
        runs, steps = list(df[run]), list(zip(df[run], df[step], strict=True))
        shown[run] = [v if i == 0 or v != runs[i - 1] else "" for i, v in enumerate(runs)]
        shown[step] = [v[1] if i == 0 or v != steps[i - 1] else "" for i, v in enumerate(steps)]
    colour = {STATUS[s](lang): BADGE[s] for s in BADGE}
    sty = styler(shown).hide(axis="index").set_caption(escape(U["table_caption"].format(target=df.attrs.get("target", ""))(lang)))
    sty = sty.map(lambda v: (f"color:{'#8d5b00' if v == STATUS['warn'](lang) else colour[v]};font-weight:700;"
                             "white-space:nowrap") if v in colour else "", subset=[U["col_status"](lang)])
    sty = sty.set_table_attributes('class="fsnb-table fsnb-results"').set_table_styles([
        {"selector": "td, th", "props": "text-align: left !important; vertical-align: top; padding: 3px 8px; "
                                        "white-space: pre-wrap; border-bottom: 1px solid #eceff1;"},
        {"selector": "td:first-child, td:last-child, th", "props": "white-space: nowrap;"},
        {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: 600; padding: 4px 0;"}])
    sty.tidy = df
    return sty


class _RunView:
    """Adapter: the latest results of a notebook session, shaped like a Run for actions.plan()."""

    def __init__(self, rb: Runbook):
        res = rb.all_results()
        self.target, self.results = rb.target, res
        self.findings = rules.diagnose(res)


# -- the incident report in a notebook ---------------------------------------------------------------------------
R = dict(
    pick=T("Journal", "Journal"), none=T("Kein Journal gefunden.", "No journal found."),
    this=T("diese Sitzung", "this session"), other=T("von {u}", "by {u}"),
    md=T("Markdown für das Ticket", "Markdown for the ticket"), download=T("Markdown herunterladen", "Download Markdown"),
    copy=T("Zum Kopieren: ins Feld klicken, alles markieren, kopieren.", "To copy: click into the box, select all, copy."),
    started=T("Journal begonnen auf {h} (fsnb {v})", "Journal started on {h} (fsnb {v})"),
    run=T("Prüflauf ({what}): {counts}", "Check run ({what}): {counts}"),
    runs=T("{n} Prüfläufe ({what}): Stand danach {counts}", "{n} check runs ({what}): state after them {counts}"),
    all=T("alle Prüfungen", "all checks"), diag=T("Diagnose: {c}", "Diagnosis: {c}"),
    no_findings=T("Diagnose: keine Befunde", "Diagnosis: no findings"),
    confirmed=T("Bestätigt von {who}: {cmd} ({how})", "Confirmed by {who}: {cmd} ({how})"),
    action=T("Aktion {cmd}: {ok}", "Action {cmd}: {ok}"), ok=T("erfolgreich", "succeeded"), bad=T("ohne Erfolg", "failed"),
)


class _Line(str):
    """A timeline text already in the reader's language (also callable like a T)."""

    def __call__(self, lang: str = "de") -> str:
        return str(self)


def _counts(results: list[Result], lang: str) -> str:
    c: dict[str, int] = {}
    for r in results:
        c[r.status.value] = c.get(r.status.value, 0) + 1
    return ", ".join(f"{n} {STATUS[s](lang)}" for s, n in sorted(c.items(), key=lambda x: -chain_picture.RANK[x[0]]))


def grouped_timeline(data, lang: str = "de") -> list[tuple[str, str]]:
    """The report's timeline by run, not per click: consecutive check runs with no action between them are one
    line (with the state after them); a diagnosis only when its causes change."""
    events: list[tuple[str, str, object]] = []
    if data.meta:
        events.append((data.meta.get("ts", ""), "meta", data.meta))
    for res in data.runs.values():
        if res:
            events.append((min(r.ts for r in res), "run", res))
    for rec in data.diagnoses.values():
        events.append((rec.get("ts", ""), "diag", rec))
    for c in data.confirmations:
        events.append((c.get("ts", ""), "conf", c))
    for a in data.actions:
        events.append((a.get("ts", ""), "action", a))
    for ts, text in data.timeline:       # lines of kinds this view does not rebuild (e.g. a declined action)
        s = text(lang) if callable(text) else str(text)
        if s.startswith(("Aktion nicht bestätigt", "Action not confirmed")):
            events.append((ts, "other", s))
    events.sort(key=lambda e: e[0])
    out: list[tuple[str, str]] = []
    latest: dict[str, Result] = {}
    group: list = []
    last_diag = None

    def flush():
        if not group:
            return
        sections = []
        for res in group:
            secs = sorted({r.section for r in res}, key=lambda x: list(SECTIONS).index(x) if x in SECTIONS else 99)
            what = R["all"](lang) if {r.id for r in res} >= _all_ids() else ", ".join(
                SECTIONS[x](lang).split(":")[0].split(" —")[0] for x in secs if x in SECTIONS)
            sections.append(what)
        what = ", ".join(dict.fromkeys(sections))
        counts = _counts(list(latest.values()), lang)
        text = (R["run"] if len(group) == 1 else R["runs"]).format(n=str(len(group)), what=what, counts=counts)(lang)
        out.append((group_ts[0], _Line(text)))
        group.clear()

    group_ts: list[str] = []
    for ts, kind, obj in events:
        if kind == "run":
            if not group:
                group_ts[:] = [ts]
            group.append(obj)
            for r in obj:
                latest[r.id] = r
            continue
        if kind == "diag":
            causes = [i.get("cause", "?") for i in obj.get("items", []) if isinstance(i, dict)]
            if causes == last_diag:
                continue
            flush()
            last_diag = causes
            out.append((ts, _Line(R["diag"].format(c=", ".join(causes))(lang) if causes else R["no_findings"](lang))))
            continue
        flush()
        if kind == "meta":
            out.append((ts, _Line(R["started"].format(h=str(obj.get("host", "?")), v=str(obj.get("fsnb", "?")))(lang))))
        elif kind == "conf":
            out.append((ts, _Line(R["confirmed"].format(who=str(obj.get("who")), cmd=str(obj.get("command")),
                                                        how=str(obj.get("how")))(lang))))
        elif kind == "action":
            out.append((ts, _Line(R["action"].format(cmd=str(obj.get("command")),
                                                     ok=(R["ok"] if obj.get("ok") else R["bad"])(lang))(lang))))
        else:
            out.append((ts, _Line(str(obj))))
    flush()
    return [(_when(ts), text) for ts, text in out]


def _when(ts: str) -> str:
    """An ISO timestamp as local date and time (to the second)."""
    t = _local(ts) if ts else None
    return t.strftime("%Y-%m-%d %H:%M:%S") if t else ts


def scope_css(css: str, scope: str) -> str:
    """Every rule of `css` limited to elements inside `scope` (the report's h1/h2/table rules must not restyle the
    notebook around it); `body` becomes the scope itself."""
    out = []
    for rule in css.replace("\n", "").split("}"):
        if "{" not in rule:
            continue
        sel, body = rule.split("{", 1)
        scoped = ",".join(scope if s.strip() == "body" else f"{scope} {s.strip()}" for s in sel.split(",") if s.strip())
        out.append(f"{scoped}{{{body}}}")
    return "\n".join(out)


def journals(lang: str = "de") -> list[tuple[str, str]]:
    """(label, path) of the journals here, newest first; the label says whose and which target, not more."""
    import pwd
    d = _state_dir() / "journals"
    mine = session_journal()
    rows = []
    for p in d.glob("*.jsonl") if d.is_dir() else []:
        try:
            st = p.stat()
            owner = pwd.getpwuid(st.st_uid).pw_name
        except (OSError, KeyError):
            continue
        label = f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(st.st_mtime))} — {p.stem}"
        label += f" ({R['this'](lang)})" if str(p) == mine else ""
        rows.append((st.st_mtime, label, str(p), owner))
    rows.sort(reverse=True)
    return [(lab + ("" if owner == getpass.getuser() else f" [{owner}]"), path) for _, lab, path, owner in rows]


def default_journal() -> str | None:
    """This session's journal; else the newest of this user's (never someone else's)."""
    mine = session_journal()
    if mine:
        return mine
    uid = os.getuid()
    d = _state_dir() / "journals"
    own = [p for p in (d.glob("*.jsonl") if d.is_dir() else []) if p.stat().st_uid == uid]
    return str(max(own, key=lambda p: p.stat().st_mtime)) if own else None


class ReportView:
    """The incident report of one journal: its own CSS scoped to it, the timeline by run, the Markdown to copy."""

    def __init__(self, path: str, lang: str = "de"):
        from fsnb.present import report
        self.path, self.lang = path, lang
        self.data = report.load(path)
        self.data.timeline = grouped_timeline(self.data, lang)
        self._report = report

    def markdown(self) -> str:
        return self._report.markdown(self.data, self.lang)

    def _repr_html_(self) -> str:
        import base64
        body = self._report.html(self.data, self.lang)
        body = body[body.index("<body>") + 6:body.index("</body>")].replace("<h1>", "<h2>").replace("</h1>", "</h2>")
        md = self.markdown()
        href = "data:text/markdown;charset=utf-8;base64," + base64.b64encode(md.encode()).decode()
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(self.path).stem) + ".md"
        L = self.lang
        return (f"<style>{scope_css(self._report.CSS, '.fsnb-report')}</style>"
                f"<div class='fsnb-report' data-journal='{escape(self.path)}'>{body}"
                f"<h2>{R['md'](L)}</h2><p><a class='fsnb-md-download' download='{escape(name)}' href='{href}' "
                f"style='display:inline-block;padding:3px 12px;border-radius:4px;background:#1976d2;color:#fff;"
                f"text-decoration:none;font-weight:600'>⬇ "
                f"{R['download'](L)}</a> · <span class='fsnb-muted'>{R['copy'](L)}</span></p>"
                f"<textarea class='fsnb-md' readonly rows='14' style='width:100%;font-family:monospace;font-size:12px'>"
                f"{escape(md)}</textarea></div>")


def incident_report(journal: str | None = None, lang: str = "de", headless: bool = False):
    """The incident report in the notebook: the journal of this session by default (or `journal`), a picker for the
    others (live), the report with CSS scoped to it, and its Markdown to copy or download."""
    from IPython.display import HTML, display
    lang = lang if lang in LANGS else "de"
    path = journal or default_journal()
    if not path:
        display(HTML(f"<p>{R['none'](lang)}</p>"))
        return None
    if headless:
        display(ReportView(path, lang))
        return None
    import ipywidgets as w
    options = journals(lang)
    if path not in [p for _, p in options]:
        options = [(Path(path).stem, path)] + options
    pickr = w.Dropdown(options=options, value=path, description=R["pick"](lang), layout=w.Layout(width="90%"))
    pickr.add_class("fsnb-journal-picker")
    out = w.HTML(ReportView(path, lang)._repr_html_())
    out.add_class("fsnb-report-widget")
    pickr.observe(lambda change: setattr(out, "value", ReportView(change["new"], lang)._repr_html_()), names="value")
    display(w.VBox([pickr, out]))
    return None
