"""Schritt 2: Profil internal — is it running, with which bindings, and what the log says about it."""
from __future__ import annotations

from fsnb.checks import T, check, fail, ok, warn
from fsnb.diagnosis import observed as obs
from fsnb.errors import AccessError, FsnbError, ProtocolError
from fsnb.read import fsstatus, sofiastatus
from fsnb.result import Evidence

TEXTS = {
    "no-mod-sofia": T("mod_sofia ist nicht geladen ('sofia status': Command not found): kein SIP, kein ws/wss.",
                      "mod_sofia is not loaded ('sofia status': Command not found): no SIP, no ws/wss."),
    "no-such-profile": T("Log: 'No Such Profile' — FreeSWITCHs XML kennt kein Profil {n} (Datei fehlt oder nicht "
                         "eingebunden); 'sofia profile {n} start' kann nicht helfen.",
                         "Log: 'No Such Profile' — FreeSWITCH's XML has no profile {n} (file missing or not included); "
                         "'sofia profile {n} start' cannot help."),
    "status-unusable": T("sofia status nicht auswertbar: {e}", "sofia status not usable: {e}"),
    "not-running": T("Profil {n} läuft nicht ('Invalid Profile!', nicht in sofia status). FreeSWITCH startet Profile "
                     "beim Laden selbst — es ist also gescheitert oder wurde gestoppt (siehe Log).",
                     "Profile {n} is not running ('Invalid Profile!', absent from sofia status). FreeSWITCH starts "
                     "profiles at load by itself — so it failed or was stopped (see the log)."),
    "no-wss-url": T("Profil {n} läuft, aber ohne WSS-BIND-URL: wss-binding war beim Start nicht aktiv.",
                    "Profile {n} runs, but without WSS-BIND-URL: wss-binding was not active at its start."),
    "running": T("Profil {n} RUNNING; WSS-BIND-URL {wss}, WS-BIND-URL {ws} (der Status zeigt Konfiguration, keine "
                 "Sockets — siehe Schritt 3).", "Profile {n} RUNNING; WSS-BIND-URL {wss}, WS-BIND-URL {ws} (status "
                 "shows config, not sockets — see step 3)."),
    "log-unreadable": T("freeswitch.log nicht lesbar: {e}", "freeswitch.log not readable: {e}"),
    "no-error-lines": T("(keine Fehlerzeilen seit dem letzten Profilstart)", "(no error lines since the last profile start)"),
    "scope-label": T("Zeitraum", "Period"),
    "scope-since": T("seit dem Start des laufenden FreeSWITCH ({since}; {n} ältere Zeilen früherer Läufe nicht gewertet)",
                     "since the running FreeSWITCH started ({since}; {n} older lines of earlier runs not counted)"),
    "scope-all": T("ab dem letzten Start im gelesenen Log-Ausschnitt ('Successfully Loaded [mod_logfile]'; {n} ältere "
                   "Zeilen nicht gewertet; ESL nicht nutzbar)", "since the last start in the log excerpt read "
                   "('Successfully Loaded [mod_logfile]'; {n} older lines not counted; ESL not usable)"),
    "bad-pem": T("Log: 'Error Creating SIP UA … Bad WSS.PEM certificate.' — das ganze Profil ist aus (auch 5060/5066).",
                 "Log: 'Error Creating SIP UA … Bad WSS.PEM certificate.' — the whole profile is down (5060/5066 too)."),
    "bind-error": T("Log: 'Error Creating SIP UA for profile' — ein Listener (5060/5066/7443) konnte nicht binden; "
                    "die Meldung nennt immer die 5060-URL.{extra}",
                    "Log: 'Error Creating SIP UA for profile' — a listener (5060/5066/7443) could not bind; the message "
                    "always names the 5060 URL.{extra}"),
    "tport-says": T(" Ursache laut tport: {d}.", " tport says: {d}."),
    "tport-hint": T(" Den echten Grund zeigt erst 'sofia loglevel tport 9' vor dem Start.",
                    " Only 'sofia loglevel tport 9' before the start shows the real reason."),
    "esl-socket": T("Log: 'Socket Error! Could not listen' — mod_event_socket kann nicht lauschen.",
                    "Log: 'Socket Error! Could not listen' — mod_event_socket cannot listen."),
    "acl": T("Log: ESL-Verbindungen werden per ACL abgewiesen.", "Log: ESL connections are rejected by ACL."),
    "stopped": T("Log: das Profil startete fehlerfrei und wurde danach gestoppt.",
                 "Log: the profile started cleanly and was stopped afterwards."),
    "clean": T("Keine Fehler zum Profilstart im Log.", "No errors around the profile start in the log."),
}


@check("schritt2.profil", "schritt2", "Schritt 2: Profil internal läuft (sofia status)",
       "Step 2: profile internal is running (sofia status)", observes=obs.Profile, needs=("schritt1.esl",))
async def profil(ctx):
    name = ctx.fs.profile
    status = ""      # `sofia status` may fail before it is set (never answered: CheckTimeout)
    try:
        status = await ctx.api("sofia status")
        prof_text = await ctx.api(f"sofia status profile {name}")
        rows = sofiastatus.parse_status(status)
        prof = sofiastatus.parse_profile(prof_text)
    except (FsnbError, ProtocolError) as exc:
        if "Command not found" in status:   # `-ERR sofia status Command not found!`: mod_sofia is not loaded
            return fail(TEXTS["no-mod-sofia"], evidence=[Evidence("sofia status", status, ctx.esl_via)],
                        observed={"running": False, "sofia_loaded": False})
        return fail(TEXTS["status-unusable"].format(e=exc))
    ev = [Evidence("sofia status", status, ctx.esl_via),
          Evidence(f"sofia status profile {name}", prof_text, ctx.esl_via)]
    row = next((r for r in rows if r.name == name and r.type == "profile"), None)
    observed = {"running": bool(row and row.state.startswith("RUNNING")) and prof.exists,
                "state": row.state if row else None, "ws_bind_url": prof.ws_bind_url, "wss_bind_url": prof.wss_bind_url,
                "sip_ip": prof.values.get("SIP-IP"), "wss_bind": None, "ws_bind": None}
    for key in ("ws", "wss"):
        hp = sofiastatus.bind_url_hostport(observed[f"{key}_bind_url"])
        observed[f"{key}_bind"] = f"{hp[0]}:{hp[1]}" if hp else None
        if key == "wss" and hp:
            observed["wss_port_mismatch"] = str(hp[1]) != str(ctx.fs.wss_port)
    if not observed["running"]:
        return fail(TEXTS["not-running"].format(n=name), evidence=ev, observed=observed)
    if not prof.wss_bind_url:
        return fail(TEXTS["no-wss-url"].format(n=name), evidence=ev, observed=observed)
    return ok(TEXTS["running"].format(n=name, wss=observed["wss_bind"], ws=observed["ws_bind"]), evidence=ev, observed=observed)


START_MARK = "Successfully Loaded [mod_logfile]"   # the first line of every FreeSWITCH start (seen on 1.11)

PATTERNS = {
    "bad_pem": "Bad WSS.PEM certificate",
    "bind_error": "Error Creating SIP UA",
    "bind_detail": "bind(pf=",
    "esl_socket_error": "Socket Error! Could not listen",
    "acl_reject": "Rejected by acl",
    "ssl_ctx": "tport_wss_create_ssl_ctx",
    "no_such_profile": "No Such Profile",
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
    else:   # no clock to go by (ESL down): each start of FreeSWITCH begins by loading mod_logfile
        starts = [i for i, line in enumerate(lines) if START_MARK in line]
        if starts:
            earlier, lines = starts[-1], lines[starts[-1]:]
    start = 0
    for i, line in enumerate(lines):
        if f"Started Profile {profile} " in line or f"Creating agent for {profile}" in line:
            start = i
    found = {k: [] for k in PATTERNS}
    found["other_profile_errors"] = []
    for line in lines[start:]:
        named = _profile_named(line)
        if named is not None and named != profile:
            # another profile's failure (internal-ipv6 where the namespace has no IPv6): not this profile's
            if PATTERNS["bind_error"] in line and "ATTEMPT" not in line:
                found["other_profile_errors"].append(line)
            continue
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
    # `sofia.c:3573 Write lock <profile>` ends a profile's stop; "Waiting for worker thread" names no profile
    # (the whole name: `Write lock internal-ipv6` is another profile's, failing where the namespace has no IPv6)
    found["stopped_after"] = any(line.rstrip().endswith(f"Write lock {profile}") for line in tail) and found["started_ok"]
    found["no_such_profile"] = [line for line in tail if f"No Such Profile '{profile}'" in line]
    found["likely_causes"] = any("The likely causes for this are" in l for l in tail)
    found["earlier_lines"] = earlier
    return found


def _profile_named(line: str) -> str | None:
    """The profile a sofia error line names: `Error Creating SIP UA for profile: internal-ipv6 (sip:…)`."""
    at = line.find("for profile: ")
    if at < 0:
        return None
    return line[at + len("for profile: "):].split(" ", 1)[0]


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
        return warn(TEXTS["log-unreadable"].format(e=exc))
    path, source = await ctx.log_file()
    since = await current_start(ctx)
    f = scan(text, ctx.fs.profile, since)
    keep = [line for k in ("bad_pem", "bind_error", "bind_detail", "ssl_ctx", "esl_socket_error", "acl_reject",
                           "no_such_profile", "other_profile_errors") for line in f[k][-4:]]
    observed = {k: (len(v) if isinstance(v, list) else v) for k, v in f.items()}
    observed.update(read=True, since=since)
    scope = (TEXTS["scope-since"] if since else TEXTS["scope-all"]).format(since=since, n=f["earlier_lines"])
    ev = [Evidence(path or "freeswitch.log", "\n".join(keep) or TEXTS["no-error-lines"], ctx.machine().via(f"file {path}")),
          Evidence(TEXTS["scope-label"], scope)]
    if f["bad_pem"]:
        return fail(TEXTS["bad-pem"], evidence=ev, observed=observed)
    if f["bind_error"]:
        detail = f["bind_detail"][-1].split("): ", 1)[-1] if f["bind_detail"] else None
        extra = TEXTS["tport-says"].format(d=detail) if detail else TEXTS["tport-hint"]
        return fail(TEXTS["bind-error"].format(extra=extra), evidence=ev, observed=observed)
    if f["no_such_profile"]:
        return fail(TEXTS["no-such-profile"].format(n=ctx.fs.profile), evidence=ev, observed=observed)
    if f["esl_socket_error"]:
        return fail(TEXTS["esl-socket"], evidence=ev, observed=observed)
    if f["acl_reject"]:
        return warn(TEXTS["acl"], evidence=ev, observed=observed)
    if f["stopped_after"]:
        return warn(TEXTS["stopped"], evidence=ev, observed=observed)
    return ok(TEXTS["clean"], evidence=ev, observed=observed)
