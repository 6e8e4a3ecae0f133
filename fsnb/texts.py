"""Section headings and short texts, German like the analysis, English on request."""
from __future__ import annotations

SECTIONS = {
    "wissen": ("Was wir wissen — geprüft statt angenommen", "What we know — verified, not assumed"),
    "schritt1": ("Schritt 1: Prüfe ob ESL funktioniert", "Step 1: check that ESL works"),
    "schritt2": ("Schritt 2: Profil internal", "Step 2: profile internal"),
    "schritt3": ("Schritt 3: Prüfe ob Port 7443 lauscht", "Step 3: check that port 7443 listens"),
    "schritt4": ("Schritt 4: Teste WebSocket direkt", "Step 4: test the WebSocket directly"),
    "alternative": ("Alternative: WS (5066) statt WSS", "Alternative: WS (5066) instead of WSS"),
}

BUTTON = {"de": "{title} prüfen", "en": "Run: {title}"}
RUN_ALL = {"de": "Alle Schritte prüfen", "en": "Run all steps"}
CONFIRM = {"de": "Bestätigen und ausführen", "en": "Confirm and run"}
NO_ACTION = {"de": "Keine Aktion nötig: das Profil läuft bzw. der Befund ist nichts, was fsnb ändern darf.",
             "en": "No action needed: the profile runs, or the finding is nothing fsnb may change."}
STATUS = {"de": {"pass": "OK", "fail": "FEHLER", "warn": "WARNUNG", "skip": "ÜBERSPRUNGEN", "error": "ABBRUCH"},
          "en": {"pass": "OK", "fail": "FAIL", "warn": "WARN", "skip": "SKIPPED", "error": "ERROR"}}


def section(key: str, lang: str) -> str:
    de, en = SECTIONS[key]
    return de if lang == "de" else en
