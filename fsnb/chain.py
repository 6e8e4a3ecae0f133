"""The chain picture: Browser → Cloudflare → nginx :8082 → FreeSWITCH ws/wss → profile internal → ESL, coloured by results."""
from __future__ import annotations

from html import escape

from .result import Result

NODES = [
    ("Browser", ("schritt4.public",)),
    ("Cloudflare", ("wissen.tunnel", "schritt4.public")),
    ("nginx :8082", ("wissen.nginx", "schritt4.nginx")),
    ("FreeSWITCH ws/wss", ("schritt3.ports", "schritt4.wss", "schritt4.ws", "wissen.zertifikat", "wissen.binding")),
    ("Profil internal", ("schritt2.profil", "schritt2.log")),
    ("ESL :8021", ("schritt1.esl", "schritt1.esl_config")),
]
COLOURS = {"pass": "#2e7d32", "warn": "#f9a825", "fail": "#c62828", "error": "#6a1b9a", "skip": "#9e9e9e", None: "#cfd8dc"}
RANK = {"error": 4, "fail": 3, "warn": 2, "pass": 1, "skip": 0}


def node_states(results: list[Result]) -> list[tuple[str, str | None]]:
    by = {r.id: r.status.value for r in results}
    out = []
    for label, ids in NODES:
        seen = [by[i] for i in ids if i in by and by[i] != "skip"]
        out.append((label, max(seen, key=RANK.get) if seen else (by.get(ids[0]) if ids[0] in by else None)))
    return out


def svg(results: list[Result], width: int = 900) -> str:
    states = node_states(results)
    n = len(states)
    w, h, gap = 128, 54, (width - 20 - n * 128) / (n - 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="90" viewBox="0 0 {width} 90" '
             f'role="img" aria-label="chain" class="fsnb-chain">']
    for i, (label, state) in enumerate(states):
        x = 10 + i * (w + gap)
        colour = COLOURS[state]
        parts.append(f'<g data-node="{escape(label)}" data-state="{state or "unknown"}">'
                     f'<rect x="{x:.0f}" y="15" rx="8" width="{w}" height="{h}" fill="{colour}"/>'
                     f'<text x="{x + w / 2:.0f}" y="38" font-family="sans-serif" font-size="12" fill="white" '
                     f'text-anchor="middle">{escape(label)}</text>'
                     f'<text x="{x + w / 2:.0f}" y="56" font-family="sans-serif" font-size="11" fill="white" '
                     f'text-anchor="middle">{escape(state or "—")}</text></g>')
        if i < n - 1:
            x2 = x + w
            parts.append(f'<line x1="{x2:.0f}" y1="42" x2="{x2 + gap:.0f}" y2="42" stroke="#455a64" stroke-width="2"/>'
                         f'<polygon points="{x2 + gap:.0f},42 {x2 + gap - 7:.0f},38 {x2 + gap - 7:.0f},46" fill="#455a64"/>')
    parts.append("</svg>")
    return "".join(parts)
