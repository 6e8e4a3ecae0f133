"""The training's cases: one per lab scenario with a cause (every cause the lab reproduces, warnings included), each
with its own briefing — symptoms only, what a user, the monitoring or a colleague reports — and its own label.

`draw()` picks a random case, never the one of the last round (remembered in the state dir), and not its cause when
another is left. The answer list is every cause of the catalogue, grouped by the chain hop it breaks, in full text.
"""
from __future__ import annotations

import json
import os
import random
from pathlib import Path

from fsnb.diagnosis.catalogue import CAUSES, Node
from fsnb.i18n import T
from fsnb.lab import scenarios

# scenario → (label, briefing). Symptoms and circumstances only: never a scenario's name, cause or description.
BRIEFINGS: dict[str, tuple[T, T]] = {
    "profile-stopped": (
        T("Nach der Nachtschicht ist alles still", "All quiet after the night shift"),
        T("Seit heute Morgen verbindet kein Browser-Telefon, und auch die Tischtelefone registrieren sich nicht mehr. "
          "Die Nachtschicht sagt, sie habe „nur kurz etwas ausprobiert“. Das Monitoring meldet Port 7443 als geschlossen.",
          "Since this morning no browser phone connects, and the desk phones no longer register either. The night "
          "shift says they “only tried something quickly”. Monitoring reports port 7443 as closed.")),
    "wss-binding-missing": (
        T("Neuer Server: das Browser-Telefon ging dort noch nie", "New server: the browser phone never worked there"),
        T("Auf dem neu aufgesetzten Server funktionieren die Tischtelefone (SIP) vom ersten Tag an; das Browser-Telefon "
          "hat sich dort noch nie verbunden. Das Monitoring meldet Port 7443 als geschlossen.",
          "On the newly set-up server the desk phones (SIP) work from day one; the browser phone has never connected "
          "there. Monitoring reports port 7443 as closed.")),
    "wss-binding-reloadxml": (
        T("Konfiguration ergänzt, neu geladen — wirkt nicht", "Config added and reloaded — no effect"),
        T("Ein Kollege hat gestern die Konfiguration für das Browser-Telefon ergänzt und neu geladen, „ohne Neustart, um "
          "keine Gespräche zu kappen“. Die Tischtelefone laufen, das Browser-Telefon verbindet weiter nicht; Port 7443 "
          "bleibt geschlossen.",
          "Yesterday a colleague added the config for the browser phone and reloaded it, “without a restart, so as not "
          "to drop calls”. The desk phones work, the browser phone still does not connect; port 7443 stays closed.")),
    "port-7443-taken": (
        T("Seit der Installation eines Agenten geht nichts mehr", "Nothing works since an agent was installed"),
        T("Auf dem Host wurde ein neuer Monitoring-Agent installiert, danach wurde FreeSWITCH neu gestartet. Seitdem "
          "gehen weder Browser- noch Tischtelefone. Auf 7443 antwortet zwar etwas — aber kein WebSocket.",
          "A new monitoring agent was installed on the host, then FreeSWITCH was restarted. Since then neither browser "
          "nor desk phones work. Something does answer on 7443 — but no WebSocket.")),
    "wss-tarpit": (
        T("Browser-Telefone hängen beim Verbinden", "Browser phones hang while connecting"),
        T("Browser-Telefone hängen beim Verbinden, bis sie aufgeben; Tischtelefone registrieren sich nicht mehr. Ein "
          "Portscan sagt: 7443 ist offen.",
          "Browser phones hang while connecting until they give up; desk phones no longer register. A port scan says: "
          "7443 is open.")),
    "wss-pem-cert-only": (
        T("Nach dem nächtlichen Zertifikatstausch", "After the nightly certificate swap"),
        T("Gestern Abend wurde das Zertifikat für den Hostnamen getauscht und FreeSWITCH neu gestartet. Seitdem "
          "verbinden weder Browser- noch Tischtelefone; Port 7443 ist geschlossen.",
          "Last night the certificate for the hostname was swapped and FreeSWITCH restarted. Since then neither "
          "browser nor desk phones connect; port 7443 is closed.")),
    "wss-pem-wrong-key": (
        T("Dateien vom Dienstleister eingespielt", "Files from the provider installed"),
        T("Der Dienstleister hat „Zertifikat und Schlüssel“ per Mail geschickt; ein Kollege hat beides eingespielt und "
          "neu gestartet. Jetzt registriert sich kein Telefon mehr, Port 7443 ist zu.",
          "The provider mailed “certificate and key”; a colleague installed both and restarted. Now no phone registers "
          "any more, port 7443 is closed.")),
    "wss-pem-ca-first": (
        T("Nach einer Wiki-Anleitung von Hand gebaut", "Built by hand from a wiki how-to"),
        T("Eine Datei wurde nach einer Anleitung aus dem Wiki von Hand zusammengesetzt, danach Neustart. Seitdem ist das "
          "ganze SIP-Profil stumm: kein Browser-Telefon, kein Tischtelefon.",
          "A file was put together by hand from a wiki how-to, then a restart. Since then the whole SIP profile is "
          "silent: no browser phone, no desk phone.")),
    "esl-listen-ip": (
        T("Monitoring rot seit dem Umzug", "Monitoring red since the move"),
        T("Seit dem Umzug auf den neuen Host meldet das Monitoring (`fs_cli -x status`) einen Verbindungsfehler. Die "
          "Nutzer sagen, telefonieren gehe normal.",
          "Since the move to the new host, monitoring (`fs_cli -x status`) reports a connection error. Users say "
          "calls work as usual.")),
    "esl-acl": (
        T("Monitoring rot nach der Sicherheitshärtung", "Monitoring red after the security hardening"),
        T("Nach einer „Sicherheitshärtung“ am Wochenende meldet das Monitoring FreeSWITCH als gestört. Telefonie "
          "scheint zu gehen.",
          "After a “security hardening” at the weekend, monitoring reports FreeSWITCH as broken. Telephony seems to "
          "work.")),
    "esl-wrong-password": (
        T("Monitoring rot seit dem Passwortwechsel", "Monitoring red since the password change"),
        T("Seit dem Passwortwechsel letzte Woche meldet das Monitoring-Skript nur noch „Error Connecting []“. Die "
          "Telefonie läuft.",
          "Since last week's password change, the monitoring script only reports “Error Connecting []”. Telephony "
          "works.")),
    "esl-tarpit": (
        T("fs_cli hängt ohne Ausgabe", "fs_cli hangs without output"),
        T("`fs_cli -x status` hängt ohne jede Ausgabe, bis man es abbricht; das Monitoring meldet Zeitüberschreitungen. "
          "Ob Telefonie betroffen ist, weiß noch niemand.",
          "`fs_cli -x status` hangs without any output until interrupted; monitoring reports timeouts. Nobody knows yet "
          "whether telephony is affected.")),
    "esl-port-not-esl": (
        T("Monitoring rot seit einem Testserver", "Monitoring red since a test server"),
        T("Seit ein Entwickler auf dem Host „kurz einen Testserver“ gestartet hat, meldet das Monitoring FreeSWITCH als "
          "gestört. Telefonie: unklar.",
          "Since a developer started “a quick test server” on the host, monitoring reports FreeSWITCH as broken. "
          "Telephony: unclear.")),
    "bound-elsewhere": (
        T("Proxy antwortet 502 — „aber 7443 lauscht doch!“", "Proxy answers 502 — “but 7443 is listening!”"),
        T("Das Browser-Telefon verbindet nicht, der Proxy antwortet 502. Ein Kollege sagt: „FreeSWITCH lauscht doch "
          "auf 7443, hab ich mit ss gesehen!“",
          "The browser phone does not connect, the proxy answers 502. A colleague says: “But FreeSWITCH is listening "
          "on 7443, I saw it with ss!”")),
    "nginx-http-to-tls": (
        T("Sofort 502 nach dem Proxy-Umbau", "Instant 502 after the proxy rework"),
        T("Nach dem Umbau der Proxy-Konfiguration bekommt das Browser-Telefon sofort HTTP 502. FreeSWITCH selbst scheint "
          "zu laufen, die Tischtelefone gehen.",
          "After the proxy config was reworked, the browser phone gets HTTP 502 at once. FreeSWITCH itself seems to "
          "run, the desk phones work.")),
    "nginx-tls-to-plain": (
        T("502 nach zehn Sekunden Warten", "502 after ten seconds of waiting"),
        T("Das Browser-Telefon wartet rund zehn Sekunden und bekommt dann HTTP 502. Die Tischtelefone gehen.",
          "The browser phone waits about ten seconds and then gets HTTP 502. The desk phones work.")),
    "nginx-upstream-down": (
        T("Sofort 502 — „FreeSWITCH ist geprüft“", "Instant 502 — “FreeSWITCH is checked”"),
        T("Das Browser-Telefon bekommt sofort HTTP 502. Im Ticket steht: „FreeSWITCH läuft, 7443 ist offen, hab ich "
          "geprüft.“",
          "The browser phone gets HTTP 502 at once. The ticket says: “FreeSWITCH runs, 7443 is open, I checked.”")),
    "alternative-via-mismatch": (
        T("Verbindet, registriert sich aber nie", "Connects, but never registers"),
        T("Der WebSocket verbindet, aber das Browser-Telefon registriert sich nie (Zeitüberschreitung beim REGISTER). "
          "Ein Kollege hat letzte Woche „TLS vereinfacht“.",
          "The WebSocket connects, but the browser phone never registers (REGISTER times out). Last week a colleague "
          "“simplified TLS”.")),
    "tunnel-wrong-service": (
        T("Von außen Fehler, intern geht es", "Fails from outside, works inside"),
        T("Von außen antwortet wss://freeswitch.aidevelo.ai/ mit einem Fehler; intern soll alles gehen. Am Tunnel wurde "
          "zuletzt „aufgeräumt“.",
          "From outside wss://freeswitch.aidevelo.ai/ answers with an error; inside everything is said to work. The "
          "tunnel was “tidied up” recently.")),
    "nginx-no-upgrade-headers": (
        T("Verbindet, bricht aber nach Stille ab", "Connects, but drops after silence"),
        T("Browser-Telefone verbinden, Nutzer berichten aber von Abbrüchen nach etwa einer Minute ohne Gespräch. Ein "
          "Kollege meint, die Proxy-Konfiguration sei „irgendwie kürzer als die Vorlage“.",
          "Browser phones connect, but users report drops after about a minute without a call. A colleague says the "
          "proxy config is “somehow shorter than the template”.")),
    "wss-cert-expired": (
        T("Zertifikatswarnung beim direkten Test", "Certificate warning in a direct test"),
        T("Ein Entwickler, der direkt gegen wss://…:7443 testet, bekommt im Browser eine Zertifikatswarnung; über die "
          "öffentliche Adresse geht es. Der Kalendereintrag „Zertifikat erneuern“ wurde weggeklickt.",
          "A developer testing directly against wss://…:7443 gets a certificate warning in the browser; through the "
          "public address it works. The calendar reminder “renew certificate” was dismissed.")),
    "wss-cert-not-yet-valid": (
        T("Frisch ausgestellt, trotzdem abgelehnt", "Freshly issued, still refused"),
        T("Direkt nach dem Zertifikatstausch lehnen Browser die direkte Verbindung zu 7443 ab; über die öffentliche "
          "Adresse geht es. Die Uhr des Rechners, auf dem es ausgestellt wurde, „ging ein bisschen falsch“.",
          "Right after the certificate swap, browsers refuse the direct connection to 7443; through the public address "
          "it works. The clock of the machine that issued it “was a bit off”.")),
    "wss-same-port-as-ws": (
        T("Mal geht es, mal nicht — wechselnde Fehler", "Works now and then — changing errors"),
        T("Browser-Telefone verbinden mal, mal nicht; die Fehler wechseln zwischen TLS-Fehler und geschlossener "
          "Verbindung. Jemand hat „die Ports zusammengelegt, damit nur einer offen sein muss“.",
          "Browser phones connect now and then; the errors alternate between a TLS error and a closed connection. "
          "Somebody “merged the ports so that only one has to be open”.")),
    "wss-crt-shadows-pem": (
        T("Erneuert — und doch das alte Zertifikat", "Renewed — and still the old certificate"),
        T("Das Zertifikat wurde erneuert und das Profil neu gestartet — trotzdem zeigt der Browser bei direkter "
          "Verbindung zu 7443 weiter das alte, abgelaufene Zertifikat.",
          "The certificate was renewed and the profile restarted — still, a direct connection to 7443 shows the old, "
          "expired certificate in the browser.")),
    "nginx-verify-expired-wss": (
        T("502 seit der Proxy-Härtung", "502 since the proxy hardening"),
        T("Nach einer Härtung der Proxy-Konfiguration („Upstream-Zertifikate prüfen“) bekommt das Browser-Telefon HTTP "
          "502. Direkt auf 7443 meldet der Browser eine Zertifikatswarnung.",
          "After the proxy config was hardened (“verify upstream certificates”), the browser phone gets HTTP 502. "
          "Directly on 7443 the browser shows a certificate warning.")),
    "nginx-verify-system-cas": (
        T("502 seit der „sicheren Vorlage“", "502 since the “secure template”"),
        T("Seit die Proxy-Konfiguration gegen eine „sichere Vorlage“ aus dem Internet getauscht wurde, bekommt das "
          "Browser-Telefon HTTP 502. Direkt auf 7443 klappt der Handshake.",
          "Since the proxy config was swapped for a “secure template” from the internet, the browser phone gets HTTP "
          "502. Directly on 7443 the handshake works.")),
    "sip-wrong-password": (
        T("Verbindet, Anmeldung abgelehnt", "Connects, login refused"),
        T("Das Browser-Telefon verbindet, die Anmeldung scheitert aber mit „403 Forbidden“. Die Zugangsdaten stehen "
          "„wie immer“ in der Zielkonfiguration des Operators.",
          "The browser phone connects, but the login fails with “403 Forbidden”. The credentials are “as always” in "
          "the operator's target config.")),
    "tunnel-no-catch-all": (
        T("Alles geht — aber das Audit meckert", "Everything works — but the audit complains"),
        T("Alles funktioniert. Ein Audit der Tunnel-Konfiguration bemängelt trotzdem etwas; der Prüfer hat nicht gesagt, "
          "was.", "Everything works. Still, an audit of the tunnel config found something; the auditor did not say "
          "what.")),
    "verto-on-nginx-port": (
        T("Nach dem Wechsel auf Host-Netzwerk", "After the switch to host networking"),
        T("Seit der Container mit Host-Netzwerk läuft, startet der Proxy nicht mehr; das Browser-Telefon bekommt keine "
          "Verbindung.", "Since the container runs with host networking the proxy no longer starts; the browser phone "
          "gets no connection.")),
    "wss-port-second-profile": (
        T("Manche registrieren sich, andere nicht", "Some register, others do not"),
        T("Manche Browser-Telefone registrieren sich, andere nicht — ein zweiter Versuch klappt oft. Seit letzter Woche, "
          "als ein Kollege ein Profil „zum Testen“ kopiert hat.",
          "Some browser phones register, others do not — a second attempt often works. Since last week, when a "
          "colleague copied a profile “for testing”.")),
}
DEFAULT_BRIEFING = (T("Ticket", "Ticket"), T("Ticket: „FreeSWITCH lauscht nicht auf 7443 für WSS.“",
                                           "Ticket: “FreeSWITCH does not listen on 7443 for WSS.”"))

# the chain hops in the answer list, browser first (the chain picture's order); `unexplained-failure` is no answer
HOPS: list[tuple[Node, T]] = [
    (Node.BROWSER, T("Browser und Client", "Browser and client")),
    (Node.CLOUDFLARE, T("Cloudflare-Tunnel", "Cloudflare tunnel")),
    (Node.NGINX, T("nginx (Proxy)", "nginx (proxy)")),
    (Node.FREESWITCH, T("FreeSWITCH: Listener, Bindungen, Zertifikat", "FreeSWITCH: listeners, bindings, certificate")),
    (Node.PROFILE, T("FreeSWITCH: Prozess, Module, SIP-Profil", "FreeSWITCH: process, modules, SIP profile")),
    (Node.ESL, T("ESL (Event Socket)", "ESL (event socket)")),
]


def _runnable(s: scenarios.Scenario, real: bool) -> bool:
    return (s.real if real else s.sim) and not s.hostile


def cases(real: bool = False) -> list[scenarios.Scenario]:
    """Every scenario with a cause the lab can run here (the simulator, or the real lab with `real`), in the
    scenarios' order (the label's number says nothing about the cause)."""
    return [s for s in scenarios.SCENARIOS if s.cause and _runnable(s, real)]


def pool(real: bool = False) -> list[scenarios.Scenario]:
    """What `random` draws from: every case (kept as its own name for the notebook and the tests)."""
    return cases(real)


def label(s: scenarios.Scenario) -> T:
    return BRIEFINGS.get(s.name, DEFAULT_BRIEFING)[0]


def symptom(s: scenarios.Scenario) -> T:
    return BRIEFINGS.get(s.name, DEFAULT_BRIEFING)[1]


def labels(real: bool = False, lang: str = "de") -> list[tuple[str, str]]:
    """(label, scenario name) of every case, numbered."""
    word = T("Fall", "Case")(lang)
    return [(f"{word} {i}: {label(s)(lang)}", s.name) for i, s in enumerate(cases(real), 1)]


# -- no case twice in a row ------------------------------------------------------------------------------------
def _last_file() -> Path:
    from fsnb.present.notebook.session import state_dir
    return state_dir() / "training-last.json"


def _last() -> dict:
    try:
        v = json.loads(_last_file().read_text())
    except (OSError, ValueError):
        return {}
    return v if isinstance(v, dict) else {}


def last_case() -> str | None:
    v = _last().get("scenario")
    return v if isinstance(v, str) else None


def last_offset() -> int | None:
    """The lab port offset of the last round (the next round reuses its lab's ports)."""
    v = _last().get("offset")
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def remember(name: str, offset: int | None = None) -> None:
    f = _last_file()
    try:
        f.parent.mkdir(parents=True, exist_ok=True)
        tmp = f.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"scenario": name, "offset": offset}))
        tmp.replace(f)
    except OSError:     # a read-only home: repeats are then only avoided within this kernel
        pass


def draw(rng: random.Random, real: bool = False, last: str | None = None) -> scenarios.Scenario:
    """A random case — not `last` (default: the last round's, from the state dir) and, while others are left,
    not its cause either."""
    last = last if last is not None else last_case()
    every = pool(real)
    prev = scenarios.BY_NAME.get(last) if last else None
    fresh = [s for s in every if s.name != last and (prev is None or s.cause != prev.cause)]
    return rng.choice(fresh or [s for s in every if s.name != last] or every)


# -- the answer list -------------------------------------------------------------------------------------------
def cause_long(cause: str | None, lang: str) -> str:
    if cause is None or cause not in CAUSES:
        return T("keine Antwort", "no answer")(lang)
    c = CAUSES[cause]
    return c.en if lang == "en" else c.de


def cause_text(cause: str | None) -> T:
    """The cause in a few words (its catalogue text up to the first colon or parenthesis) — for short mentions."""
    if cause is None or cause not in CAUSES:
        return T("keine Antwort", "no answer")
    short = lambda s: s.split(": ")[0].split(" (")[0].rstrip(".")
    c = CAUSES[cause]
    return T(short(c.de), short(c.en))


def answer_groups(lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The answer list: (hop, [(full cause text, cause id)]) by chain hop, browser first; within a hop in the
    catalogue's order. Every cause a case can have is in it, warnings included."""
    out = []
    for node, name in HOPS:
        items = [(cause_long(c.id, lang), c.id) for c in CAUSES.values() if c.node is node]
        if items:
            out.append((name(lang), items))
    return out


def answer_ids() -> list[str]:
    return [cid for _, items in answer_groups("de") for _, cid in items]
