"""Every user-facing string of the runbook in both languages, its CSS, and the checks' titles."""
from __future__ import annotations

import re

from fsnb.diagnosis.rules import Judgement
from fsnb.i18n import T
from fsnb.present import headings, render

# -- texts --------------------------------------------------------
SECTIONS = headings.SECTIONS
SHORT = {"wissen": T("Annahmen prüfen", "Check the assumptions"), "schritt1": T("Schritt 1 prüfen", "Run step 1"),
         "schritt2": T("Schritt 2 prüfen", "Run step 2"), "schritt3": T("Schritt 3 prüfen", "Run step 3"),
         "schritt4": T("Schritt 4 prüfen", "Run step 4"),
         "schritt5": T("Schritt 5 prüfen", "Run step 5"), "alternative": T("Alternative prüfen", "Check the alternative")}
STATUS = render.WORD
RUNBOOK_TEXT = dict(
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
    sum_wait=T("Die Ursache und ihre Behebung erscheinen hier, sobald alle Prüfungen fertig sind ({got} von {n}).",
               "The cause and its fix appear here once every check has finished ({got} of {n})."),
    sum_not_run=T("Noch nicht geprüft: „Alle Schritte prüfen“ (oder Run All) — dann stehen hier Ursache und Behebung.",
                  "Not checked yet: “Run all steps” (or Run All) — then the cause and its fix appear here."),
    sum_offer=T("fsnb bietet dafür unten (Schritt 2, Aktion) nach Bestätigung an:",
                "fsnb offers for it below (step 2, action), after confirmation:"),
    sum_warn=T("Keine Ursache; Warnungen: {causes} (siehe Diagnose).", "No cause; warnings: {causes} (see the diagnosis)."),
    fixed=T("Behoben: {cause} — durch {cmd}. Die erneute Prüfung findet keine Ursache mehr.",
            "Resolved: {cause} — by {cmd}. The re-check finds no cause any more."),
    note_note=T("Notiz", "Note"), note_manual=T("Manuelle Behebung", "Manual fix"),
    note_save=T("Ins Journal schreiben", "Write to the journal"),
    note_placeholder=T("Was du beobachtet oder von Hand geändert hast …", "What you observed or changed by hand …"),
    note_saved=T("Im Journal: {kind} ({ts})", "In the journal: {kind} ({ts})"),
    note_none=T("Noch keine Notizen in diesem Journal.", "No notes in this journal yet."),
)
HYPOTHESES_EN = {"1.": "1. The profile is not loaded / does not load automatically",
                 "2.": "2. The WSS binding needs explicit activation", "3.": "3. ESL is not configured",
                 "4.": "4. Cloudflare tunnel: FreeSWITCH must listen on HTTP/WS",
                 "Schritt 4": "Step 4 of the analysis: curl -H 'Upgrade: websocket' http://localhost:7443/"}
# outcome codes of the typed observations, as words (a safety net for texts that quote them)
OUTCOME_WORDS = {"http-status": T("HTTP-Fehlerstatus statt 101", "an HTTP error status instead of 101"),
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
.fsnb-nb.fsnb-summary{border-left:5px solid #78909c;background:#f5f7f8;padding:8px 12px;margin:4px 0;font-size:14px}
.fsnb-nb.fsnb-summary[data-state=cause]{border-left-color:#c62828;background:#fff5f5}
.fsnb-nb.fsnb-summary[data-state=ok],.fsnb-nb.fsnb-summary[data-state=fixed]{border-left-color:#2e7d32;background:#f1f8e9}
.fsnb-nb.fsnb-summary ol{margin:4px 0 4px 20px;padding:0}
</style>"""

# a verdict on the analysis' hypotheses, coloured by its typed judgement (the words: fsnb.diagnosis.rules.VERDICT)
VERDICT_COLOUR = {Judgement.CONFIRMED: "#2e7d32", Judgement.REFUTED: "#546e7a", Judgement.PARTLY: "#ef6c00",
                  Judgement.OPEN: "#78909c"}
UNKNOWN_VERDICT_COLOUR = "#78909c"

_ALL_IDS: frozenset[str] = frozenset()


def all_ids() -> frozenset[str]:
    """Every check's id (the registry is read once)."""
    global _ALL_IDS
    if not _ALL_IDS:
        from fsnb.checks import all_checks
        _ALL_IDS = frozenset(c.id for c in all_checks())
    return _ALL_IDS


def _titles() -> dict[str, tuple[str, str]]:
    from fsnb.checks import all_checks
    return {c.id: (c.title_de, c.title_en) for c in all_checks()}


def known_check(cid: str) -> bool:
    return cid in _titles()


def check_title(cid: str, lang: str, short: bool = True) -> str:
    de, en = _titles().get(cid, (cid, cid))
    t = en if lang == "en" else de
    return re.sub(r"^(Schritt|Step) \d+: ", "", t) if short else t


def text(key: str, lang: str, **kw) -> str:
    """One of RUNBOOK_TEXT in `lang`, its {fields} filled."""
    t = RUNBOOK_TEXT[key]
    return (t.format(**kw) if kw else t)(lang)
