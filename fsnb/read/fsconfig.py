"""Read FreeSWITCH's XML configuration the way FreeSWITCH reads it.

Used by the runbook checks (on the real conf dir) and by the lab's simulator alike,
so that both agree on what a config says.

The files come from the target: each is size-capped (MAX_XML) and read by a real XML parser (expat through
xml.etree) that keeps comments as nodes, so commented-out params are found without a regex over the text (a
`<!--` inside CDATA made the old comment regex quadratic: 103 KB took 18 s).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from fsnb.errors import ConfigError
from fsnb.read import files

_VAR = re.compile(r"\$\$\{([A-Za-z0-9_]+)\}")
MAX_XML = 1024 * 1024      # FreeSWITCH's own files are a few KB; a profile with every param is ~20 KB
MAX_COMMENT = 64 * 1024    # a commented-out block is parsed as XML only up to this size


def _parse(text: str, what: str, comments: bool = False) -> ET.Element:
    if len(text) > MAX_XML:
        raise ConfigError(f"{what}: {len(text)} characters, more than the {MAX_XML} fsnb reads — not parsed")
    try:
        parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=comments))
        parser.feed(text)
        return parser.close()
    except ET.ParseError as exc:
        raise ConfigError(f"{what}: not well-formed XML ({exc})") from None
    except (RecursionError, MemoryError):
        raise ConfigError(f"{what}: nested too deeply to read") from None


# a `&` that starts no entity: expat refuses it ("not well-formed (invalid token)"), FreeSWITCH's own parser keeps it
# as a literal & (seen on 1.11: `value="AIDevelo & Co"`, reloadxml '+OK [Success]', the profile runs)
_BARE_AMP = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)")


def _parse_lenient(text: str, what: str, comments: bool = False) -> tuple[ET.Element, str | None]:
    """Like _parse; where the only flaw is one FreeSWITCH reads past (a bare `&`), the file is read as FreeSWITCH
    reads it and the flaw is returned, named with expat's position: (root, "line 48, column 53: a bare '&' …")."""
    try:
        return _parse(text, what, comments), None
    except ConfigError as strict:
        if len(text) > MAX_XML or "&" not in text:
            raise
        # still not well-formed: the flaw FreeSWITCH refuses too is the one to name (lines unchanged by the &amp;)
        root = _parse(_BARE_AMP.sub("&amp;", text), what, comments)
        detail = str(strict).partition("not well-formed XML (")[2].removesuffix(")") or str(strict)
        return root, f"{detail}: a bare '&' (write &amp;)"


def _commented_params(comment: str) -> list[tuple[str, str]]:
    """`<param name=… value=…/>` written inside a comment (a param commented out): the comment's text is parsed
    as XML itself (linear); text that is not XML holds no param FreeSWITCH would see once uncommented."""
    if "<param" not in comment or len(comment) > MAX_COMMENT:
        return []
    try:
        root = ET.fromstring(f"<c>{comment}</c>")
    except ET.ParseError:
        return []
    return [(p.get("name", ""), p.get("value", "")) for p in root.iter("param") if p.get("name")]


def _read(path: Path) -> str:
    try:
        return files.read_text(path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None


def parse_vars(text: str) -> dict[str, str]:
    """`<X-PRE-PROCESS cmd="set" data="name=value"/>` lines of vars.xml, in order."""
    root = _parse(text, "vars.xml")
    out: dict[str, str] = {}
    for el in root.iter("X-PRE-PROCESS"):
        if el.get("cmd") == "set" and "=" in (el.get("data") or ""):
            name, value = el.get("data").split("=", 1)
            out[name.strip()] = expand(value, out)
    return out


MAX_VALUE = 64 * 1024      # an expanded value: `$${a}$${a}` chains double per line (26 lines: 4 GB)


def expand(value: str, variables: dict[str, str]) -> str:
    """Expand `$${name}`; unknown names stay as written (FreeSWITCH leaves them too). A value that would expand
    beyond MAX_VALUE characters is a ConfigError, found before the text is built."""
    parts, size, last = [], 0, 0
    for m in _VAR.finditer(value):
        piece = variables.get(m.group(1), m.group(0))
        size += (m.start() - last) + len(piece)
        if size > MAX_VALUE:
            raise ConfigError(f"`$${{{m.group(1)[:64]}}}` expands beyond {MAX_VALUE} characters (a variable chain "
                              "that doubles): not expanded")
        parts += (value[last:m.start()], piece)
        last = m.end()
    if size + len(value) - last > MAX_VALUE:
        raise ConfigError(f"a value longer than {MAX_VALUE} characters: not expanded")
    return "".join(parts) + value[last:]


@dataclass
class ProfileConfig:
    name: str
    params: list[tuple[str, str]]
    commented: dict[str, str] = field(default_factory=dict)
    xml_flaw: str | None = None      # not well-formed, but in a way FreeSWITCH reads past (issue #18): where and what

    def get(self, name: str, default: str | None = None) -> str | None:
        """The value FreeSWITCH uses: sofia applies the params in order, so the last one of a name wins."""
        for key, value in reversed(self.params):
            if key == name:
                return value
        return default

    def count(self, name: str) -> int:
        return sum(1 for key, _ in self.params if key == name)


def parse_profile(text: str, name: str, variables: dict[str, str]) -> ProfileConfig:
    """A sofia profile file (`sip_profiles/<name>.xml`); params commented out are kept apart."""
    root, flaw = _parse_lenient(text, f"sip_profiles/{name}.xml", comments=True)
    profile = root if root.tag == "profile" else root.find(".//profile")
    if profile is None:
        raise ConfigError(f"sip_profiles/{name}.xml: no <profile> element")
    params = [
        (p.get("name", ""), expand(p.get("value", ""), variables))
        for p in profile.iterfind("./settings/param")
    ]
    commented = {}
    for node in root.iter(ET.Comment):
        for key, value in _commented_params(node.text or ""):
            commented.setdefault(key, value)
    return ProfileConfig(profile.get("name", name), params, commented, flaw)


def esl_port(value: str) -> int:
    """The port mod_event_socket listens on for a listen-port value: `(uint16_t) atoi(val)`, and 0 means its default
    8021 (mod_event_socket.c) — `0`, `""` or `auto` is 8021, not "no port" (seen: 'Socket up listening on …:8021')."""
    s = value.lstrip(" \t\n\r\v\f")
    sign = -1 if s[:1] == "-" else 1
    s = s[1:] if s[:1] in "+-" else s
    digits = len(s) - len(s.lstrip("0123456789"))
    n = (sign * int(s[:digits][:12])) % 65536 if digits else 0
    return n or 8021


@dataclass
class EslConfig:
    listen_ip: str = "127.0.0.1"
    listen_port: int = 8021
    password: str = "ClueCon"
    apply_inbound_acl: str | None = None

    def __repr__(self) -> str:  # the password never shows in a repr
        return (f"EslConfig(listen_ip={self.listen_ip!r}, listen_port={self.listen_port}, "
                f"apply_inbound_acl={self.apply_inbound_acl!r})")


def parse_event_socket(text: str, variables: dict[str, str]) -> EslConfig:
    root = _parse(text, "event_socket.conf.xml")
    cfg = EslConfig()
    for p in root.iter("param"):
        key, value = p.get("name", ""), expand(p.get("value", ""), variables)
        if key == "listen-ip":
            cfg.listen_ip = value
        elif key == "listen-port":
            cfg.listen_port = esl_port(value)
        elif key == "password":
            cfg.password = value
        elif key == "apply-inbound-acl":
            cfg.apply_inbound_acl = value
    return cfg


@dataclass
class AclList:
    name: str
    default: str  # "allow" | "deny"
    nodes: list[tuple[str, str]]  # (type, cidr)

    def allows(self, ip: str) -> bool:
        """mod_event_socket's verdict for a client address: the default, then each matching node in order."""
        import ipaddress
        try:
            addr = ipaddress.ip_address(ip.split("%")[0])
        except ValueError:
            return False
        if addr.version == 6 and addr.ipv4_mapped:
            addr = addr.ipv4_mapped
        verdict = self.default == "allow"
        for typ, cidr in self.nodes:
            try:
                if addr in ipaddress.ip_network(cidr, strict=False):
                    verdict = typ == "allow"
            except ValueError:
                continue
        return verdict


def parse_acl(text: str) -> dict[str, AclList]:
    root = _parse(text, "acl.conf.xml")
    out = {}
    for lst in root.iter("list"):
        nodes = [(n.get("type", "deny"), n.get("cidr", "")) for n in lst.iter("node") if n.get("cidr")]
        out[lst.get("name", "")] = AclList(lst.get("name", ""), lst.get("default", "deny"), nodes)
    return out


async def parse_async(fn, *args, timeout: float):
    """One of the parsers above off the event loop, under `timeout` (CheckTimeout past it)."""
    from fsnb.read.files import off_loop
    return await off_loop(fn, *args, timeout=timeout, what=f"{getattr(fn, '__name__', 'XML')} parsing")


@dataclass
class ConfDir:
    """A FreeSWITCH conf dir on the local filesystem."""
    path: Path

    def read(self, rel: str) -> str:
        return _read(self.path / rel)

    def vars(self) -> dict[str, str]:
        return parse_vars(self.read("vars.xml"))

    def profile(self, name: str, variables: dict[str, str] | None = None) -> ProfileConfig:
        return parse_profile(self.read(f"sip_profiles/{name}.xml"), name, variables if variables is not None else self.vars())

    def event_socket(self, variables: dict[str, str] | None = None) -> EslConfig:
        return parse_event_socket(self.read("autoload_configs/event_socket.conf.xml"),
                                  variables if variables is not None else self.vars())

    def acl(self) -> dict[str, AclList]:
        path = self.path / "autoload_configs/acl.conf.xml"
        return parse_acl(_read(path)) if path.exists() else {}


def split_binding(binding: str, sip_ip: str) -> tuple[str, int]:
    """`ws-binding`/`wss-binding` value -> (ip, port). An empty IP means the profile's sip-ip."""
    binding = binding.strip()
    if not binding:
        raise ConfigError("empty binding")
    if ":" not in binding:
        # sofia-sip (sofia.c, wss-binding): the port is what follows the last ':'; without one the whole value is
        # taken as the address and the port stays 0 — nothing is bound, and nothing is logged
        raise ConfigError(f"binding {binding!r}: no ':' before the port — sofia-sip binds nothing (write ':{binding}' "
                          f"or 'ip:port')" if binding.isdigit() else f"binding {binding!r}: no ':port' — sofia-sip binds nothing")
    if binding.startswith("["):
        host, _, port = binding[1:].partition("]:")
    else:
        host, _, port = binding.rpartition(":")
    try:
        port_n = int(port)
    except ValueError:
        raise ConfigError(f"binding {binding!r}: port is not a number") from None
    if not 0 < port_n < 65536:
        raise ConfigError(f"binding {binding!r}: port out of range")
    return (host or sip_ip), port_n
