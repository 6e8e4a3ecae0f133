"""Schritt 5 — Medien: once WSS works, does a browser's call have audio? The config's side, then a real call."""
from __future__ import annotations

import asyncio
import re
import time
from urllib.parse import urlsplit

from fsnb import target as tgt
from fsnb.checks import T, check, fail, ok, same, skip, warn
from fsnb.checks.schritt4 import hops
from fsnb.diagnosis import observed as obs
from fsnb.errors import AccessError, CheckTimeout, ConfigError, TargetError
from fsnb.probe import media
from fsnb.read import mediaconf
from fsnb.result import Evidence

CLIENT = {"host": T("diesem Rechner", "this host"), "lan": T("dem LAN", "the LAN"),
          "internet": T("dem Internet", "the internet")}
TEXTS = {
    "conf-unread": T("FreeSWITCHs Medien-Konfiguration ist nicht lesbar: {e}", "FreeSWITCH's media config cannot be read: {e}"),
    "conf-ok": T("Browser aus {c} erreichen RTP: FreeSWITCH nennt {a}{turn}; RTP-Ports {p}.",
                 "Browsers on {c} reach RTP: FreeSWITCH advertises {a}{turn}; RTP ports {p}."),
    "conf-unreachable": T("Browser aus {c} erreichen {a} nicht, und es ist kein TURN-Server eingetragen: der Tunnel trägt "
                          "nur die Signalisierung (WebSocket), kein UDP — der Anruf verbindet, ohne Ton.",
                          "Browsers on {c} cannot reach {a}, and no TURN server is configured: the tunnel carries "
                          "the signalling (WebSocket) only, no UDP — the call connects without audio."),
    # issue #22: FreeSWITCH in the container's own network namespace, its RTP range not published as UDP
    "rtp-unpublished": T("FreeSWITCH läuft im eigenen Netzwerk-Namespace des Containers (Docker network mode {mode}), "
                         "und {what}: Browser aus {c} erreichen RTP nicht — der Anruf verbindet, ohne Ton.",
                         "FreeSWITCH runs in the container's own network namespace (Docker network mode {mode}), and "
                         "{what}: browsers on {c} cannot reach RTP — the call connects without audio."),
    "rtp-none": T("Docker veröffentlicht keinen Port seines RTP-Bereichs {r} als UDP (veröffentlicht: {pub})",
                  "Docker publishes none of its RTP range {r} as UDP (published: {pub})"),
    "rtp-none-here": T("Docker veröffentlicht keinen Port seines RTP-Bereichs {r} als UDP auf demselben Host-Port "
                       "(veröffentlicht: {pub}; die SDP nennt FreeSWITCHs eigenen Port)",
                       "Docker publishes none of its RTP range {r} as UDP on the same host port (published: {pub}; "
                       "the SDP names FreeSWITCH's own port)"),
    "rtp-none-reachable": T("Docker veröffentlicht keinen Port seines RTP-Bereichs {r} als UDP auf einer Adresse des Hosts, "
                            "die Browser aus {c} erreichen (veröffentlicht: {pub})",
                            "Docker publishes none of its RTP range {r} as UDP on an address of the host that browsers "
                            "on {c} reach (published: {pub})"),
    "rtp-loopback": T("; {x} ist nur auf {ip} veröffentlicht, dem Loopback des Hosts, den Browser aus {c} nicht "
                      "erreichen", "; {x} is published on {ip} only, the host's loopback, which browsers on {c} cannot "
                      "reach"),
    "rtp-where": T(" auf einer Adresse, die Browser aus {c} erreichen", " on an address browsers on {c} reach"),
    "rtp-part": T("Docker veröffentlicht nur einen Teil seines RTP-Bereichs {r} als UDP auf demselben Host-Port{where} — "
                  "es fehlen {m} (ein Anruf, dessen Port FreeSWITCH dort wählt, hat keinen Ton){lo}",
                  "Docker publishes only part of its RTP range {r} as UDP on the same host port{where} — missing: {m} "
                  "(a call whose port FreeSWITCH picks there has no audio){lo}"),
    "via-turn": T(" (Medien über TURN {t})", " (media via TURN {t})"),
    "no-credentials": T("Kein SIP-Passwort im Ziel ([sip] password): Schritt 5 braucht einen Anruf und kann ohne "
                        "Zugangsdaten nicht laufen (kein Fehler).", "No SIP password in the target ([sip] password): "
                        "step 5 places a call and cannot run without credentials (not a failure)."),
    "simulator": T("Dieses FreeSWITCH nimmt keine Anrufe an ({s}): der Simulator des Labs trägt keine Medien — Schritt 5 "
                   "läuft gegen ein echtes FreeSWITCH (`fsnb lab up --real`), kein Fehler.",
                   "This FreeSWITCH takes no calls ({s}): the lab's simulator carries no media — step 5 runs against a "
                   "real FreeSWITCH (`fsnb lab up --real`); not a failure."),
    "no-register": T("REGISTER gelingt nicht ({d}): ohne Registrierung kein Anruf — Schritt 4 sagt, warum.",
                     "REGISTER does not succeed ({d}): no call without it — step 4 says why."),
    "no-path": T("Der WebSocket-Weg trägt keinen Anruf ({d}) — Schritt 4 sagt, warum.",
                 "The WebSocket path carries no call ({d}) — step 4 says why."),
    "ok": T("Anruf an {x}{via}: ICE {ice}, DTLS {dtls}, RTP {s} gesendet / {r} zurück, Echo nach {rtt}; BYE {bye}.",
            "Call to {x}{via}: ICE {ice}, DTLS {dtls}, RTP {s} sent / {r} back, echo after {rtt}; BYE {bye}."),
    "ok-not-client": T("Von diesem Rechner aus hat der Anruf Ton (Echo nach {rtt}), aber Browser aus {c} erreichen {a} "
                       "nicht — die Antwort nennt nur diese Adresse(n).",
                       "From this host the call has audio (echo after {rtt}), but browsers on {c} cannot reach {a} — "
                       "the answer names only that address (those addresses)."),
    "conf-unreachable-lan": T("Browser aus {c} erreichen {a} nicht (Loopback), und es ist kein TURN-Server eingetragen: der "
                              "Anruf verbindet, ohne Ton.", "Browsers on {c} cannot reach {a} (loopback), and no TURN "
                              "server is configured: the call connects without audio."),
    # the container's own address on its Docker network (Docker's record): only the Docker host reaches it
    "conf-unreachable-container": T(
        "Browser aus {c} erreichen {a} nicht: das ist die eigene Adresse des Containers in seinem Docker-Netz "
        "(laut Docker), die nur der Docker-Host selbst erreicht — Browser erreichen die Adresse des Hosts. Es ist kein "
        "TURN-Server eingetragen: der Anruf verbindet, ohne Ton.",
        "Browsers on {c} cannot reach {a}: it is the container's own address on its Docker network (by Docker's "
        "record), which only the Docker host itself reaches — browsers reach the host's address. No TURN server is "
        "configured: the call connects without audio."),
    "one-way": T("RTP {s} gesendet / {r} zurück, aber der Ton kam nicht zurück: FreeSWITCH sendet, nur nicht, was es "
                 "empfängt.", "RTP {s} sent / {r} back, but the tone did not come back: FreeSWITCH sends, just not what "
                 "it receives."),
    "other": same("{d}"),
    "result": T("Ergebnis", "Result"),
    "answer": T("SDP-Antwort", "SDP answer"),
    "repairs": T("Für aiortc ergänzt (FreeSWITCH lässt es weg)", "Added for aiortc (FreeSWITCH leaves it out)"),
    "measured": T("Gemessen", "Measured"),
    "sockets": T("Lokale UDP-Sockets des Anrufs", "The call's local UDP sockets"),
    "fs-log": T("FreeSWITCH-Log zum Anruf", "FreeSWITCH's log of the call"),
    "offered": T("Eigene ICE-Kandidaten im Angebot", "Own ICE candidates in the offer"),
    "config": T("Konfiguration", "Config"),
}


def _secret(ctx) -> tuple[str, str] | None:
    s = ctx.target.sip
    if not s.password:
        return None
    try:
        return s.user, s.password.reveal()
    except TargetError:
        return None


def _advertised(c: mediaconf.MediaConf, client: str) -> str:
    """The address FreeSWITCH puts into its answer for a client there: ext-rtp-ip for clients outside its
    local-network-acl (the internet), rtp-ip otherwise."""
    if client == "internet" and c.ext_kind != "none":
        return c.ext_rtp_ip
    return c.rtp_ip


@check("schritt5.config", "schritt5", "Schritt 5: Medien-Konfiguration (rtp-ip, ext-rtp-ip, RTP-Ports, TURN)",
       "Step 5: media config (rtp-ip, ext-rtp-ip, RTP ports, TURN)", observes=obs.MediaConfig)
async def config(ctx):
    m = ctx.target.media
    try:
        _, prof, _ = await ctx.profile_config()
        _, vars_text = await ctx.conf_file("vars.xml")
        try:
            _, switch_conf = await ctx.conf_file("autoload_configs/switch.conf.xml")
        except AccessError:
            switch_conf = None
        c = mediaconf.read(vars_text, prof, switch_conf)
    except (AccessError, ConfigError, CheckTimeout) as exc:
        return skip(TEXTS["conf-unread"].format(e=exc), observed={"client": m.client, "turn": m.turn})
    adv = _advertised(c, m.client)
    view = await ctx.docker_view()
    own = _container_addresses(view)
    public = c.ext_kind in ("stun", "autonat") or (c.ext_kind == "ip" and bool(mediaconf.reachable_from(c.ext_rtp_ip, "internet", own)))
    reach = mediaconf.reachable_from(adv, m.client, own) if c.ext_kind not in ("stun", "autonat") or m.client != "internet" else True
    observed = {"client": m.client, "rtp_ip": c.rtp_ip, "ext_rtp_ip": c.ext_rtp_ip, "ext_kind": c.ext_kind,
                "rtp_start": c.rtp_start, "rtp_end": c.rtp_end, "rtp_range_set": c.rtp_range_set,
                "codec_prefs": c.codec_prefs, "turn": m.turn, "public_address": public, "reachable": reach}
    ports = T(f"{c.rtp_start}–{c.rtp_end}/udp" + ("" if c.rtp_range_set else " (FreeSWITCH-Vorgabe)"),
              f"{c.rtp_start}–{c.rtp_end}/udp" + ("" if c.rtp_range_set else " (FreeSWITCH default)"))
    ev = [Evidence(TEXTS["config"], f"rtp-ip = {c.rtp_ip}\next-rtp-ip = {c.ext_rtp_ip or '(none)'} ({c.ext_kind})\n"
                   f"rtp ports = {ports.en}\ninbound-codec-prefs = {c.codec_prefs}\n[media] client = {m.client}\n"
                   f"[media] turn = {m.turn or '(none)'}", "sip_profiles, vars.xml, autoload_configs/switch.conf.xml")]
    unpublished = _rtp_docker(view, c, ctx.fs.container, observed, ev, m.client)
    if reach is False and not m.turn:
        key = ("conf-unreachable" if m.client == "internet" else "conf-unreachable-container"
               if mediaconf.is_container_address(adv, own) else "conf-unreachable-lan")
        return fail(TEXTS[key].format(c=CLIENT[m.client], a=adv or "?"), evidence=ev, observed=observed)
    if unpublished and not m.turn and (m.client != "host" or _loopback_or_any(adv)):
        # from this host a container's bridge address is reachable without publishing; its loopback never is
        r = f"{c.rtp_start}-{c.rtp_end}"
        lo = observed.get("rtp_loopback_only") or []
        lo_text, where = (T("", ""), T("", "")) if not lo else (T(
            TEXTS["rtp-loopback"].de.format(ip=_ips(view), c=CLIENT[m.client].de, x=", ".join(lo)),
            TEXTS["rtp-loopback"].en.format(ip=_ips(view), c=CLIENT[m.client].en, x=", ".join(lo))), T(
            TEXTS["rtp-where"].de.format(c=CLIENT[m.client].de), TEXTS["rtp-where"].en.format(c=CLIENT[m.client].en)))
        if unpublished == [(c.rtp_start, c.rtp_end)]:
            udp = [p.text() for p in view.published if p.proto == "udp"]
            key = "rtp-none-reachable" if lo else "rtp-none-here" if udp else "rtp-none"
            pub = ", ".join(udp[:8]) + (" …" if len(udp) > 8 else "") or "—"
            what = T(TEXTS[key].de.format(r=r, pub=pub, c=CLIENT[m.client].de) + lo_text.de,
                     TEXTS[key].en.format(r=r, pub=pub, c=CLIENT[m.client].en) + lo_text.en)
        else:
            m_ = ", ".join(observed["rtp_unpublished"])
            what = T(TEXTS["rtp-part"].de.format(r=r, m=m_, lo=lo_text.de, where=where.de),
                     TEXTS["rtp-part"].en.format(r=r, m=m_, lo=lo_text.en, where=where.en))
        return fail(T(TEXTS["rtp-unpublished"].de.format(mode=view.network_mode or "?", what=what.de, c=CLIENT[m.client].de),
                      TEXTS["rtp-unpublished"].en.format(mode=view.network_mode or "?", what=what.en, c=CLIENT[m.client].en)),
                    evidence=ev, observed=observed)
    turn = TEXTS["via-turn"].format(t=m.turn) if m.turn else T("", "")
    return ok(T(TEXTS["conf-ok"].de.format(c=CLIENT[m.client].de, a=adv or "?", p=ports.de, turn=turn.de),
                TEXTS["conf-ok"].en.format(c=CLIENT[m.client].en, a=adv or "?", p=ports.en, turn=turn.en)),
              evidence=ev, observed=observed)


def _span(a: int, b: int) -> str:
    return f"{a}/udp" if a == b else f"{a}-{b}/udp"


def _spans(runs: list[tuple[int, int]]) -> list[str]:
    return [_span(a, b) for a, b in runs[:20]] + (["…"] if len(runs) > 20 else [])


def _ips(view) -> str:
    return ", ".join(view.udp_loopback_ips) or "127.0.0.1"


def _container_addresses(view) -> tuple[str, ...]:
    """The container's own addresses on its Docker networks, by Docker's record; none without a view or on the
    host's network (then the container's addresses are the host's)."""
    return tuple(view.addresses) if view is not None and view.own_netns else ()


def _rtp_docker(view, c: mediaconf.MediaConf, container: str, observed: dict, ev: list,
                client: str = "host") -> list[tuple[int, int]]:
    """Docker's view of the RTP range (the record schritt3.ports reads): recorded in `observed` and as evidence; the
    runs of the range not published as UDP on the same host port (none without a view, or with host networking).
    Where the browsers are decides what counts: for `lan` and `internet` a range published on the host's loopback
    only (`-p 127.0.0.1:…`) is not published — they cannot reach it; for `host` it is."""
    if view is None:
        return []
    observed.update(network_mode=view.network_mode, own_netns=view.own_netns)
    if not view.own_netns:
        return []
    observed["container_addresses"] = list(view.addresses)
    here = client == "host"
    missing = view.udp_unpublished(c.rtp_start, c.rtp_end, loopback=here)
    lo = view.udp_loopback_only(c.rtp_start, c.rtp_end)
    nowhere = view.udp_unpublished(c.rtp_start, c.rtp_end)
    observed["rtp_unpublished"] = _spans(missing)
    observed["rtp_loopback_only"] = [] if here else _spans(lo)
    udp = [p.text() for p in view.published if p.proto == "udp"]
    where = "switch.conf.xml" if c.rtp_range_set else "FreeSWITCH default"
    said = []
    if nowhere:
        said.append(f"not published as UDP: {', '.join(_spans(nowhere))}")
    if lo:
        said.append(f"{', '.join(_spans(lo))} published on {_ips(view)} only: "
                    + (f"browsers on {CLIENT[client].en} cannot reach it" if not here else "browsers on this host reach it"))
    if not said:
        said.append("published as UDP on the same host ports")
    ev.append(Evidence("Docker", f"network mode {view.network_mode or '?'} (own network namespace)\n"
                       f"container addresses: {', '.join(view.addresses) or 'none'}\n"
                       f"published UDP ports: {', '.join(udp[:20]) + (' …' if len(udp) > 20 else '') or 'none'}\n"
                       f"RTP range {c.rtp_start}-{c.rtp_end}/udp ({where}): {'; '.join(said)}",
                       f"Docker engine: inspect {container}"))
    return missing


def _loopback_or_any(addr: str) -> bool:
    ip = mediaconf.address(addr)
    return bool(ip and (ip.is_loopback or ip.is_unspecified))


def _hop(ctx):
    """The path a browser uses: the public URL (through tunnel/edge and nginx); without one, WSS direct."""
    h = hops(ctx)
    return h["public"] if urlsplit(ctx.target.tunnel.public_url).hostname else h["wss"]


@check("schritt5.anruf", "schritt5", "Schritt 5: ein echter WebRTC-Anruf an das Echo (ICE, DTLS-SRTP, RTP)",
       "Step 5: a real WebRTC call to the echo (ICE, DTLS-SRTP, RTP)", observes=obs.Call)
async def call(ctx):
    m = ctx.target.media
    cred = _secret(ctx)
    if cred is None:
        return skip(TEXTS["no-credentials"], observed={"outcome": "not-run", "why_not": "no-credentials", "client": m.client})
    turn_pw = ""
    if m.turn and m.turn_password:
        try:
            turn_pw = m.turn_password.reveal()
        except TargetError:
            pass
    spec = media.CallSpec(_hop(ctx), cred[0], cred[1], ctx.target.sip.domain or ctx.fs.host.strip("[]"),
                          callee=m.echo, listen=m.listen, turn=m.turn, turn_user=m.turn_user, turn_password=turn_pw,
                          timeout=ctx.timeout + 0.5)    # the runner allows its checks 1 s of grace
    t0 = time.monotonic()
    # Docker's record alongside the call (memoised per run; schritt5.config has usually read it): the container's own
    # addresses, which an SDP may name and only the Docker host reaches
    r, view = await asyncio.gather(media.call(spec), ctx.docker_view())
    observed = _observed(r, m.client, time.monotonic() - t0, _container_addresses(view))
    ev = _evidence(r, spec)
    if r.outcome != "ok" or r.echo_rtt is None:
        said = await _fs_log(ctx, r.call_id)
        if said:
            ev.insert(1, Evidence(TEXTS["fs-log"], "\n".join(said), "freeswitch.log (the channel of this Call-ID)"))
    if r.invite_status == 405:      # a SIP peer that takes no INVITE: the simulator (it answers REGISTER/OPTIONS only)
        observed.update(outcome="not-run", why_not="simulator")
        return skip(TEXTS["simulator"].format(s=r.detail), evidence=ev, observed=observed)
    if r.outcome in ("ws-error", "register-failed"):     # Step 4 tests (and names) the WebSocket and REGISTER
        observed.update(outcome="not-run", why_not="no-wss" if r.outcome == "ws-error" else "no-register")
        key = "no-path" if r.outcome == "ws-error" else "no-register"
        return skip(TEXTS[key].format(d=r.detail), evidence=ev, observed=observed)
    rtt = f"{r.echo_rtt * 1000:.0f} ms" if r.echo_rtt is not None else "—"
    if r.outcome == "ok" and r.echo_rtt is not None:
        if observed["unreachable"] and not m.turn:
            return fail(T(TEXTS["ok-not-client"].de.format(rtt=rtt, c=CLIENT[m.client].de, a=", ".join(observed["unreachable"])),
                          TEXTS["ok-not-client"].en.format(rtt=rtt, c=CLIENT[m.client].en, a=", ".join(observed["unreachable"]))),
                        evidence=ev, observed=observed)
        return ok(TEXTS["ok"].format(x=m.echo, via=f" (TURN {m.turn})" if observed["relay"] else "", ice=r.ice_state, dtls=r.dtls_state, s=r.packets_sent,
                                     r=r.packets_received, rtt=rtt, bye=r.bye_status), evidence=ev, observed=observed)
    if r.outcome == "too-slow":     # not judged: a warning, never a cause
        return warn(TEXTS["other"].format(d=r.detail), evidence=ev, observed=observed)
    if r.outcome == "ok":       # packets both ways, but not the audio sent: the tone never came back
        observed["outcome"] = "no-media-back"
        return fail(TEXTS["one-way"].format(s=r.packets_sent, r=r.packets_received), evidence=ev, observed=observed)
    return fail(TEXTS["other"].format(d=r.detail), evidence=ev, observed=observed)


LOG_WORDS = ("[ERR]", "[CRIT]", "[WARNING]", "Invalid Application", "DTLS", "Hangup", "AUDIO RTP")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


async def _fs_log(ctx, call_id: str, limit: int = 8) -> list[str]:
    """FreeSWITCH's own words about this call: the channel its log names with our Call-ID, its error, DTLS, RTP
    and hangup lines (read fresh after the call, bounded; none when the log cannot be read)."""
    try:
        path, _ = await ctx.log_file()
        if not path or not call_id:
            return []
        text = await asyncio.wait_for(ctx.machine().read_file(path, tail=256 * 1024), 0.5)
    except (AccessError, CheckTimeout, ConfigError, OSError, asyncio.TimeoutError, TimeoutError):
        return []
    lines = text.splitlines()
    uuids = {m.group(0) for line in lines if call_id in line and (m := _UUID.match(line))}
    picked = [line for line in lines if (m := _UUID.match(line)) and m.group(0) in uuids
              and any(w in line for w in LOG_WORDS)]
    return [line[:300] for line in picked[-limit:]]


def _observed(r: media.MediaResult, client: str, seconds: float, container: tuple[str, ...] = ()) -> dict:
    """What the call showed; `container`: the container's own addresses by Docker's record (an SDP address among
    them is the Docker host's to reach only)."""
    a = r.answer
    addrs = a.addresses() if a else []
    return {"outcome": r.outcome, "client": client, "invite_status": r.invite_status, "invite_reason": r.invite_reason,
            "addresses": addrs, "unreachable": [x for x in addrs if mediaconf.reachable_from(x, client, container) is False],
            "codecs": a.codecs if a else [], "direction": a.direction if a else "",
            "dtls_offered": bool(a.fingerprint) if a else None, "ice_state": r.ice_state, "dtls_state": r.dtls_state,
            "packets_sent": r.packets_sent, "packets_received": r.packets_received,
            "echo_rtt": round(r.echo_rtt, 4) if r.echo_rtt is not None else None,
            "sockets": [tgt.netloc(h, p) for h, p in r.sockets], "seconds": round(seconds, 3),
            "relay": any(c.startswith("relay ") for c in r.offered)}


def _evidence(r: media.MediaResult, spec: media.CallSpec) -> list[Evidence]:
    via = f"aiortc + websockets → {spec.hop.url}" + (f" (dial {spec.hop.connect[0]}:{spec.hop.connect[1]})"
                                                     if spec.hop.connect else "")
    ev = [Evidence(TEXTS["result"], r.detail or r.outcome, via), Evidence("SIP", "\n".join(r.sip_lines), via)]
    if r.answer_sdp:
        ev.append(Evidence(TEXTS["answer"], r.answer_sdp, via))
    if r.repairs:
        ev.append(Evidence(TEXTS["repairs"], "\n".join(r.repairs), "fsnb/probe/sdp.py"))
    steps = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in r.steps.items())
    if r.offered:
        ev.append(Evidence(TEXTS["offered"], "\n".join(r.offered), "aiortc (aioice), pinned to the loopback"))
    ev.append(Evidence(TEXTS["measured"], f"ICE {r.ice_state or '—'}, DTLS {r.dtls_state or '—'}; RTP sent "
                       f"{r.packets_sent}, received {r.packets_received}; echo "
                       f"{'—' if r.echo_rtt is None else f'{r.echo_rtt * 1000:.0f} ms'}; not contacted (off the "
                       f"loopback): {', '.join(r.not_contacted) or '—'}\n{steps}", "aiortc getStats()"))
    if r.sockets:
        ev.append(Evidence(TEXTS["sockets"], "\n".join(tgt.netloc(h, p) for h, p in r.sockets), "/proc/self/net/udp"))
    return ev
