"""Parsers for `sofia status`, `sofia status profile <name>` and `sofia xmlstatus` (split on tabs)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from fsnb.errors import ProtocolError


@dataclass
class Row:
    name: str
    type: str
    data: str
    state: str


def parse_status(text: str) -> list[Row]:
    lines = text.splitlines()
    if not lines or "Name" not in lines[0] or "\t" not in lines[0]:
        raise ProtocolError("not a `sofia status` table")
    rows = []
    for line in lines[1:]:
        if not line.strip() or line.startswith("=") or "\t" not in line:
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) != 4:
            raise ProtocolError(f"`sofia status` row with {len(parts)} fields: {line[:60]!r}")
        rows.append(Row(*parts))
    return rows


@dataclass
class ProfileStatus:
    exists: bool
    values: dict[str, str] = field(default_factory=dict)

    @property
    def ws_bind_url(self) -> str | None:
        return self.values.get("WS-BIND-URL")

    @property
    def wss_bind_url(self) -> str | None:
        return self.values.get("WSS-BIND-URL")


def parse_profile(text: str) -> ProfileStatus:
    if text.strip() == "Invalid Profile!":
        return ProfileStatus(False)
    values = {}
    for line in text.splitlines():
        if "\t" in line and not line.startswith("="):
            k, v = line.split("\t", 1)
            values[k.strip()] = v.strip()
    if "Name" not in values:
        raise ProtocolError("not a `sofia status profile` answer")
    return ProfileStatus(True, values)


def bind_url_hostport(url: str | None) -> tuple[str, int] | None:
    """`sips:mod_sofia@127.0.0.1:7443;transport=wss` -> ('127.0.0.1', 7443)."""
    if not url or "@" not in url:
        return None
    hp = url.split("@", 1)[1].split(";", 1)[0]
    if hp.startswith("["):
        host, _, port = hp[1:].partition("]:")
    else:
        host, _, port = hp.rpartition(":")
    try:
        return host, int(port)
    except ValueError:
        return None


def parse_xmlstatus(text: str) -> list[Row]:
    try:
        root = ET.fromstring(text.encode("iso-8859-1", errors="replace"))
    except ET.ParseError as exc:
        raise ProtocolError(f"`sofia xmlstatus`: {exc}") from None
    return [Row(el.findtext("name", ""), el.findtext("type", ""), el.findtext("data", ""), el.findtext("state", ""))
            for el in root]
