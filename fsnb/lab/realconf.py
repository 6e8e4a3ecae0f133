"""A per-lab configuration for a real FreeSWITCH: the vanilla config of the build, copied and edited.

Every edit is one an operator would make in the same files (vars.xml, event_socket.conf.xml, verto.conf.xml,
acl.conf.xml, sip_profiles/internal.xml, tls/wss.pem); nothing is generated from scratch. The edits that keep
FreeSWITCH on the loopback (../shared/vendor/freeswitch/README.md, "Never off the loopback") are always made:
event_socket on 127.0.0.1, local_ip_v4/v6 and external_*_ip = loopback before the `domain` line, no STUN, verto's
multicast off, the example gateway not registering. The process is started with -nonat (see real.py).

Ports follow the lab's port offset N: internal SIP/ws/wss and ESL as the simulator's (layout.Ports), and the ports
the simulator does not have, chosen so that no two labs whose offsets differ by a multiple of 10 collide:
external profiles 5085+N (vanilla 5080), verto 8087+N / 8089+N (vanilla 8081 / 8082 — 8082 is nginx's port in
the analysis' deployment, and with host networking verto would take it), a second internal profile 5087+N.
"""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from fsnb.lab import pki
from fsnb.lab.layout import BARE_AMP_PARAM, Ports, bindings, write_old_crt_key, xml_attr
from fsnb.lab.scenarios import Dialplan, DtlsPem, FsSettings, SecondProfile, Verto, WssBinding, WssPem

ACL_LIST = ('    <list name="fsnb_deny_all" default="deny">\n'
            '      <node type="deny" cidr="127.0.0.0/8"/>\n    </list>\n')


@dataclass
class RealPorts:
    external_sip: int
    verto_ws: int
    verto_wss: int
    second_sip: int     # scenario wss-port-second-profile: internal-b's own SIP port (its TLS port: +1, tls is off)

    @classmethod
    def for_offset(cls, ports: Ports) -> "RealPorts":
        n = ports.esl - 8021
        return cls(external_sip=5085 + n, verto_ws=8087 + n, verto_wss=8089 + n, second_sip=5087 + n)


@dataclass
class Dirs:
    """The directories of one lab's FreeSWITCH (passed as -conf -log -db -run -certs ... flags)."""
    base: Path

    @property
    def conf(self) -> Path: return self.base / "etc/freeswitch"
    @property
    def certs(self) -> Path: return self.base / "etc/freeswitch/tls"
    @property
    def log(self) -> Path: return self.base / "var/log/freeswitch"
    @property
    def db(self) -> Path: return self.base / "var/lib/freeswitch/db"
    @property
    def run(self) -> Path: return self.base / "var/run/freeswitch"
    @property
    def storage(self) -> Path: return self.base / "var/lib/freeswitch/storage"
    @property
    def recordings(self) -> Path: return self.base / "var/lib/freeswitch/recordings"
    @property
    def cache(self) -> Path: return self.base / "var/cache/freeswitch"
    @property
    def temp(self) -> Path: return self.base / "tmp"
    @property
    def log_file(self) -> Path: return self.log / "freeswitch.log"

    def flags(self) -> list[str]:
        return ["-conf", str(self.conf), "-log", str(self.log), "-db", str(self.db), "-run", str(self.run),
                "-certs", str(self.certs), "-storage", str(self.storage), "-recordings", str(self.recordings),
                "-cache", str(self.cache), "-temp", str(self.temp)]

    def make(self) -> None:
        for p in (self.log, self.db, self.run, self.storage, self.recordings, self.cache, self.temp):
            p.mkdir(parents=True, exist_ok=True)


def _sub(text: str, pattern: str, repl: str, what: str, count: int = 1) -> str:
    new, n = re.subn(pattern, repl, text, count=count)
    if n == 0:
        raise ValueError(f"vanilla config changed: {what} not found (pattern {pattern!r})")
    return new


def _set_var(text: str, name: str, value: str) -> str:
    return _sub(text, rf'<X-PRE-PROCESS cmd="(?:stun-)?set" data="{re.escape(name)}=[^"]*"/>',
                f'<X-PRE-PROCESS cmd="set" data="{name}={value}"/>', f"vars.xml {name}")


ECHO_EXTENSION = {
    Dialplan.ECHO: ("answer", "echo"),
    Dialplan.PARK: ("answer", "park"),
}


def edit_dialplan(text: str, dialplan: Dialplan) -> str:
    """The operator's fix for this build: 9196 answered before the vanilla extensions, whose first ones call the
    `hash` application (mod_hash is not built: every call ends 'Invalid Application hash', 502)."""
    apps = ECHO_EXTENSION.get(dialplan)
    if apps is None:
        return text
    ext = ('\n    <extension name="fsnb_echo">\n      <condition field="destination_number" expression="^9196$">\n'
           + "".join(f'        <action application="{a}"/>\n' for a in apps) + "      </condition>\n    </extension>")
    return _sub(text, r'<context name="default">', lambda m: m.group(0) + ext, "dialplan/default.xml default context")


def edit_vars(text: str, ports: Ports, real: RealPorts, sip_password: str, codec_prefs: str = "") -> str:
    # local_ip_v4/v6 must be set before `domain=$${local_ip_v4}`, or domain takes the outward address
    pre = ('<X-PRE-PROCESS cmd="set" data="local_ip_v4=127.0.0.1"/>\n'
           '  <X-PRE-PROCESS cmd="set" data="local_ip_v6=::1"/>\n  ')
    text = _sub(text, r'<X-PRE-PROCESS cmd="set" data="domain=\$\$\{local_ip_v4\}"/>',
                lambda m: pre + m.group(0), "vars.xml domain line")
    for name, value in (("default_password", sip_password),
                        ("external_rtp_ip", "127.0.0.1"), ("external_sip_ip", "127.0.0.1"),   # no STUN
                        ("internal_sip_port", str(ports.sip)), ("internal_tls_port", str(ports.sip + 1)),
                        ("external_sip_port", str(real.external_sip)), ("external_tls_port", str(real.external_sip + 1)),
                        ("default_provider_register", "false"),
                        *((("global_codec_prefs", codec_prefs),) if codec_prefs else ())):
        text = _set_var(text, name, value)
    if "stun:" in re.sub(r"<!--.*?-->", "", text, flags=re.S):
        raise ValueError("vars.xml still asks a STUN server")
    return text


def edit_event_socket(text: str, ports: Ports | None, password: str | None, listen_ip: str | None,
                      acl: str | None) -> str:
    """Set what is given (None: leave as it is)."""
    if listen_ip is not None:
        text = _sub(text, r'<param name="listen-ip" value="[^"]*"/>', f'<param name="listen-ip" value="{listen_ip}"/>',
                    "event_socket listen-ip")
    if ports is not None:
        text = _sub(text, r'<param name="listen-port" value="[^"]*"/>',
                    f'<param name="listen-port" value="{ports.esl}"/>', "event_socket listen-port")
    if password is not None:
        value = xml_attr(password).replace("\\", "\\\\")      # a regex replacement: backslashes doubled
        text = _sub(text, r'<param name="password" value="[^"]*"/>', f'<param name="password" value="{value}"/>',
                    "event_socket password")
    if acl:
        text = _sub(text, r'<!--<param name="apply-inbound-acl" value="loopback.auto"/>-->',
                    f'<param name="apply-inbound-acl" value="{acl}"/>', "event_socket apply-inbound-acl")
    return text


def edit_verto(text: str, real: RealPorts, verto_on_nginx: int | None = None) -> str:
    # vanilla joins 224.1.1.1 on the outward interface: off
    text = _sub(text, r'\s*<param name="mcast-ip" value="[^"]*"/>', "", "verto mcast-ip")
    text = _sub(text, r'\s*<param name="mcast-port" value="[^"]*"/>', "", "verto mcast-port")
    if verto_on_nginx is None:
        text = text.replace(":8081\"/>", f":{real.verto_ws}\"/>").replace(":8082\" secure", f":{real.verto_wss}\" secure")
        if ":8082" in text or ":8081" in text:
            raise ValueError("verto.conf.xml: a listener is still on 8081/8082")
    else:   # scenario verto-on-nginx-port: vanilla's 8082 (secure) listener, which is nginx's port
        text = text.replace(":8081\"/>", f":{real.verto_ws}\"/>").replace(":8082\" secure", f":{verto_on_nginx}\" secure")
    return text


def edit_internal(text: str, ports: Ports, fs: FsSettings | dict | None) -> str:
    fs = FsSettings.of(fs)
    ws, wss = bindings(fs, ports)
    ws_line = f'<param name="ws-binding"  value="{ws}"/>' if fs.ws_binding else "<!-- no ws-binding (fsnb lab) -->"
    text = _sub(text, r'<param name="ws-binding"\s+value="[^"]*"/>', ws_line, "internal.xml ws-binding")
    if fs.bare_ampersand:
        text = _sub(text, r"(<settings>)", r"\1\n    " + BARE_AMP_PARAM, "internal.xml <settings>")
    line = f'<param name="wss-binding" value="{wss}"/>'
    if fs.wss_binding is WssBinding.COMMENTED:
        line = f"<!-- {line} -->"
    return _sub(text, r'<param name="wss-binding"\s+value="[^"]*"/>', line, "internal.xml wss-binding")


def second_profile(internal: str, real: RealPorts) -> str:
    """internal.xml (as edited for the lab) copied to a profile internal-b, as an operator would for a second
    tenant: its own SIP port, no ws-binding, but the wss-binding left as it was — on internal's WSS port. Everything
    else stays internal's, loopback settings included (sip-ip/rtp-ip $${local_ip_v4}, no STUN)."""
    text = _sub(internal, r'<profile name="internal">', '<profile name="internal-b">', "internal.xml profile name")
    text = _sub(text, r'<param name="sip-port" value="[^"]*"/>', f'<param name="sip-port" value="{real.second_sip}"/>',
                "internal.xml sip-port")
    text = _sub(text, r'<param name="tls-sip-port" value="[^"]*"/>',
                f'<param name="tls-sip-port" value="{real.second_sip + 1}"/>', "internal.xml tls-sip-port")
    text = _sub(text, r'\s*<param name="ws-binding"\s+value="[^"]*"/>', "", "internal.xml ws-binding")
    # internal already aliases every domain to itself; a second alias="true" would only compete for them
    return _sub(text, r'<domain name="all" alias="true" parse="false"/>', '<domain name="all" alias="false" parse="false"/>',
                "internal.xml domain all")


def uncomment_wss(conf: Path) -> None:
    """The operator adds wss-binding back on a running FreeSWITCH (scenario wss-binding-reloadxml)."""
    path = conf / "sip_profiles/internal.xml"
    path.write_text(_sub(path.read_text(), r'<!-- (<param name="wss-binding" value="[^"]*"/>) -->', r"\1",
                         "commented wss-binding"))


def dtls_pem_key_mismatch() -> bytes:
    """dtls-srtp.pem as FreeSWITCH keeps it at start (an RSA key of 4096 bits: switch_core_check_dtls_pem checks only
    that) but with the certificate of another key: every DTLS handshake then fails."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    key = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "FreeSWITCH")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(other.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365)).sign(other, hashes.SHA256()))
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                              serialization.NoEncryption()) + cert.public_bytes(serialization.Encoding.PEM))


def write(dirs: Dirs, vanilla: Path, *, ports: Ports, esl_password: str, sip_password: str,
          fs: FsSettings | dict | None, ca: pki.CA, leaf: pki.Issued) -> dict[str, Path]:
    """Copy the vanilla conf to dirs.conf, edit it for the lab and the scenario, write wss.pem."""
    fs = FsSettings.of(fs)
    if dirs.base.exists():
        shutil.rmtree(dirs.base)
    dirs.base.mkdir(parents=True)
    os.chmod(dirs.base, 0o700)      # freeswitch.xml.fsxml in the log dir holds the expanded config (passwords)
    shutil.copytree(vanilla, dirs.conf, symlinks=True)
    dirs.make()
    real = RealPorts.for_offset(ports)
    c = dirs.conf
    edits = {
        "vars.xml": lambda t: edit_vars(t, ports, real, sip_password, fs.codec_prefs),
        "dialplan/default.xml": lambda t: edit_dialplan(t, fs.dialplan),
        "autoload_configs/event_socket.conf.xml": lambda t: edit_event_socket(
            t, ports, esl_password, fs.esl_listen_ip, fs.esl_acl or None),
        "autoload_configs/verto.conf.xml": lambda t: edit_verto(t, real, ports.nginx if fs.verto is Verto.NGINX_PORT
                                                                 else None),
        "autoload_configs/acl.conf.xml": lambda t: _sub(t, r"(<network-lists>\n)", lambda m: m.group(1) + ACL_LIST,
                                                        "acl.conf.xml network-lists"),
        "sip_profiles/internal.xml": lambda t: edit_internal(t, ports, fs),
    }
    for rel, edit in edits.items():
        p = c / rel
        p.write_text(edit(p.read_text()))
    if fs.wss_profile != "internal":    # the wss-binding put into another profile's file (e.g. external.xml)
        internal, other = c / "sip_profiles/internal.xml", c / f"sip_profiles/{fs.wss_profile}.xml"
        binding = re.search(r'\s*<param name="wss-binding" value="[^"]*"/>', internal.read_text())
        if binding is None:
            raise ValueError("internal.xml: no wss-binding to move")
        internal.write_text(internal.read_text().replace(binding.group(0), "", 1))
        other.write_text(_sub(other.read_text(), r"(<settings>)", lambda m: m.group(1) + binding.group(0),
                              f"{fs.wss_profile}.xml <settings>"))
    if fs.second_profile is SecondProfile.SAME_WSS:
        (c / "sip_profiles/internal-b.xml").write_text(second_profile((c / "sip_profiles/internal.xml").read_text(), real))
    for rel in ("vars.xml", "autoload_configs/event_socket.conf.xml"):
        os.chmod(c / rel, 0o600)      # they hold the lab's passwords
    dirs.certs.mkdir(parents=True, exist_ok=True)
    write_old_crt_key(dirs.certs, ca, fs)     # an earlier wss.crt + wss.key: sofia-sip prefers them to wss.pem
    if fs.dtls_pem is DtlsPem.KEY_MISMATCH:
        (dirs.certs / "dtls-srtp.pem").write_bytes(dtls_pem_key_mismatch())
    if fs.wss_pem is not WssPem.MISSING:
        pem = dirs.certs / "wss.pem"
        pem.write_bytes(pki.wss_pem(leaf, ca, fs.wss_pem))
        os.chmod(pem, 0o600)
    return {"conf_dir": c, "certs_dir": dirs.certs, "log_file": dirs.log_file}
