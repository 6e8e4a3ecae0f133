"""Schritt 2: Profil internal — is it running, with which bindings, and what the log says about it."""
from __future__ import annotations

import re

from .. import fsstatus, sofiastatus
from .. import observed as obs
from ..errors import AccessError, FsnbError, ProtocolError
from ..result import Evidence
from . import check, fail, ok, warn

_TS = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ [\d.]+% ")


@check("schritt2.profil", "schritt2", "Schritt 2: Profil internal läuft (sofia status)",
       "Step 2: profile internal is running (sofia status)", observes=obs.Profile, needs=("schritt1.esl",))
async def profil(ctx):
    name = ctx.fs.profile
    try:
        status = await ctx.api("sofia status")
        prof_text = await ctx.api(f"sofia status profile {name}")
        rows = sofiastatus.parse_status(status)
        prof = sofiastatus.parse_profile(prof_text)
    except (FsnbError, ProtocolError) as exc:
        return fail(f"sofia status nicht auswertbar: {exc}", f"sofia status not usable: {exc}")
    ev = [Evidence("sofia status", status, ctx.esl_via),
          Evidence(f"sofia status profile {name}", prof_text, ctx.esl_via)]
    row = next((r for r in rows if r.name == name and r.type == "profile"), None)
    observed = {"running": bool(row and row.state.startswith("RUNNING")) and prof.exists,
                "state": row.state if row else None, "ws_bind_url": prof.ws_bind_url, "wss_bind_url": prof.wss_bind_url,
                "sip_ip": prof.values.get("SIP-IP"), "wss_bind": None, "ws_bind": None}
    for key in ("ws", "wss"):
        hp = sofiastatus.bind_url_hostport(observed[f"{key}_bind_url"])
        observed[f"{key}_bind"] = f"{hp[0]}:{hp[1]}" if hp else None
    if not observed["running"]:
        return fail(f"Profil {name} läuft nicht ('Invalid Profile!', nicht in sofia status). FreeSWITCH startet Profile "
                    "beim Laden selbst — es ist also gescheitert oder wurde gestoppt (siehe Log).",
                    f"Profile {name} is not running ('Invalid Profile!', absent from sofia status). FreeSWITCH starts "
                    "profiles at load by itself — so it failed or was stopped (see the log).", evidence=ev, observed=observed)
    if not prof.wss_bind_url:
        return fail(f"Profil {name} läuft, aber ohne WSS-BIND-URL: wss-binding war beim Start nicht aktiv.",
                    f"Profile {name} runs, but without WSS-BIND-URL: wss-binding was not active at its start.",
                    evidence=ev, observed=observed)
    return ok(f"Profil {name} RUNNING; WSS-BIND-URL {observed['wss_bind']}, WS-BIND-URL {observed['ws_bind']} "
              "(der Status zeigt Konfiguration, keine Sockets — siehe Schritt 3).",
              f"Profile {name} RUNNING; WSS-BIND-URL {observed['wss_bind']}, WS-BIND-URL {observed['ws_bind']} "
              "(status shows config, not sockets — see step 3).", evidence=ev, observed=observed)


PATTERNS = {
    "bad_pem": "Bad WSS.PEM certificate",
    "bind_error": "Error Creating SIP UA",
    "bind_detail": "bind(pf=",
    "esl_socket_error": "Socket Error! Could not listen",
    "acl_reject": "Rejected by acl",
    "ssl_ctx": "tport_wss_create_ssl_ctx",
}


def scan(log: str, profile: str, since: str | None = None) -> dict:
    """Lines since the profile's last start attempt that explain a failure. `since` (a log timestamp): lines
    before it belong to an earlier FreeSWITCH run (freeswitch.log keeps its history) and are not evidence of now;
    sofia-sip's untimed tport lines take the time of the line before them."""
    lines = log.splitlines()
    earlier = 0
    if since:
        current, when = [], None
        for line in lines:
            when = fsstatus.line_time(line) or when
            if when is not None and when < since:
                earlier += 1
            else:
                current.append(line)
        lines = current
    start = 0
    for i, line in enumerate(lines):
        if f"Started Profile {profile} " in line or f"Creating agent for {profile}" in line:
            start = i
    found = {k: [] for k in PATTERNS}
    for line in lines[start:]:
        for key, needle in PATTERNS.items():
            # "Error Creating SIP UA ... Bad WSS.PEM certificate." is the certificate, not a bind failure
            if needle in line and not (key == "bind_error" and PATTERNS["bad_pem"] in line):
                found[key].append(line)
    for line in lines:   # ESL/ACL problems are independent of the profile
        for key in ("esl_socket_error", "acl_reject"):
            if PATTERNS[key] in line and line not in found[key]:
                found[key].append(line)
    tail = lines[start:]
    found["started_ok"] = any("Adding Alias" in l and f"[{profile}]" in l for l in tail)
    found["stopped_after"] = any("Waiting for worker thread" in l for l in tail) and found["started_ok"]
    found["likely_causes"] = any("The likely causes for this are" in l for l in tail)
    found["earlier_lines"] = earlier
    return found


async def current_start(ctx) -> str | None:
    """When the running FreeSWITCH started, in its log's time (uptime from `status`, its clock from `strftime`);
    None when ESL cannot tell."""
    try:
        up = fsstatus.uptime_seconds(await ctx.api("status"))
        now = await ctx.api("strftime %Y-%m-%d %H:%M:%S")
    except FsnbError:
        return None
    return fsstatus.started_at(now, up) if up is not None else None


@check("schritt2.log", "schritt2", "Schritt 2: freeswitch.log zum Profilstart", "Step 2: freeswitch.log around the profile start",
       observes=obs.Log)
async def log(ctx):
    try:
        text = await ctx.log_tail()
    except (AccessError, FsnbError) as exc:
        return warn(f"freeswitch.log nicht lesbar: {exc}", f"freeswitch.log not readable: {exc}")
    path, source = await ctx.log_file()
    since = await current_start(ctx)
    f = scan(text, ctx.fs.profile, since)
    keep = [l for k in ("bad_pem", "bind_error", "bind_detail", "ssl_ctx", "esl_socket_error", "acl_reject") for l in f[k][-4:]]
    observed = {k: (len(v) if isinstance(v, list) else v) for k, v in f.items()}
    observed.update(read=True, since=since)
    scope = (f"seit dem Start des laufenden FreeSWITCH ({since}; {f['earlier_lines']} ältere Zeilen früherer Läufe "
             "nicht gewertet)" if since else "ganzer gelesener Log-Ausschnitt (Startzeit unbekannt: ESL nicht nutzbar)")
    ev = [Evidence(path or "freeswitch.log", "\n".join(keep) or "(keine Fehlerzeilen seit dem letzten Profilstart)",
                   ctx.host().via(f"file {path}")),
          Evidence("Zeitraum", scope)]
    if f["bad_pem"]:
        return fail("Log: 'Error Creating SIP UA … Bad WSS.PEM certificate.' — das ganze Profil ist aus (auch 5060/5066).",
                    "Log: 'Error Creating SIP UA … Bad WSS.PEM certificate.' — the whole profile is down (5060/5066 too).",
                    evidence=ev, observed=observed)
    if f["bind_error"]:
        detail = f["bind_detail"][-1].split("): ", 1)[-1] if f["bind_detail"] else None
        extra = f" Ursache laut tport: {detail}." if detail else " Den echten Grund zeigt erst 'sofia loglevel tport 9' vor dem Start."
        return fail("Log: 'Error Creating SIP UA for profile' — ein Listener (5060/5066/7443) konnte nicht binden; "
                    "die Meldung nennt immer die 5060-URL." + extra,
                    "Log: 'Error Creating SIP UA for profile' — a listener (5060/5066/7443) could not bind; the message "
                    "always names the 5060 URL." + (f" tport says: {detail}." if detail else " Only 'sofia loglevel tport 9' shows the real reason."),
                    evidence=ev, observed=observed)
    if f["esl_socket_error"]:
        return fail("Log: 'Socket Error! Could not listen' — mod_event_socket kann nicht lauschen.",
                    "Log: 'Socket Error! Could not listen' — mod_event_socket cannot listen.", evidence=ev, observed=observed)
    if f["acl_reject"]:
        return warn("Log: ESL-Verbindungen werden per ACL abgewiesen.", "Log: ESL connections are rejected by ACL.",
                    evidence=ev, observed=observed)
    if f["stopped_after"]:
        return warn("Log: das Profil startete fehlerfrei und wurde danach gestoppt.",
                    "Log: the profile started cleanly and was stopped afterwards.", evidence=ev, observed=observed)
    return ok("Keine Fehler zum Profilstart im Log.", "No errors around the profile start in the log.", evidence=ev, observed=observed)
