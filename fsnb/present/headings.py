"""Section headings of the analysis (German, like the analysis) with their English."""
from __future__ import annotations

from fsnb.i18n import T

SECTIONS = {
    "wissen": T("Was wir wissen — geprüft statt angenommen", "What we know — verified, not assumed"),
    "schritt1": T("Schritt 1: Prüfe ob ESL funktioniert", "Step 1: check that ESL works"),
    "schritt2": T("Schritt 2: Profil internal", "Step 2: profile internal"),
    "schritt3": T("Schritt 3: Prüfe ob Port 7443 lauscht", "Step 3: check that port 7443 listens"),
    "schritt4": T("Schritt 4: Teste WebSocket direkt", "Step 4: test the WebSocket directly"),
    "schritt5": T("Schritt 5 — Medien: hat ein Anruf Ton?", "Step 5 — media: does a call have audio?"),
    "alternative": T("Alternative: WS (5066) statt WSS", "Alternative: WS (5066) instead of WSS"),
}


def section(key: str, lang: str) -> str:
    return SECTIONS[key](lang)
