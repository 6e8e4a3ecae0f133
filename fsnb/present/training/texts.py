"""The training's own words (de, en): hints per step and the cells' texts."""
from __future__ import annotations

from fsnb.i18n import T

HINTS = {
    "wissen": T("Die Analyse hält vier Dinge für gesichert. Welche Annahme hält der Prüfung nicht stand?",
                "The analysis takes four things for granted. Which assumption does not survive the check?"),
    "schritt1": T("Funktioniert ESL? Wenn ja, kann fsnb FreeSWITCH selbst fragen — ESL ist dann nicht die Ursache.",
                  "Does ESL work? If so, fsnb can ask FreeSWITCH itself — and ESL is not the cause."),
    "schritt2": T("Läuft das Profil? Wenn nicht: das Log seit dem Start sagt, warum — eine [ERR]-Zeile oder ein Stopp.",
                  "Is the profile running? If not, the log since the start says why — an [ERR] line or a stop."),
    "schritt3": T("Lauscht 7443 — und auf welcher Adresse? Lauscht 5060 auch nicht, ist das ganze Profil aus.",
                  "Does 7443 listen — and on which address? If 5060 does not listen either, the whole profile is down."),
    "schritt4": T("Wo auf dem Weg Browser → Cloudflare → nginx → FreeSWITCH scheitert der Handshake zuerst? Von "
                  "FreeSWITCH aus gesehen: das erste Glied, das scheitert, ist meist die Ursache; die davor sind Folgen.",
                  "Where on the path browser → Cloudflare → nginx → FreeSWITCH does the handshake fail first? Seen "
                  "from FreeSWITCH: the first hop that fails is usually the cause; the ones in front are consequences."),
    "schritt5": T("Verbindet der Anruf, und kommt Ton zurück? Welche Adresse nennt FreeSWITCH in seiner SDP-Antwort — und "
                  "kann der Browser sie erreichen, wenn der Tunnel kein UDP trägt?",
                  "Does the call connect, and does audio come back? Which address does FreeSWITCH name in its SDP answer "
                  "— and can the browser reach it when the tunnel carries no UDP?"),
    "alternative": T("Hilft WS 5066 statt WSS? Achte auf den Via-Header des Browsers.",
                     "Does WS 5066 instead of WSS help? Mind the browser's Via header."),
}
TRAINING_TEXT = dict(
    case=T("Fall", "Case"), random=T("Zufälliger Fall", "Random case"), new=T("Fall starten", "Start case"),
    briefing=T("Meldung", "Report"), your_task=T("Finde die Ursache mit den Schritten unten: jeder zeigt, was er "
                                                "beobachtet — das Urteil fällst du. Hinweise gibt es auf Nachfrage; deine "
                                                "Antwort gibst du am Ende ab.",
                                                "Find the cause with the steps below: each shows what it observes — you "
                                                "judge. Hints on request; you answer at the end."),
    hint=T("Hinweis", "Hint"), more=T("Noch ein Hinweis", "Another hint"),
    guess=T("Deine Ursache", "Your cause"), dont_know=T("— weiß nicht —", "— don't know —"),
    answers=T("Mögliche Ursachen, nach Glied der Kette (Browser → ESL):", "Possible causes, by hop of the chain "
              "(browser → ESL):"),
    reasoning=T("Deine Begründung: welcher Beleg entscheidet?", "Your reasoning: which evidence decides it?"),
    submit=T("Antwort abgeben", "Submit answer"), saved=T("Gespeichert: {g}", "Saved: {g}"),
    reveal=T("Auflösen", "Reveal"), need_guess=T("Erst eine Antwort abgeben, dann auflösen.",
                                                  "Submit an answer first, then reveal."),
    right=T("Richtig", "Correct"), wrong=T("Nicht ganz", "Not quite"), none=T("keine Antwort", "no answer"),
    yours=T("Deine Antwort", "Your answer"), expected=T("Erwartete Ursache", "Expected cause"),
    fsnb_says=T("fsnb nennt zuerst", "fsnb names first"), agrees=T("stimmt", "agrees"), differs=T("weicht ab", "differs"),
    why=T("Warum: Ursache → entscheidender Beleg → Behebung", "Why: cause → deciding evidence → fix"),
    cause=T("Ursache", "Cause"), deciding=T("Entscheidender Beleg", "Deciding evidence"), fix=T("Behebung", "Fix"),
    fsnb_evidence=T("fsnb stützt sich auf", "fsnb relies on"),
    warn_case=T("Dieser Fall ist eine Warnung: nichts ist kaputt, aber fragil — die Behebung macht es robust.",
                "This case is a warning: nothing is broken, but fragile — the fix makes it robust."),
    reason_good=T("Deine Begründung nennt den entscheidenden Beleg.", "Your reasoning names the deciding evidence."),
    reason_miss=T("Deine Begründung nennt den entscheidenden Beleg nicht — er steht in: {w}.",
                  "Your reasoning misses the deciding evidence — it is in: {w}."),
    fix_title=T("Im Lab beheben", "Fix it in the lab"),
    your_fix=T("Deine Behebung — in einem Terminal oder hier im Notebook:", "Your fix — in a terminal or here in the "
               "notebook:"),
    fix_before=T("Nach der Auflösung steht hier, welche Datei und welcher Befehl. Du kannst es auch vorher selbst "
                 "beheben und prüfen lassen.", "After the reveal this shows which file and which command. You may also "
                 "fix it before and have it checked."),
    lab_files=T("Die Dateien des Labs", "The lab's files"),
    command=T("Befehl an FreeSWITCH (wie fs_cli -x)", "Command to FreeSWITCH (like fs_cli -x)"),
    send=T("Senden", "Send"),
    verify=T("Meine Behebung prüfen", "Check my fix"), verifying=T("Prüfe alles neu …", "Re-checking everything …"),
    graded_ok=T("Behoben — von dir: nach deiner Änderung besteht jede Prüfung, die Kette ist ganz.",
                "Fixed — by you: after your change every check passes, the chain is whole."),
    graded_warn_ok=T("Behoben — von dir: die Warnung ist weg, jede Prüfung besteht.",
                     "Fixed — by you: the warning is gone, every check passes."),
    graded_not=T("Noch nicht behoben — fsnb nennt jetzt: {c}", "Not fixed yet — fsnb now names: {c}"),
    still_failing=T("Noch fehlgeschlagen", "Still failing"),
    fallback=T("fsnb behebt es (Rückfall)", "fsnb fixes it (fallback)"),
    restart_fs=T("FreeSWITCH neu starten", "Restart FreeSWITCH"),
    fix_running=T("Behebe und prüfe neu …", "Fixing and re-checking …"),
    fixed=T("Bestätigt: nach der Behebung besteht jede Prüfung, die Kette ist ganz.",
            "Confirmed: after the fix every check passes, the chain is whole."),
    not_fixed=T("Noch nicht behoben — fsnb nennt jetzt: {c}", "Not fixed yet — fsnb now names: {c}"),
    reveal_first=T("Erst auflösen, dann beheben.", "Reveal first, then fix."),
    not_run=T("Erst den Schritt ausführen (▶), dann lesen.", "Run the step first (▶), then read it."),
    not_here=T("Der entscheidende Beleg steht nicht in diesem Schritt, sondern in „{s}“. Was schließt dieser Schritt aus?",
               "The deciding evidence is not in this step but in “{s}”. What does this step rule out?"),
    look=T("Schau genau hin: {p}.", "Look closely: {p}."),
)
