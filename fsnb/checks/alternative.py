"""Alternative: WS 5066 behind TLS termination — where it breaks browsers, and what works instead."""
from __future__ import annotations

from fsnb import target as tgt
from fsnb.checks import T, check, fail, ok, skip
from fsnb.diagnosis import observed as obs
from fsnb.errors import FsnbError
from fsnb.probe import wsprobe
from fsnb.read import nginxconf
from fsnb.result import Evidence

TEXTS = {
    "working": T("nginx (funktionierende Variante)", "nginx (working variant)"),
    "unreachable": T("ws {p} nicht erreichbar ({o}); die Alternative ist nicht prüfbar.",
                     "ws {p} not reachable ({o}); the alternative cannot be checked."),
    "in-use-broken": T("Die Alternative ist aktiv (nginx → ws 5066) und bricht Browser: deren 'Via: SIP/2.0/WSS' passt nicht "
                       "zur WS-Verbindung, FreeSWITCH antwortet nicht. Stattdessen an wss 7443 weiterleiten (Block unten) "
                       "oder Clients 'Via …/WS' senden lassen (JsSIP via_transport).",
                       "The alternative is in use (nginx → ws 5066) and breaks browsers: their 'Via: SIP/2.0/WSS' does not "
                       "match the WS connection, FreeSWITCH answers nothing. Proxy to wss 7443 instead (block below) or make "
                       "clients send 'Via …/WS' (JsSIP via_transport)."),
    "not-in-use": T("Alternative nicht aktiv — gut so: hinter TLS-Terminierung an ws 5066 bekämen Browser keine SIP-Antwort "
                    "(Via WSS ≠ WS). Funktionierende Variante: nginx → https://…:7443 (Block unten).",
                    "Alternative not in use — good: behind TLS termination to ws 5066 browsers would get no SIP answer "
                    "(Via WSS ≠ WS). Working variant: nginx → https://…:7443 (block below)."),
    "answers": T("ws 5066 beantwortet hier auch Via WSS.", "ws 5066 answers Via WSS here too."),
}


@check("alternative.ws5066", "alternative", "Alternative: WS 5066 hinter TLS-Terminierung (nginx/Cloudflare)",
       "Alternative: WS 5066 behind TLS termination (nginx/Cloudflare)", observes=obs.Alternative)
async def ws5066(ctx):
    fs, t = ctx.fs, ctx.target
    # what a browser on wss:// sends through a TLS-terminating proxy to ws 5066: Via SIP/2.0/WSS
    hop = wsprobe.HopTarget("ws 5066, Via WSS", f"ws://{tgt.netloc(fs.host, fs.ws_port)}/", "WSS")
    r = await wsprobe.run(hop, min(ctx.timeout, 1.5))
    working = nginxconf.server_block(t.nginx.address, f"https://{tgt.netloc(fs.host, fs.wss_port)}")
    ev = [Evidence("Probe", r.detail + ("\n\n" + r.sip_request if r.sip_request else ""), f"websockets client → {hop.url}"),
          Evidence(TEXTS["working"], working, "fsnb nginxconf.server_block(target)")]
    try:
        loc = await ctx.nginx_location()
    except FsnbError:
        loc = None
    in_use = loc is not None and loc.port == fs.ws_port and loc.scheme in ("http", "ws")
    observed = {"probe": r.outcome, "alternative_in_use": in_use, "nginx_block": working}
    if r.outcome in ("refused", "timeout", "error", "not-http", "http-status"):
        return skip(TEXTS["unreachable"].format(p=fs.ws_port, o=r.outcome), evidence=ev, observed=observed)
    broken = r.outcome == "sip-no-answer"
    observed["browser_sip_dropped"] = broken
    if in_use and broken:
        return fail(TEXTS["in-use-broken"], evidence=ev, observed=observed)
    if broken:
        return ok(TEXTS["not-in-use"], evidence=ev, observed=observed)
    return ok(TEXTS["answers"], evidence=ev, observed=observed)
