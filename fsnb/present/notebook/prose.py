"""The notebooks' prose in both languages: each section's Markdown, as the analysis words it (German) and in English.

The notebooks hold no prose of their own: a prose cell is one line (`rb.prose("wissen")`, `report_prose("intro")`)
that shows its section in the notebook's `lang`, so `lang = "en"` turns every heading and paragraph English, not
only the widgets. Headings follow the analysis' sections (fsnb.present.headings).
"""
from __future__ import annotations

from fsnb.i18n import T

RUNBOOK = {
    "intro": T(
        "Dieses Runbook folgt der Analyse *FreeSWITCH WSS Problem – Detaillierte Analyse* Abschnitt für Abschnitt. "
        "Jeder Schritt ist eine Prüfung mit Beleg; jede Vermutung der Analyse wird bewiesen oder widerlegt. Ohne "
        "Zieldatei läuft es gegen das eingebaute Lab (`fsnb lab up`). Nach *Run All* steht die Ursache mit ihrer "
        "Behebung direkt unter dem Ziel.",
        "This runbook follows the analysis *FreeSWITCH WSS Problem – Detailed analysis* section by section. Every "
        "step is a check with evidence; every guess of the analysis is proven or refuted. Without a target file it "
        "runs against the built-in lab (`fsnb lab up`). After *Run All* the cause and its fix appear right below "
        "the target."),
    "problem": T(
        "## Problem\n**FreeSWITCH lauscht NICHT auf Port 7443 für WSS (WebSocket Secure)**\n\n"
        "Die Kette direkt unter diesem Text zeigt den Weg Browser → Cloudflare → nginx → FreeSWITCH ws/wss → Profil → "
        "ESL mit den Ports des Ziels und färbt sich mit jedem Ergebnis. Sind alle Prüfungen fertig, markiert sie die "
        "Bruchstelle — und welche Glieder nur ihretwegen scheitern.",
        "## Problem\n**FreeSWITCH does NOT listen on port 7443 for WSS (WebSocket Secure)**\n\n"
        "The chain right below shows the path browser → Cloudflare → nginx → FreeSWITCH ws/wss → profile → ESL "
        "with the target's ports and takes colour with every result. Once every check has finished it marks the "
        "break point — and which links fail only because of it."),
    "wissen": T(
        "## Was wir wissen\nDie Analyse hält für gesichert: `wss.pem` existiert, `wss-binding` steht auf `:7443`, "
        "nginx leitet 8082 weiter, der Tunnel läuft. fsnb prüft jede dieser Annahmen am System.",
        "## What we know\nThe analysis takes as given: `wss.pem` exists, `wss-binding` is set to `:7443`, nginx "
        "forwards 8082, the tunnel runs. fsnb checks each of these assumptions on the system."),
    "ursachen": T(
        "## Mögliche Ursachen\n1. FreeSWITCH Profil wird nicht geladen\n2. WSS-Binding benötigt explizite "
        "Aktivierung\n3. ESL (Event Socket Library) nicht konfiguriert\n4. Cloudflare Tunnel WebSocket Problem\n\n"
        "Das Urteil zu jeder Vermutung steht unter *Nächste Schritte*, belegt durch die Prüfungen der folgenden "
        "Schritte.",
        "## Possible causes\n1. The FreeSWITCH profile is not loaded\n2. The WSS binding needs explicit "
        "activation\n3. ESL (Event Socket Library) is not configured\n4. A Cloudflare tunnel WebSocket problem\n\n"
        "The verdict on each guess is under *Next steps*, backed by the checks of the following steps."),
    "schritt1": T(
        "## Lösung — Schritt für Schritt\n### Schritt 1: Prüfe ob ESL funktioniert\n"
        "Statt `docker exec aidevelo-freeswitch fs_cli -x 'status'` (das bei jedem Fehler nur `Error Connecting []` "
        "sagt) liest fsnb den ersten ESL-Frame selbst.",
        "## Solution — step by step\n### Step 1: check that ESL works\n"
        "Instead of `docker exec aidevelo-freeswitch fs_cli -x 'status'` (which says only `Error Connecting []` "
        "whatever went wrong) fsnb reads the first ESL frame itself."),
    "schritt2": T(
        "### Schritt 2: Starte internes Profil manuell\n"
        "Erst prüfen, ob es läuft und was das Log sagt. Die Aktion darunter folgt der Diagnose: sie zeigt die "
        "Behebung der wahrscheinlichsten Ursache; Start/Restart des Profils bietet sie nur an, wenn er helfen kann — "
        "mit dem genauen Befehl vorher und der Bestätigung im Journal.",
        "### Step 2: start the internal profile by hand\n"
        "First check whether it runs and what the log says. The action below follows the diagnosis: it shows the "
        "fix of the most likely cause; it offers a profile start/restart only when that can help — with the exact "
        "command first and the confirmation in the journal."),
    "schritt3": T(
        "### Schritt 3: Prüfe ob Port 7443 jetzt lauscht\n"
        "Statt `netstat -tulpn` (fehlt in vielen Images): `/proc/net/tcp` im Container, plus Erreichbarkeit von "
        "hier — und auf welcher Adresse.",
        "### Step 3: check that port 7443 listens now\n"
        "Instead of `netstat -tulpn` (missing from many images): `/proc/net/tcp` in the container, plus "
        "reachability from here — and on which address."),
    "schritt4": T(
        "### Schritt 4: Teste WebSocket direkt\n"
        "Ein echter Handshake mit `Sec-WebSocket-Protocol: sip`, dann SIP OPTIONS — direkt, durch nginx und über "
        "den öffentlichen Hostnamen.",
        "### Step 4: test the WebSocket directly\n"
        "A real handshake with `Sec-WebSocket-Protocol: sip`, then SIP OPTIONS — directly, through nginx and via "
        "the public hostname."),
    "schritt5": T(
        "### Schritt 5 — Medien: hat ein Anruf Ton?\n"
        "Die Analyse endet bei „der WebSocket antwortet“. Danach merken Nutzer zuerst: ein Anruf verbindet, aber ohne "
        "Ton. Der Cloudflare-Tunnel trägt nur die Signalisierung (WebSocket), kein UDP — die Medien brauchen einen "
        "eigenen Weg (eine erreichbare Adresse in der SDP, `ext-rtp-ip`, veröffentlichte RTP-Ports oder TURN). fsnb "
        "liest die Medien-Konfiguration und ruft über denselben Weg wie ein Browser das Echo (`9196`) an — echtes "
        "WebRTC (ICE, DTLS-SRTP, PCMU) — und misst, was zurückkommt.",
        "### Step 5 — media: does a call have audio?\n"
        "The analysis stops at “the WebSocket answers”. What users notice next: a call connects, but without audio. "
        "The Cloudflare tunnel carries only the signalling (WebSocket), no UDP — media needs a path of its own (a "
        "reachable address in the SDP, `ext-rtp-ip`, published RTP ports or TURN). fsnb reads the media config and "
        "calls the echo (`9196`) the way a browser does — real WebRTC (ICE, DTLS-SRTP, PCMU) — and measures what "
        "comes back."),
    "alternative": T(
        "## Alternative: FreeSWITCH über HTTP statt WSS\n"
        "WS 5066 mit TLS-Terminierung in nginx/Cloudflare — wo es Browser bricht und was stattdessen funktioniert.",
        "## Alternative: FreeSWITCH over HTTP instead of WSS\n"
        "WS 5066 with TLS terminated in nginx/Cloudflare — where it breaks browsers and what works instead."),
    "naechste": T(
        "## Nächste Schritte\n"
        "Diagnose (wahrscheinlichste Ursache zuerst: Befund → Belege → Behebung), das Urteil über die Vermutungen der "
        "Analyse und alle Ergebnisse dieser Sitzung. Beides erscheint erst, wenn alle Prüfungen fertig sind.",
        "## Next steps\n"
        "The diagnosis (most likely cause first: finding → evidence → fix), the verdict on the analysis' guesses "
        "and every result of this session. Both appear only once every check has finished."),
    "notes": T(
        "## Notizen\n"
        "Was du beobachtet oder von Hand geändert hast, gehört ins Journal: eine Notiz, oder eine *manuelle Behebung* "
        "(der Bericht führt sie als solche, nicht als Aktion von fsnb). Auf der Kommandozeile: "
        "`fsnb note TEXT [--manual-fix] [--journal DATEI]`.",
        "## Notes\n"
        "What you observed or changed by hand belongs in the journal: a note, or a *manual fix* (the report lists it "
        "as such, not as an action of fsnb). On the command line: `fsnb note TEXT [--manual-fix] [--journal FILE]`."),
}

REPORT = {
    "intro": T(
        "# Incident-Bericht\n\n"
        "Der Bericht aus einem Journal: zuerst die Zusammenfassung (Ursache, behoben oder nicht, Beginn und Ende), "
        "dann Zeitleiste (nach Prüfläufen gruppiert), Notizen, Ziel (ohne Geheimnisse), Ergebnisse, Diagnose mit "
        "Belegen, jede Aktion mit Bestätigung, vorher/nachher, nächste Schritte — und darunter das Markdown für das "
        "Ticket zum Kopieren oder Herunterladen (dasselbe wie `fsnb report JOURNAL --format markdown`).\n\n"
        "Ohne Angabe zeigt er das Journal dieser Sitzung (des Runbooks in diesem JupyterLab); die Auswahl oben öffnet "
        "andere.",
        "# Incident report\n\n"
        "The report of a journal: first the summary (cause, resolved or not, start and end), then the timeline "
        "(grouped by check run), notes, the target (without secrets), results, the diagnosis with evidence, every "
        "action with its confirmation, before/after, next steps — and below it the Markdown for the ticket to copy or "
        "download (the same as `fsnb report JOURNAL --format markdown`).\n\n"
        "By default it shows the journal of this session (the runbook's in this JupyterLab); the picker above opens "
        "others."),
}

ALL = {"runbook": RUNBOOK, "incident-report": REPORT}


def markdown(kind: str, key: str, lang: str) -> str:
    return ALL[kind][key](lang)


def show(kind: str, key: str, lang: str) -> None:
    """Display one prose section as Markdown (a notebook's prose cell)."""
    from IPython.display import Markdown, display
    display(Markdown(markdown(kind, key, "en" if lang == "en" else "de")))
