"""The sofia profile `internal` of the lab's FreeSWITCH simulator: config, bind, TLS, state.

Behaviour as recorded on FreeSWITCH 1.11 (shared/fixtures/freeswitch 114, 301-309):
- bindings are read only when the profile starts (start/restart); reloadxml and rescan do not rebind;
- any listener that fails to bind takes the whole profile down, and the log names the 5060 URL;
- a bad wss.pem fails the profile at once with "Bad WSS.PEM certificate."; a missing one is generated;
- `start` answers "started successfully" before (and regardless of) the bind.
"""
from __future__ import annotations

import asyncio
import datetime as _dt
import os
import ssl
import time
from pathlib import Path
from typing import TYPE_CHECKING

from fsnb.errors import ConfigError
from fsnb.lab.sofia_ws import WsConnection
from fsnb.read.fsconfig import ProfileConfig, split_binding

if TYPE_CHECKING:
    from fsnb.lab.freeswitch import FreeSwitch

MAX_ATTEMPTS = 3
BIND_DELAY = 0.06  # FreeSWITCH answers `start` ~60 ms before the listeners exist (114b)


class BindFailure(Exception):
    def __init__(self, transport: str, ip: str, port: int, err: OSError):
        super().__init__(f"{transport}/{ip}:{port}: {err.strerror}")
        self.transport, self.ip, self.port, self.err = transport, ip, port, err


class PemFailure(Exception):
    pass


def generate_wss_pem(path: Path) -> None:
    """What FreeSWITCH does for a missing wss.pem: self-signed CN=FreeSWITCH for 100 years, mode 644."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "FreeSWITCH")])
    now = _dt.datetime.now(_dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + _dt.timedelta(days=36500)).sign(key, hashes.SHA256()))
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))
    os.chmod(path, 0o644)


class Profile:
    def __init__(self, fs: "FreeSwitch", name: str):
        self.fs, self.name = fs, name
        self.running = False
        self.started_at = 0.0
        self.config: ProfileConfig | None = None
        self.shown_ws: str | None = None   # WS-BIND-URL as `sofia status profile` shows it
        self.shown_wss: str | None = None
        self.servers: list[asyncio.AbstractServer] = []
        self.udp: list[asyncio.BaseTransport] = []
        self.bound: dict[str, tuple[str, int]] = {}
        self.nonces: set[str] = set()
        self.registrations: dict[str, dict] = {}
        self.task: asyncio.Task | None = None

    # -- config ----------------------------------------------------------------------
    @property
    def sip_ip(self) -> str:
        return (self.config.get("sip-ip") if self.config else None) or self.fs.vars.get("local_ip_v4", "127.0.0.1")

    @property
    def sip_port(self) -> int:
        return int((self.config.get("sip-port") if self.config else None) or 5060)

    @property
    def contact_port(self) -> int:
        return self.bound.get("wss", self.bound.get("ws", (None, self.sip_port)))[1]

    def bind_url(self) -> str:
        return f"sip:mod_sofia@{self.sip_ip}:{self.sip_port};maddr={self.sip_ip};transport=udp,tcp"

    def ws_urls(self, cfg: ProfileConfig) -> tuple[str | None, str | None]:
        ws = wss = None
        if b := _binding(cfg.get("ws-binding"), self.sip_ip):
            ws = f"sip:mod_sofia@{b[0]}:{b[1]};transport=ws"
        if b := _binding(cfg.get("wss-binding"), self.sip_ip):
            wss = f"sips:mod_sofia@{b[0]}:{b[1]};transport=wss"
        return ws, wss

    def certs_dir(self) -> Path:
        d = (self.config.get("tls-cert-dir") if self.config else None) or self.fs.vars["certs_dir"]
        return Path(d)

    # -- logging of the param dump, as sofia.c:4718 -----------------------------------------
    def _log_params(self, cfg: ProfileConfig) -> None:
        log = self.fs.log
        for key, value in cfg.params:
            log.log("DEBUG", "sofia.c:4718", "config_sofia", f"{key} [{value}]")
            if key == "rtp-timeout-sec":
                log.log("WARNING", "sofia.c:5319", "config_sofia", "rtp-timeout-sec deprecated use media_timeout variable.")
            if key == "rtp-hold-timeout-sec":
                log.log("WARNING", "sofia.c:5326", "config_sofia", "rtp-hold-timeout-sec deprecated use media_hold_timeout variable.")

    # -- commands ----------------------------------------------------------------------
    def load_config(self) -> ProfileConfig:
        self.fs.reload_vars()
        return self.fs.conf.profile(self.name, self.fs.vars)

    def start(self) -> str:
        if self.running or (self.task and not self.task.done()):
            return f"{self.name} started successfully\n"
        try:
            cfg = self.load_config()
        except ConfigError as exc:
            self.fs.log.log("ERR", "sofia.c:6282", "config_sofia", f"Error parsing profile {self.name}: {exc}")
            return f"Failure starting {self.name}\n"
        self.task = asyncio.get_running_loop().create_task(self._start(cfg))
        return f"{self.name} started successfully\n"

    async def _start(self, cfg: ProfileConfig) -> None:
        self.config = cfg
        self._log_params(cfg)
        log = self.fs.log
        log.log("NOTICE", "sofia.c:6341", "config_sofia", f"Started Profile {self.name} [sofia_reg_{self.name}]")
        log.log("DEBUG", "sofia.c:3153", "sofia_profile_thread_run", f"Creating agent for {self.name}")
        await asyncio.sleep(BIND_DELAY)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                await self._bind_all(cfg)
            except PemFailure:
                log.log("ERR", "sofia.c:3308", "sofia_profile_thread_run",
                        f"Error Creating SIP UA for profile: {self.name} ({self.bind_url()}). Bad WSS.PEM certificate.")
                self._write_unlock()
                return
            except BindFailure:
                log.log("ERR", "sofia.c:3293", "sofia_profile_thread_run",
                        f"Error Creating SIP UA for profile: {self.name} ({self.bind_url()}) ATTEMPT {attempt} (RETRY IN 5 SEC)")
                if attempt == MAX_ATTEMPTS:
                    log.log("ERR", "sofia.c:3304", "sofia_profile_thread_run",
                            f"Error Creating SIP UA for profile: {self.name} ({self.bind_url()})\n"
                            "The likely causes for this are:\n"
                            "1) Another application is already listening on the specified address.\n"
                            "2) The IP the profile is attempting to bind to is not local to this system.")
                    self._write_unlock()
                    return
                await asyncio.sleep(self.fs.retry_seconds)
                continue
            break
        self.running = True
        self.started_at = time.monotonic() - self.fs.age
        self.fs.age = 0.0
        self.shown_ws, self.shown_wss = self.ws_urls(cfg)
        for where, msg in [("sofia.c:3316", f"Created agent for {self.name}"), ("sofia.c:3366", f"Set params for {self.name}"),
                           ("sofia.c:3413", f"Activated db for {self.name}")]:
            log.log("DEBUG", where, "sofia_profile_thread_run", msg)
        log.log("INFO", "switch_core_sqldb.c:1840", "switch_user_sql_thread", f"sofia:{self.name} Starting SQL thread.")
        log.log("DEBUG", "sofia.c:3451", "sofia_profile_thread_run", f"Starting thread for {self.name}")
        log.log("DEBUG", "sofia.c:3043", "sofia_profile_worker_thread_run", f"Launching worker thread for {self.name}")
        log.log("NOTICE", "sofia.c:4226", "config_sofia", f"Adding Alias [{self.sip_ip}] for profile [{self.name}]")
        self.fs.fire_custom("sofia::profile_start", {"module_name": "mod_sofia", "profile_name": self.name,
                                                     "profile_uri": f"sip:mod_sofia@{self.sip_ip}:{self.sip_port}"})

    def _write_unlock(self) -> None:
        self.fs.log.log("DEBUG", "sofia.c:3573", "sofia_profile_thread_run", f"Write lock {self.name}")
        self.fs.log.log("DEBUG", "sofia.c:3586", "sofia_profile_thread_run", f"Write unlock {self.name}")

    def _tport(self, text: str) -> None:
        if self.fs.tport_level >= 9:
            self.fs.log.raw(text)

    async def _bind_all(self, cfg: ProfileConfig) -> None:
        loop = asyncio.get_running_loop()
        plan = [("udp", self.sip_ip, self.sip_port), ("tcp", self.sip_ip, self.sip_port)]
        for transport in ("ws", "wss"):
            if b := _binding(cfg.get(f"{transport}-binding"), self.sip_ip):
                plan.append((transport, *b))
        handle = f"0x7f{id(self) & 0xffffffffff:010x}"
        self._tport(f"tport.c:566 tport_tcreate() tport_create(): {handle}")
        try:
            for transport, ip, port in plan:
                self._tport(f"tport.c:1693 tport_bind_server() tport_bind_server({handle}) to {transport}/{ip}:{port}/sip")
                try:
                    if transport == "udp":
                        t, _ = await loop.create_datagram_endpoint(asyncio.DatagramProtocol, local_addr=(ip, port))
                        self.udp.append(t)
                    # sofia-sip's TCP listeners set SO_REUSEADDR and SO_REUSEPORT (seen on the real 1.11): a foreign
                    # listener still blocks the bind, but ws and wss on one port both bind, and the kernel spreads
                    # connections between them (scenario wss-same-port-as-ws)
                    elif transport == "tcp":
                        self.servers.append(await asyncio.start_server(self._tcp_sip, ip, port, reuse_address=True,
                                                                       reuse_port=True))
                    elif transport == "ws":
                        self.servers.append(await asyncio.start_server(
                            lambda r, w: WsConnection(self, "WS", r, w).serve(), ip, port, reuse_address=True,
                            reuse_port=True))
                    else:
                        ctx = self._wss_context(handle)
                        self.servers.append(await asyncio.start_server(
                            lambda r, w: WsConnection(self, "WSS", r, w).serve(), ip, port, reuse_address=True,
                            reuse_port=True, ssl=ctx, ssl_handshake_timeout=5.0))
                except OSError as exc:
                    self._tport(f"tport.c:800 tport_listen() tport_listen({handle}): bind(pf=2 {transport}/[{ip}]:{port}): {os.strerror(exc.errno or 0)}")
                    raise BindFailure(transport, ip, port, exc) from None
                self.bound[transport] = (ip, port)
                self._tport(f"tport.c:822 tport_listen() tport_listen({handle}): listening at {transport}/{ip}:{port}/sip")
        except (BindFailure, PemFailure):
            self._tport(f"tport.c:623 tport_destroy() tport_destroy({handle})")
            await self.close_listeners()
            raise

    def _wss_context(self, handle: str) -> ssl.SSLContext:
        """Load wss.pem like tport_wss_create_ssl_ctx: chain file, then the key from the same file."""
        pem = self.certs_dir() / "wss.pem"
        if not pem.exists():
            if os.access(pem.parent, os.W_OK):
                generate_wss_pem(pem)  # silently, as FreeSWITCH does (304e)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            ctx.load_cert_chain(str(pem))
        except (ssl.SSLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)
            self._tport(f"tport_tls.c:161 tls_log_errors() tport_wss_create_ssl_ctx: {reason}")
            raise PemFailure(str(exc)) from None
        # sofia.c checks wss.pem (above), but when wss.crt and wss.key both exist, those are what 7443 serves
        # (seen on the real 1.11: scenario wss-crt-shadows-pem)
        crt, key = self.certs_dir() / "wss.crt", self.certs_dir() / "wss.key"
        if crt.exists() and key.exists():
            shadow = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            try:
                shadow.load_cert_chain(str(crt), str(key))
                return shadow
            except (ssl.SSLError, OSError):
                pass
        return ctx

    async def _tcp_sip(self, reader, writer) -> None:
        try:
            await reader.read(65536)
        finally:
            writer.close()

    async def close_listeners(self) -> None:
        for server in self.servers:
            server.close()
        for server in self.servers:
            try:
                await asyncio.wait_for(server.wait_closed(), 0.5)
            except asyncio.TimeoutError:
                pass
        for t in self.udp:
            t.close()
        self.servers, self.udp, self.bound = [], [], {}

    def guard(self) -> str | None:
        up, guard = time.monotonic() - self.started_at, self.fs.guard_seconds
        if self.running and up < guard:
            return max(1, int(guard - up))
        return None

    def guard_message(self, wait: int) -> str:
        return (f"Profile {self.name} must be up for at least {self.fs.guard_seconds:g} seconds to stop/restart.\n"
                f"Please wait {wait} seconds\n")

    def stop(self) -> str:
        if not self.running:
            return "Invalid Profile!\n"
        wait = self.guard()
        if wait:
            return self.guard_message(wait)
        asyncio.get_running_loop().create_task(self._stop())
        return f"stopping: {self.name}"

    async def _stop(self) -> None:
        self.running = False
        self.shown_ws = self.shown_wss = None
        self.fs.log.log("NOTICE", "sofia.c:3501", "sofia_profile_thread_run", "Waiting for worker thread")
        await asyncio.sleep(BIND_DELAY)
        await self.close_listeners()
        self.fs.log.log("INFO", "switch_core_sqldb.c:1874", "switch_sql_queue_manager_destroy", f"sofia:{self.name} Destroying SQL queue.")
        self._write_unlock()

    def restart(self) -> str:
        if not self.running:
            return "Invalid Profile!\n"
        wait = self.guard()
        if wait:
            return self.guard_message(wait)

        async def _restart():
            await self._stop()
            await asyncio.sleep(0.3)  # listeners are gone for ~0.4 s (114d)
            try:
                cfg = self.load_config()
            except ConfigError as exc:
                self.fs.log.log("ERR", "sofia.c:6282", "config_sofia", f"Error parsing profile {self.name}: {exc}")
                return
            await self._start(cfg)
        self.task = asyncio.get_running_loop().create_task(_restart())
        return f"restarting: {self.name}"

    def rescan(self) -> str:
        """Re-reads the profile: the status shows new bindings, but nothing binds (306)."""
        if not self.running:
            return "Invalid Profile!\n"
        try:
            cfg = self.load_config()
        except ConfigError:
            return "+OK scan complete\n"
        for key, value in cfg.params:
            if key in ("ws-binding", "wss-binding", "tls-bind-params") or key.startswith("rtp-"):
                self.fs.log.log("DEBUG", "sofia.c:4718", "config_sofia", f"{key} [{value}]")
        ws, wss = self.ws_urls(cfg)
        self.shown_ws = ws or self.shown_ws
        self.shown_wss = wss or self.shown_wss
        return "+OK scan complete\n"

    def status_values(self) -> dict[str, str]:
        cfg = self.config
        ip = self.sip_ip
        ext = cfg.get("ext-sip-ip", ip) if cfg else ip
        codecs = (cfg.get("inbound-codec-prefs") if cfg else None) or "OPUS,G722,PCMU,PCMA,H264,VP8"
        return {
            "name": self.name, "presence_hosts": (cfg.get("presence-hosts") if cfg else None) or f"{ip},{ip}",
            "dialplan": (cfg.get("dialplan") if cfg else None) or "XML",
            "context": (cfg.get("context") if cfg else None) or "public",
            "challenge_realm": (cfg.get("challenge-realm") if cfg else None) or "auto_from",
            "rtp_ip": (cfg.get("rtp-ip") if cfg else None) or ip, "ext_rtp_ip": (cfg.get("ext-rtp-ip") if cfg else None) or ip,
            "sip_ip": ip, "ext_sip_ip": ext or ip, "url": f"sip:mod_sofia@{ip}:{self.sip_port}",
            "bind_url": self.bind_url(), "ws_bind_url": self.shown_ws, "wss_bind_url": self.shown_wss,
            "hold_music": (cfg.get("hold-music") if cfg else None) or "local_stream://moh",
            "codecs_in": codecs, "codecs_out": (cfg.get("outbound-codec-prefs") if cfg else None) or codecs,
            "tel_event": (cfg.get("rfc2833-pt") if cfg else None) or "101",
            "registrations": len(self.registrations),
        }


def _binding(value: str | None, sip_ip: str) -> tuple[str, int] | None:
    """(ip, port) of a ws-/wss-binding as sofia-sip binds it; None when it binds nothing (absent, or no ':port')."""
    if not value:
        return None
    try:
        return split_binding(value, sip_ip)
    except ConfigError:
        return None
