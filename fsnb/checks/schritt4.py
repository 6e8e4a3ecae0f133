"""Schritt 4: Teste WebSocket direkt — a real handshake offering `sip`, then SIP as a browser behind each hop sends it."""
from __future__ import annotations

from urllib.parse import urlsplit

from .. import files, threads, wsprobe
from .. import observed as obs
from ..errors import TargetError
from ..result import Evidence
from . import check, fail, ok, warn


def hops(ctx) -> dict[str, wsprobe.Hop]:
    fs, t = ctx.fs, ctx.target
    pub = urlsplit(t.tunnel.public_url)
    connect = None
    if t.tunnel.connect:
        h, _, p = t.tunnel.connect.rpartition(":")
        connect = (h, int(p))
    return {
        "wss": wsprobe.Hop("wss direkt", f"wss://{fs.host}:{fs.wss_port}/", "WSS", server_hostname=fs.host,
                           ca_file=t.tunnel.ca_file),
        "ws": wsprobe.Hop("ws direkt", f"ws://{fs.host}:{fs.ws_port}/", "WS"),
        # behind nginx sits the TLS edge: the browser speaks wss:// and puts WSS in its Via
        "nginx": wsprobe.Hop("nginx", f"ws://{t.nginx.address}/", "WSS"),
        "public": wsprobe.Hop("öffentlich", t.tunnel.public_url, "WSS", connect=connect,
                              server_hostname=pub.hostname, ca_file=t.tunnel.ca_file),
    }


async def _nginx_errors(ctx, lines: int = 4) -> list[str]:
    """nginx's own words about the upstream (its error log names the cause: refused, closed, SSL handshake)."""
    path = ctx.target.nginx.error_log
    if not path:
        return []

    def tail():
        try:
            return files.read_text(path, tail=65536).splitlines()
        except OSError:
            return []
    found = [l for l in await threads.to_thread(tail) if "[error]" in l or "[crit]" in l]
    return found[-lines:]


def _evidence(r: wsprobe.HopResult, hop: wsprobe.Hop) -> list[Evidence]:
    via = f"websockets client → {hop.url}" + (f" (dial {hop.connect[0]}:{hop.connect[1]})" if hop.connect else "")
    ev = [Evidence("Ergebnis", r.detail, via)]
    if r.request:
        ev.append(Evidence("Handshake", f"{r.request}\n\n{r.response}", via))
    elif r.response:
        ev.append(Evidence("HTTP-Antwort", r.response, via))
    if r.sip_request:
        ev.append(Evidence("SIP", r.sip_request + "\n--- Antwort ---\n" + (r.sip_response or "(keine)"), via))
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
    r = await wsprobe.run(hop, ctx.timeout, user, password, ctx.target.sip.domain or ctx.fs.host)
    nginx_errors = await _nginx_errors(ctx) if key == "nginx" and r.outcome != "ok" else []
    observed = {"url": hop.url, "outcome": r.outcome, "status": r.status, "subprotocol": r.subprotocol,
                "via_transport": hop.via_transport, "sip_status": r.sip_status, "tls_verified": r.tls_verified,
                "register": r.register}
    ev = _evidence(r, hop)
    if nginx_errors:
        observed["nginx_errors"] = nginx_errors
        ev.append(Evidence("nginx error.log", "\n".join(nginx_errors), f"local file {ctx.target.nginx.error_log}"))
    if r.outcome == "ok":
        if r.register and not r.register[-1].endswith("200 OK"):
            observed["register_failed"] = True
            return fail(f"{hop.name}: Handshake und OPTIONS ok, aber REGISTER: {r.register[-1]}",
                        f"{hop.name}: handshake and OPTIONS ok, but REGISTER: {r.register[-1]}", evidence=ev, observed=observed)
        if r.tls_verified is False:
            return warn(f"{hop.name}: 101 + sip + SIP-Antwort, aber das Zertifikat ist nicht vertrauenswürdig (Browser verweigern).",
                        f"{hop.name}: 101 + sip + SIP answer, but the certificate is not trusted (browsers refuse).",
                        evidence=ev, observed=observed)
        return ok(f"{hop.name}: 101, Sec-WebSocket-Protocol: sip, OPTIONS → {r.sip_response.splitlines()[0]}"
                  + (f"; {r.register[-1]}" if r.register else ""),
                  f"{hop.name}: 101, Sec-WebSocket-Protocol: sip, OPTIONS → {r.sip_response.splitlines()[0]}"
                  + (f"; {r.register[-1]}" if r.register else ""), evidence=ev, observed=observed)
    why = {   # outcome -> (de, en)
        "sip-no-answer": (f"{hop.name}: WebSocket offen, aber keine SIP-Antwort (Via SIP/2.0/{hop.via_transport}). "
                          "FreeSWITCH verwirft Anfragen, deren Via-Transport nicht zur Verbindung passt, kommentarlos.",
                          f"{hop.name}: WebSocket open, but no SIP answer (Via SIP/2.0/{hop.via_transport}). FreeSWITCH "
                          "silently drops requests whose Via transport does not match the connection."),
        "no-subprotocol": (f"{hop.name}: 101 ohne 'Sec-WebSocket-Protocol: sip' — Browser brechen ab.",
                           f"{hop.name}: 101 without 'Sec-WebSocket-Protocol: sip' — browsers abort."),
        "http-status": (f"{hop.name}: HTTP {r.status} statt 101.", f"{hop.name}: HTTP {r.status} instead of 101."),
    }
    de, en = why.get(r.outcome, (f"{hop.name}: {r.detail}",) * 2)
    return fail(de, en, evidence=ev, observed=observed)


@check("schritt4.wss", "schritt4", "Schritt 4: WSS direkt an 7443 (Handshake mit sip, SIP OPTIONS)",
       "Step 4: WSS directly to 7443 (handshake with sip, SIP OPTIONS)", observes=obs.Hop)
async def wss(ctx):
    return await _hop(ctx, "wss")


@check("schritt4.ws", "schritt4", "Schritt 4: WS direkt an 5066", "Step 4: WS directly to 5066", observes=obs.Hop)
async def ws(ctx):
    return await _hop(ctx, "ws")


@check("schritt4.nginx", "schritt4", "Schritt 4: durch nginx 8082 (wie ein Browser hinter TLS)",
       "Step 4: through nginx 8082 (as a browser behind TLS)", observes=obs.Hop)
async def nginx(ctx):
    return await _hop(ctx, "nginx")


@check("schritt4.public", "schritt4", "Schritt 4: über den öffentlichen Hostnamen (Tunnel)",
       "Step 4: through the public hostname (tunnel)", observes=obs.Hop)
async def public(ctx):
    out = await _hop(ctx, "public", register=True)
    if ctx.target.tunnel.standin:
        out.evidence.insert(0, Evidence("Hinweis", "Die Cloudflare-Kante ist im Lab ein lokaler Stand-in (nginx mit TLS für den "
                                                   "öffentlichen Hostnamen), der der Ingress-Regel folgt."))
    return out


@check("schritt4.curl", "schritt4", "Schritt 4: der curl-Befehl der Analyse", "Step 4: the analysis' curl command", observes=obs.Curl)
async def curl(ctx):
    fs = ctx.fs
    kind, text = await wsprobe.analysis_curl(fs.host, fs.wss_port, min(ctx.timeout, 2.0))
    ev = [Evidence("curl -v -H 'Upgrade: websocket' -H 'Connection: Upgrade' " f"http://localhost:{fs.wss_port}/", text,
                   "raw TCP, same bytes as curl")]
    why = ("Dieser Befehl kann nie gelingen: 7443 spricht TLS (http:// statt https://), und ohne Sec-WebSocket-Key "
           "antwortet sofia-sip 400. Gegen ein gesundes FreeSWITCH: 'curl: (52) Empty reply from server'.")
    why_en = ("This command can never succeed: 7443 speaks TLS (http:// instead of https://), and without "
              "Sec-WebSocket-Key sofia-sip answers 400. Against a healthy FreeSWITCH: 'curl: (52) Empty reply from server'.")
    observed = {"result": kind}
    if kind == "empty":
        return ok(f"{text} — ein TLS-Dienst lauscht (wie bei gesundem FreeSWITCH). {why}", f"{text} — a TLS service listens "
                  f"(as with a healthy FreeSWITCH). {why_en}", evidence=ev, observed=observed)
    if kind == "http":
        return fail(f"Auf {fs.wss_port} antwortet ein Klartext-HTTP-Server ({text.splitlines()[0]}) — das ist nicht "
                    f"FreeSWITCHs WSS-Port. {why}", f"A plain HTTP server answers on {fs.wss_port} ({text.splitlines()[0]}) — "
                    f"not FreeSWITCH's WSS port. {why_en}", evidence=ev, observed=observed)
    return fail(f"{text}. {why}", f"{text}. {why_en}", evidence=ev, observed=observed)
