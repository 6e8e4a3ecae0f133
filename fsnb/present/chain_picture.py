"""The chain picture: Browser → Cloudflare → nginx → FreeSWITCH ws/wss → profile → ESL, with the target's ports.

Each hop is coloured by its checks. Once the results are complete, the picture also shows where the chain breaks:
the hop of the leading cause is the *break point*; hops whose failures that cause explains (the diagnosis'
`explains`) are marked as *consequences* instead of looking broken themselves; a hop that fails for another
reason stays red. Every label goes through fsnb.present.escape.
"""
from __future__ import annotations

from fsnb.diagnosis.catalogue import (
    BINDING,
    CALL,
    CAUSES,
    CERT,
    ESL,
    ESL_CONF,
    HOP_NGINX,
    HOP_PUBLIC,
    HOP_WS,
    HOP_WSS,
    LOG,
    MEDIA_CONF,
    NGINX_CONF,
    PORTS,
    PROFILE,
    TUNNEL,
    Node,
)
from fsnb.i18n import T
from fsnb.present import render
from fsnb.present.escape import html as escape
from fsnb.result import Result

# hop (the catalogue's Node: each cause declares the hop it breaks), label (may use {nginx} {wss} {ws} {esl}
# {profile}), second line, the checks that colour it
NODES = [
    (Node.BROWSER, T("Browser", "Browser"), "", (HOP_PUBLIC,)),
    (Node.CLOUDFLARE, T("Cloudflare", "Cloudflare"), "", (TUNNEL, HOP_PUBLIC)),
    (Node.NGINX, T("nginx", "nginx"), ":{nginx}", (NGINX_CONF, HOP_NGINX)),
    (Node.FREESWITCH, T("FreeSWITCH", "FreeSWITCH"), "wss :{wss} · ws :{ws}", (PORTS, HOP_WSS, HOP_WS, CERT, BINDING)),
    (Node.PROFILE, T("Profil", "Profile"), "{profile}", (PROFILE, LOG)),
    (Node.ESL, T("ESL", "ESL"), ":{esl}", (ESL, ESL_CONF)),
    # drawn apart, under the signalling chain: RTP goes browser ↔ FreeSWITCH directly (or via TURN), never the tunnel
    (Node.MEDIA, T("Medien: RTP/UDP Browser ↔ FreeSWITCH — nicht durch den Tunnel",
                   "Media: RTP/UDP browser ↔ FreeSWITCH — not through the tunnel"), "", (MEDIA_CONF, CALL)),
]
SIGNALLING = [n for n in NODES if n[0] is not Node.MEDIA]
COLOURS = {**render.COLOUR, None: render.UNKNOWN_COLOUR, "root": "#b71c1c", "consequence": "#ffffff"}
TEXT_COLOURS = {"warn": render.ink("warn"), None: render.UNKNOWN_INK, "consequence": "#b71c1c"}
RANK = render.RANK
STATE_WORD = {
    "pass": T("OK", "OK"), "warn": T("Warnung", "warning"), "fail": T("Fehler", "failed"),
    "error": T("Abbruch", "error"), "skip": T("übersprungen", "skipped"), None: T("noch offen", "not checked"),
    "root": T("Bruchstelle", "break point"), "consequence": T("Folge davon", "follows from it"),
}


def ports_of(target) -> dict:
    """The ports a chain label shows, from a Target or a journal's `target` record (defaults: the analysis')."""
    d = {"nginx": "8082", "wss": 7443, "ws": 5066, "esl": 8021, "profile": "internal"}
    if target is None:
        return d
    if isinstance(target, dict):
        fs, ng = target.get("freeswitch") or {}, target.get("nginx") or {}
        get = lambda o, k: o.get(k) if isinstance(o, dict) else None
    else:
        fs, ng = getattr(target, "freeswitch", None), getattr(target, "nginx", None)
        get = lambda o, k: getattr(o, k, None)
    for k, src in (("wss", "wss_port"), ("ws", "ws_port"), ("esl", "esl_port"), ("profile", "profile")):
        if get(fs, src) not in (None, ""):
            d[k] = get(fs, src)
    addr = get(ng, "address")
    if isinstance(addr, str) and addr:
        d["nginx"] = addr.rsplit(":", 1)[-1]
    return d


def _own_state(ids, by: dict) -> str | None:
    call = by.get(CALL)
    if CALL in ids and call is not None and call.status.value == "skip" and \
            not (MEDIA_CONF in by and by[MEDIA_CONF].status.failed):
        return "skip"   # no call, no verdict on the media path: a passing config alone is not "OK"
    seen = [by[i].status.value for i in ids if i in by and by[i].status.value != "skip"]
    if seen:
        return max(seen, key=RANK.get)
    return "skip" if any(i in by for i in ids) else None


def node_states(results: list[Result], findings=None, lang: str = "de", target=None) -> list[tuple[str, str | None]]:
    """(hop label with the target's ports, state) per hop; see hop_states."""
    ports = ports_of(target)
    return [(label(lang) + (" " + sub.format(**ports) if sub else ""), state)
            for (_, state), (_, label, sub, _) in zip(hop_states(results, findings), NODES, strict=True)]


def hop_states(results: list[Result], findings=None) -> list[tuple[str, str | None]]:
    """(hop key, state) per hop. With `findings` (the diagnosis of complete results) the leading fail-level
    cause marks its hop `root` and hops whose failed checks it all explains `consequence`."""
    by = {r.id: r for r in results}
    states = [(key, _own_state(ids, by)) for key, _, _, ids in NODES]
    lead = next((f for f in findings or [] if f.severity == "fail"), None)
    if lead is None:
        return states
    explains = set(lead.explains)
    cause = CAUSES.get(lead.cause)
    root = cause.node if cause else Node.AT_FAILED_CHECK
    if root is Node.AT_FAILED_CHECK:   # the deepest hop of the checks it explains
        root = None
        for key, _, _, ids in reversed(NODES):
            if explains & set(ids):
                root = key
                break
    out = []
    for (key, state), (_, _, _, ids) in zip(states, NODES, strict=True):
        failed = {i for i in ids if i in by and by[i].status.failed}
        if key == root:
            state = "root"
        elif failed and failed <= explains:
            state = "consequence"
        out.append((key, state))
    return out


def svg(results: list[Result], width: int = 900, findings=None, target=None, lang: str = "de",
        mark: bool = True) -> str:
    """The chain as inline SVG. `mark` (default): when `findings` is not given it is computed from `results`
    — pass mark=False while checks are still running, so no break point is drawn from unfinished results."""
    if mark and findings is None and results:
        from fsnb.diagnosis import rules
        findings = rules.diagnose(results)
    every = hop_states(results, findings if mark else None)
    media = next(s for k, s in every if k == Node.MEDIA)
    states = [(k, s) for k, s in every if k != Node.MEDIA]
    ports = ports_of(target)
    n = len(states)
    w, h, top = min(132, int((width - 20 - (n - 1) * 18) / n)), 58, 22
    gap = (width - 20 - n * w) / (n - 1)
    bar_y, bar_h = top + h + 12, 26
    height = bar_y + bar_h + 6
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="chain" class="fsnb-chain">']
    parts.append(_media_bar(media, 10, 10 + 3 * (w + gap) + w, bar_y, bar_h, lang))
    for i, ((key, state), (_, label, sub, _ids)) in enumerate(zip(states, SIGNALLING, strict=True)):
        x = 10 + i * (w + gap)
        fill, ink = COLOURS[state], TEXT_COLOURS.get(state, "#ffffff")
        stroke = {"root": ' stroke="#212121" stroke-width="3"',
                  "consequence": ' stroke="#c62828" stroke-width="2" stroke-dasharray="5 3"',
                  None: ' stroke="#90a4ae" stroke-width="1"'}.get(state, "")
        word = STATE_WORD[state](lang)
        parts.append(f'<g data-node="{escape(key)}" data-state="{state or "unknown"}">'
                     f'<title>{escape(label(lang))}: {escape(word)}</title>'
                     f'<rect x="{x:.0f}" y="{top}" rx="8" width="{w}" height="{h}" fill="{fill}"{stroke}/>'
                     f'<text x="{x + w / 2:.0f}" y="{top + 18}" font-family="sans-serif" font-size="12" '
                     f'font-weight="600" fill="{ink}" text-anchor="middle">{escape(label(lang))}</text>')
        if sub:
            parts.append(f'<text x="{x + w / 2:.0f}" y="{top + 33}" font-family="sans-serif" font-size="11" '
                         f'fill="{ink}" text-anchor="middle">{escape(sub.format(**ports))}</text>')
        parts.append(f'<text x="{x + w / 2:.0f}" y="{top + 50}" font-family="sans-serif" font-size="11" '
                     f'font-style="italic" fill="{ink}" text-anchor="middle">{escape(word)}</text></g>')
        if state == "root":
            parts.append(f'<text x="{x + w / 2:.0f}" y="14" font-family="sans-serif" font-size="11" font-weight="700" '
                         f'fill="#b71c1c" text-anchor="middle" class="fsnb-break">'
                         f'{escape(T("▼ hier bricht die Kette", "▼ the chain breaks here")(lang))}</text>')
        if i < n - 1:
            x2, y = x + w, top + h / 2
            parts.append(f'<line x1="{x2:.0f}" y1="{y:.0f}" x2="{x2 + gap:.0f}" y2="{y:.0f}" stroke="#455a64" stroke-width="2"/>'
                         f'<polygon points="{x2 + gap:.0f},{y:.0f} {x2 + gap - 7:.0f},{y - 4:.0f} {x2 + gap - 7:.0f},{y + 4:.0f}" '
                         f'fill="#455a64"/>')
    parts.append("</svg>")
    return "".join(parts)


def _media_bar(state: str | None, x1: float, x2: float, y: float, h: int, lang: str) -> str:
    """The media path as a bar under browser … FreeSWITCH, dashed: a path of its own beside the signalling chain."""
    label = next(lbl for key, lbl, *_ in NODES if key is Node.MEDIA)(lang)
    fill, ink = COLOURS[state], TEXT_COLOURS.get(state, "#ffffff")
    stroke = ' stroke="#212121" stroke-width="3"' if state == "root" else ' stroke="#455a64" stroke-dasharray="6 4"'
    word = STATE_WORD[state](lang)
    return (f'<g data-node="{Node.MEDIA.value}" data-state="{state or "unknown"}"><title>{escape(label)}: {escape(word)}</title>'
            f'<rect x="{x1:.0f}" y="{y:.0f}" rx="8" width="{x2 - x1:.0f}" height="{h}" fill="{fill}"{stroke}/>'
            f'<text x="{(x1 + x2) / 2:.0f}" y="{y + h / 2 + 4:.0f}" font-family="sans-serif" font-size="11" '
            f'font-weight="600" fill="{ink}" text-anchor="middle">{escape(label)} · {escape(word)}</text></g>')
