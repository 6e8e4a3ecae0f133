"""Schritt 4: Teste WebSocket direkt — a real handshake offering `sip`, then SIP as a browser behind each hop sends it."""
from __future__ import annotations

import asyncio
import datetime as _dt
from urllib.parse import urlsplit

from fsnb import blocking
from fsnb import target as tgt
from fsnb.checks import T, check, fail, ok, same, skip, warn
from fsnb.diagnosis import observed as obs
from fsnb.errors import AccessError, CheckTimeout, ConfigError, TargetError
from fsnb.probe import wsprobe
from fsnb.read import files, nginxlog
from fsnb.result import Evidence

NAME = {"wss": T("wss direkt", "wss direct"), "ws": T("ws direkt", "ws direct"), "nginx": same("nginx"),
        "public": T("öffentlich", "public")}
TEXTS = {
    "result": T("Ergebnis", "Result"),
    "http-answer": T("HTTP-Antwort", "HTTP answer"),
    "sip": T("{req}\n--- Antwort ---\n{ans}", "{req}\n--- answer ---\n{ans}"),
    "none": T("(keine)", "(none)"),
    "register-fails": T("{n}: Handshake und OPTIONS ok, aber REGISTER: {r}", "{n}: handshake and OPTIONS ok, but REGISTER: {r}"),
    "register-unanswered": T("{n}: Handshake und OPTIONS ok, aber REGISTER blieb innerhalb von {t:.1f}s unbeantwortet ({r}).",
                             "{n}: handshake and OPTIONS ok, but REGISTER got no answer within {t:.1f}s ({r})."),
    "untrusted": T("{n}: 101 + sip + SIP-Antwort, aber das Zertifikat ist nicht vertrauenswürdig (Browser verweigern).",
                   "{n}: 101 + sip + SIP answer, but the certificate is not trusted (browsers refuse)."),
    "ok": T("{n}: 101, Sec-WebSocket-Protocol: sip, OPTIONS → {a}{reg}", "{n}: 101, Sec-WebSocket-Protocol: sip, OPTIONS → {a}{reg}"),
    "sip-no-answer": T("{n}: WebSocket offen, aber keine SIP-Antwort (Via SIP/2.0/{via}). FreeSWITCH verwirft Anfragen, "
                       "deren Via-Transport nicht zur Verbindung passt, kommentarlos.",
                       "{n}: WebSocket open, but no SIP answer (Via SIP/2.0/{via}). FreeSWITCH silently drops requests "
                       "whose Via transport does not match the connection."),
    "no-subprotocol": T("{n}: 101 ohne 'Sec-WebSocket-Protocol: sip' — Browser brechen ab.",
                        "{n}: 101 without 'Sec-WebSocket-Protocol: sip' — browsers abort."),
    "http-status": T("{n}: HTTP {status} statt 101.", "{n}: HTTP {status} instead of 101."),
    "refused": T("{n}: {url}: Verbindung abgelehnt (dort lauscht nichts).", "{n}: {url}: connection refused (nothing listens)."),
    "timeout": T("{n}: {url}: kein WebSocket-Handshake innerhalb von {t:.1f}s.",
                 "{n}: {url}: no WebSocket handshake within {t:.1f}s."),
    "other": same("{n}: {d}"),
    "note": T("Hinweis", "Note"),
    "ws-not-configured": T("Kein ws-binding im Profil: WS ist nicht eingerichtet (für nginx → wss nicht nötig).",
                           "No ws-binding in the profile: WS is not set up (not needed for nginx → wss)."),
    "standin": T("Die Cloudflare-Kante ist im Lab ein lokaler Stand-in (nginx mit TLS für den öffentlichen Hostnamen), "
                 "der der Ingress-Regel folgt.", "In the lab the Cloudflare edge is a local stand-in (nginx with TLS for "
                 "the public hostname) that follows the ingress rule."),
    "curl-never": T("Dieser Befehl kann nie gelingen: 7443 spricht TLS (http:// statt https://), und ohne Sec-WebSocket-Key "
                    "antwortet sofia-sip 400. Gegen ein gesundes FreeSWITCH: 'curl: (52) Empty reply from server'.",
                    "This command can never succeed: 7443 speaks TLS (http:// instead of https://), and without "
                    "Sec-WebSocket-Key sofia-sip answers 400. Against a healthy FreeSWITCH: 'curl: (52) Empty reply from "
                    "server'."),
    "curl-empty": T("{t} — ein TLS-Dienst lauscht (wie bei gesundem FreeSWITCH). {why}",
                    "{t} — a TLS service listens (as with a healthy FreeSWITCH). {why}"),
    "curl-http": T("Auf {p} antwortet ein Klartext-HTTP-Server ({first}) — das ist nicht FreeSWITCHs WSS-Port. {why}",
                   "A plain HTTP server answers on {p} ({first}) — not FreeSWITCH's WSS port. {why}"),
    "curl-other": same("{t}. {why}"),
}


def hops(ctx) -> dict[str, wsprobe.HopTarget]:
    fs, t = ctx.fs, ctx.target
    pub = urlsplit(t.tunnel.public_url)
    connect = None
    if t.tunnel.connect:
        h, _, p = t.tunnel.connect.rpartition(":")
        connect = (h, int(p))
    return {
        "wss": wsprobe.HopTarget("wss", f"wss://{tgt.netloc(fs.host, fs.wss_port)}/", "WSS",
                                 server_hostname=fs.host.strip("[]"), ca_file=t.tunnel.ca_file),
        "ws": wsprobe.HopTarget("ws", f"ws://{tgt.netloc(fs.host, fs.ws_port)}/", "WS"),
        # behind nginx sits the TLS edge: the browser speaks wss:// and puts WSS in its Via
        "nginx": wsprobe.HopTarget("nginx", f"ws://{t.nginx.address}/", "WSS"),
        "public": wsprobe.HopTarget("public", t.tunnel.public_url, "WSS", connect=connect,
                              server_hostname=pub.hostname, ca_file=t.tunnel.ca_file),
    }


async def _nginx_errors(ctx, since, lines: int = 4) -> list[str]:
    """nginx's own words about the upstream (its error log names the cause: refused, closed, SSL handshake,
    certificate rejected) — written during this check — or about its own start (a port it could not bind)."""
    path = ctx.target.nginx.error_log
    if not path:
        return []

    def tail():
        try:
            return files.read_text(path, tail=65536).splitlines()
        except OSError:
            return []
    return nginxlog.relevant(await blocking.to_thread(tail), since)[-lines:]


def _evidence(r: wsprobe.HopResult, hop: wsprobe.HopTarget) -> list[Evidence]:
    via = f"websockets client → {hop.url}" + (f" (dial {hop.connect[0]}:{hop.connect[1]})" if hop.connect else "")
    ev = [Evidence(TEXTS["result"], r.detail, via)]
    if r.request:
        ev.append(Evidence("Handshake", f"{r.request}\n\n{r.response}", via))
    elif r.response:
        ev.append(Evidence(TEXTS["http-answer"], r.response, via))
    if r.sip_request:
        ev.append(Evidence("SIP", TEXTS["sip"].format(req=r.sip_request, ans=r.sip_response or TEXTS["none"]), via))
    if r.register:
        ev.append(Evidence("REGISTER", "\n".join(r.register), via))
    return ev


async def _hop(ctx, key: str, register: bool = False):
    hop = hops(ctx)[key]
    user = password = ""
    if register and ctx.target.sip.password:
        try:
            user, password = ctx.target.sip.user, ctx.target.sip.password.reveal()
        except TargetError:
            pass
    started = _dt.datetime.now() - _dt.timedelta(seconds=2)    # nginx stamps its log in local time, to the second
    r = await wsprobe.run(hop, ctx.timeout, user, password, ctx.target.sip.domain or ctx.fs.host)
    # the public hop passes nginx too: its words about this request count there as well (a rate limit, …)
    nginx_errors = await _nginx_errors(ctx, started) if key in ("nginx", "public") and r.outcome != "ok" else []
    observed = {"url": hop.url, "outcome": r.outcome, "status": r.status, "subprotocol": r.subprotocol,
                "via_transport": hop.via_transport, "sip_status": r.sip_status, "tls_verified": r.tls_verified,
                "register": r.register, "sip_unmatched": r.unmatched}
    ev = _evidence(r, hop)
    if nginx_errors:
        observed["nginx_errors"] = nginx_errors
        observed["nginx_reason"] = nginxlog.reason(nginx_errors)
        ev.append(Evidence("nginx error.log", "\n".join(nginx_errors), f"local file {ctx.target.nginx.error_log}"))
    if r.outcome == "http-status" and "plain HTTP request was sent to HTTPS port" in (r.response or ""):
        observed["http_hint"] = "plain-http-to-https-port"     # nginx's own 400 page: `listen … ssl` got plain HTTP
    n = NAME[key]
    if r.outcome == "ok":
        if r.register and r.register[-1].endswith("no answer"):
            # silence is not a rejection: the same cause (wrong user/password) must not be named for it
            observed["register_unanswered"] = True
            return fail(TEXTS["register-unanswered"].format(n=n, r=r.register[-1], t=ctx.timeout), evidence=ev,
                        observed=observed)
        if r.register and not r.register[-1].endswith("200 OK"):
            observed["register_failed"] = True
            return fail(TEXTS["register-fails"].format(n=n, r=r.register[-1]), evidence=ev, observed=observed)
        if r.tls_verified is False:
            return warn(TEXTS["untrusted"].format(n=n), evidence=ev, observed=observed)
        return ok(TEXTS["ok"].format(n=n, a=r.sip_response.splitlines()[0], reg=f"; {r.register[-1]}" if r.register else ""),
                  evidence=ev, observed=observed)
    why = TEXTS[r.outcome] if r.outcome in ("sip-no-answer", "no-subprotocol", "http-status", "refused", "timeout") \
        else TEXTS["other"]
    return fail(why.format(n=n, via=hop.via_transport, status=r.status, d=r.detail, url=hop.url, t=ctx.timeout),
                evidence=ev, observed=observed)


@check("schritt4.wss", "schritt4", "Schritt 4: WSS direkt an 7443 (Handshake mit sip, SIP OPTIONS)",
       "Step 4: WSS directly to 7443 (handshake with sip, SIP OPTIONS)", observes=obs.Hop)
async def wss(ctx):
    return await _hop(ctx, "wss")


@check("schritt4.ws", "schritt4", "Schritt 4: WS direkt an 5066", "Step 4: WS directly to 5066", observes=obs.Hop)
async def ws(ctx):
    # the probe and the profile's config concurrently: the config may wait on ESL, the probe must not wait on it
    probe = asyncio.ensure_future(_hop(ctx, "ws"))
    try:
        _, prof, _ = await ctx.profile_config()
        configured = bool(prof.get("ws-binding"))
    except (AccessError, ConfigError, CheckTimeout):
        configured = None
    out = await probe
    if configured is False and out.status.failed:   # plain WS is not set up: nothing to test (nginx → wss needs none)
        return skip(TEXTS["ws-not-configured"], observed={"url": hops(ctx)["ws"].url, "outcome": "not-configured"})
    return out


@check("schritt4.nginx", "schritt4", "Schritt 4: durch nginx 8082 (wie ein Browser hinter TLS)",
       "Step 4: through nginx 8082 (as a browser behind TLS)", observes=obs.Hop)
async def nginx(ctx):
    return await _hop(ctx, "nginx")


@check("schritt4.public", "schritt4", "Schritt 4: über den öffentlichen Hostnamen (Tunnel)",
       "Step 4: through the public hostname (tunnel)", observes=obs.Hop)
async def public(ctx):
    out = await _hop(ctx, "public", register=True)
    if ctx.target.tunnel.standin:
        out.evidence.insert(0, Evidence(TEXTS["note"], TEXTS["standin"]))
    return out


@check("schritt4.curl", "schritt4", "Schritt 4: der curl-Befehl der Analyse", "Step 4: the analysis' curl command", observes=obs.Curl)
async def curl(ctx):
    fs = ctx.fs
    kind, text = await wsprobe.analysis_curl(fs.host, fs.wss_port, min(ctx.timeout, 2.0))
    ev = [Evidence("curl -v -H 'Upgrade: websocket' -H 'Connection: Upgrade' " f"http://localhost:{fs.wss_port}/", text,
                   "raw TCP, same bytes as curl")]
    why = TEXTS["curl-never"]
    observed = {"result": kind}
    if kind == "empty":
        return ok(TEXTS["curl-empty"].format(t=text, why=why), evidence=ev, observed=observed)
    if kind == "http":
        return fail(TEXTS["curl-http"].format(p=fs.wss_port, first=text.splitlines()[0], why=why), evidence=ev, observed=observed)
    return fail(TEXTS["curl-other"].format(t=text, why=why), evidence=ev, observed=observed)
