"""The lab's FreeSWITCH simulator: mod_event_socket, mod_sofia's `internal` profile, freeswitch.log.

It stands in for FreeSWITCH 1.11 (which cannot be installed here) and answers byte for byte as
the transcripts in shared/fixtures/freeswitch were recorded. It reads a FreeSWITCH-layout conf dir
(vars.xml, sip_profiles/internal.xml, autoload_configs/event_socket.conf.xml, acl.conf.xml) and the
certs dir, so fsnb's checks read the same files they read on a real system.

Run: python -m fsnb.lab.freeswitch --prefix DIR   (FHS layout under DIR, like a source build)
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as _dt
import ipaddress
import signal
import socket
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from fsnb.errors import ConfigError
from fsnb.lab import outputs
from fsnb.lab.fslog import LEVELS, FsLog, LogLine
from fsnb.lab.sofia import Profile
from fsnb.probe.esl import encode_frame
from fsnb.read.fsconfig import ConfDir, EslConfig, expand

CORE_UUID = "f2e381fc-7891-43d6-bad5-cfce4a2664da"
SHOW_MODULES = [("api", n, "mod_commands") for n in ("eval", "global_getvar", "module_exists", "reloadxml", "show",
                                                     "status", "version")] + [
    ("api", "sofia", "mod_sofia"), ("endpoint", "sofia", "mod_sofia"), ("endpoint", "rtp", "mod_sofia"),
    ("json_api", "sofia.status", "mod_sofia"), ("json_api", "sofia.status.info", "mod_sofia")]
MODULES = ["mod_commands", "mod_console", "mod_dialplan_xml", "mod_dptools", "mod_event_socket", "mod_logfile",
           "mod_sofia", "mod_verto", "mod_loopback"]


def _reply(text: str) -> bytes:
    return encode_frame([("Content-Type", "command/reply"), ("Reply-Text", text)])


def _api(body: str) -> bytes:
    data = body.encode()
    return encode_frame([("Content-Type", "api/response"), ("Content-Length", str(len(data)))], data)


def _disconnect() -> bytes:
    data = outputs.DISCONNECT_NOTICE.encode()
    return encode_frame([("Content-Type", "text/disconnect-notice"), ("Content-Length", str(len(data)))], data)


class FreeSwitch:
    def __init__(self, prefix: Path, retry_seconds: float = 5.0, hostname: str | None = None, age: float = 0.0,
                 guard_seconds: float = 10.0):
        self.prefix = prefix
        self.conf = ConfDir(prefix / "etc/freeswitch")
        self.core = {
            "base_dir": str(prefix), "conf_dir": str(self.conf.path), "certs_dir": str(self.conf.path / "tls"),
            "log_dir": str(prefix / "var/log/freeswitch"), "run_dir": str(prefix / "var/run/freeswitch"),
            "hostname": hostname or socket.gethostname(), "local_ip_v4": "127.0.0.1",
        }
        self.vars: dict[str, str] = {}
        self.reload_vars()
        self.log = FsLog(Path(self.vars["log_dir"]) / "freeswitch.log")
        self.retry_seconds = retry_seconds
        self.started = time.time() - age   # the lab may start "as if up for a while" (restart guard)
        self.age = age
        self.guard_seconds = guard_seconds   # how long a profile must be up before stop/restart (FreeSWITCH: 10 s)
        self.tport_level = 0
        self.profile = Profile(self, "internal")
        self.esl_server: asyncio.AbstractServer | None = None
        self.sessions: set[EslSession] = set()
        self.sequence = 500
        self.stopping = asyncio.Event()

    def reload_vars(self) -> None:
        merged = dict(self.core)
        try:
            merged.update(self.conf.vars())
        except ConfigError as exc:
            print(f"vars.xml: {exc}", file=sys.stderr)
        self.vars = merged

    def directory_password(self, user: str) -> str | None:
        if user.isdigit() and 1000 <= int(user) <= 1019:
            return self.vars.get("default_password", "1234")
        return None

    # -- events --------------------------------------------------------------------------
    def _event_headers(self, name: str, subclass: str | None, calling: tuple[str, str, int]) -> list[tuple[str, str]]:
        now = _dt.datetime.now()
        self.sequence += 1
        head = [("Event-Subclass", subclass)] if subclass else []
        return head + [
            ("Event-Name", name), ("Core-UUID", CORE_UUID), ("FreeSWITCH-Hostname", self.vars["hostname"]),
            ("FreeSWITCH-Switchname", self.vars["hostname"]), ("FreeSWITCH-IPv4", self.vars.get("local_ip_v4", "")),
            ("FreeSWITCH-IPv6", self.vars.get("local_ip_v6", "::1")),
            ("Event-Date-Local", now.strftime("%Y-%m-%d %H:%M:%S")),
            ("Event-Date-GMT", _dt.datetime.now(_dt.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")),
            ("Event-Date-Timestamp", str(int(time.time() * 1e6))),
            ("Event-Calling-File", calling[0]), ("Event-Calling-Function", calling[1]),
            ("Event-Calling-Line-Number", str(calling[2])), ("Event-Sequence", str(self.sequence)),
        ]

    def fire(self, name: str, headers: list[tuple[str, str]], body: str = "", subclass: str | None = None,
             calling=("mod_event_socket.c", "api_exec", 1580)) -> None:
        all_headers = self._event_headers(name, subclass, calling) + headers
        text = "".join(f"{k}: {quote(v, safe='')}\n" for k, v in all_headers)
        if body:
            text += f"Content-Length: {len(body.encode())}\n\n{body}"
        else:
            text += "\n"
        data = text.encode()
        frame = encode_frame([("Content-Length", str(len(data))), ("Content-Type", "text/event-plain")], data)
        for s in list(self.sessions):
            if s.wants(name, subclass):
                s.send(frame)

    def fire_custom(self, subclass: str, headers: dict[str, str]) -> None:
        self.fire("CUSTOM", list(headers.items()), subclass=subclass, calling=("sofia.c", "config_sofia", 6343))

    # -- api -----------------------------------------------------------------------------
    def api(self, line: str) -> str:
        cmd, _, arg = line.strip().partition(" ")
        arg = arg.strip()
        if cmd == "status":
            return outputs.status(self.started)
        if cmd == "version":
            return outputs.version()
        if cmd == "reloadxml":
            self.reload_vars()
            return "+OK [Success]\n"
        if cmd == "global_getvar":
            return self.vars[arg] if arg in self.vars else "-ERR no reply\n"
        if cmd == "strftime":   # mod_dptools: the local time, no newline
            return time.strftime(arg or "%Y-%m-%d %T")
        if cmd == "eval":
            return expand(arg, self.vars)
        if cmd == "module_exists":
            return "true" if arg in MODULES else "false"
        if cmd == "show" and arg.startswith("modules"):
            # the recorded format (112c): type,name,ikey,filename sorted by type then name; the lab lists only what it implements
            rows = sorted(SHOW_MODULES)
            body = "".join(f"{t},{n},{m},{self.prefix}/lib/freeswitch/mod/{m}.so\n" for t, n, m in rows)
            return f"type,name,ikey,filename\n{body}\n{len(rows)} total.\n"
        if cmd == "sofia":
            return self.sofia(arg.split())
        if cmd == "json":
            return self.json_api(arg)
        return outputs.command_not_found(cmd)

    def json_api(self, arg: str) -> str:
        """`json {"command": "sofia.status"|"sofia.status.info", "data": ...}` as mod_sofia answers (121c/d, 109d)."""
        import json
        try:
            req = json.loads(arg)
            command, data = req["command"], req.get("data", "")
        except (ValueError, KeyError, TypeError):
            return '{"status":"error","message":"parse error"}\n'
        if command not in ("sofia.status", "sofia.status.info"):
            return json.dumps({"command": command, "data": data, "status": "error", "message": "Invalid command"},
                              separators=(",", ":")) + "\n"
        info = command == "sofia.status.info"
        v4, v6 = self.vars.get("local_ip_v4", "127.0.0.1"), self.vars.get("local_ip_v6")
        p = self.profile

        def static_info(name, ip, port, v6addr):
            if v6addr:
                return {"domain-name": "N/A", "auto-nat": "false", "db-name": f"sofia_reg_{name}", "pres-hosts": "",
                        "dialplan": "XML", "context": "public", "challenge-realm": "auto_to", "rtp-ip": [], "sip-ip": ip,
                        "ext-sip-ip": "", "url": f"sip:mod_sofia@[{ip}]:{port}",
                        "bind-url": f"sip:mod_sofia@[{ip}]:{port};transport=udp,tcp", "hold-music": "local_stream://moh",
                        "outbound-proxy": "N/A"}
            return {"domain-name": "N/A", "auto-nat": "false", "db-name": f"sofia_reg_{name}", "pres-hosts": "",
                    "dialplan": "XML", "context": "public", "challenge-realm": "auto_to", "rtp-ip": [ip], "ext-rtp-ip": ip,
                    "sip-ip": ip, "ext-sip-ip": ip, "url": f"sip:mod_sofia@{ip}:{port}",
                    "bind-url": f"sip:mod_sofia@{ip}:{port};maddr={ip};transport=udp,tcp",
                    "hold-music": "local_stream://moh", "outbound-proxy": "N/A"}

        def internal_info(alias: bool):
            sv = p.status_values()
            out = {"domain-name": "N/A"}
            if alias:
                out["alias-of"] = p.name
            out.update({"auto-nat": "false", "db-name": f"sofia_reg_{p.name}", "pres-hosts": sv["presence_hosts"],
                        "dialplan": sv["dialplan"], "context": sv["context"], "challenge-realm": sv["challenge_realm"],
                        "rtp-ip": [sv["rtp_ip"]], "ext-rtp-ip": sv["ext_rtp_ip"], "sip-ip": sv["sip_ip"],
                        "ext-sip-ip": sv["ext_sip_ip"], "url": sv["url"], "bind-url": sv["bind_url"]})
            if sv["ws_bind_url"]:
                out["ws-bind-url"] = sv["ws_bind_url"]
            if sv["wss_bind_url"]:
                out["wss-bind-url"] = sv["wss_bind_url"]
            out.update({"hold-music": sv["hold_music"], "outbound-proxy": "N/A"})
            return out

        def prof(data_url, extra=None, inf=None):
            d = {"status": {"type": "profile", "state": "RUNNING", "in-use": 0, "data": data_url}}
            d.update(extra or {})
            if info and inf is not None:
                d["info"] = inf
            return d
        profiles = {}
        if v6:
            profiles["external-ipv6"] = prof(f"sip:mod_sofia@[{v6}]:5080", inf=static_info("external-ipv6", v6, 5080, True))
        if p.running:
            alias = {"status": {"type": "alias", "data": p.name, "state": "ALIASED"}}
            if info:
                alias["info"] = internal_info(True)
            profiles[p.sip_ip] = alias
        profiles["external"] = prof(f"sip:mod_sofia@{v4}:5080", {"gateways": {"example.com": {
            "type": "gateway", "data": "sip:joeuser@example.com", "state": "NOREG"}}}, static_info("external", v4, 5080, False))
        if v6:
            profiles["internal-ipv6"] = prof(f"sip:mod_sofia@[{v6}]:{self.profile.sip_port}", inf=static_info("internal-ipv6", v6, self.profile.sip_port, True))
        if p.running:
            profiles[p.name] = prof(f"sip:mod_sofia@{p.sip_ip}:{p.sip_port}", inf=internal_info(False))
        return json.dumps({"command": command, "data": data, "status": "success", "response": {"profiles": profiles}},
                          separators=(",", ":")) + "\n"

    def sofia(self, argv: list[str]) -> str:
        p = self.profile
        if not argv:
            return "-ERR Usage: sofia status|xmlstatus|profile ...\n"
        if argv[0] == "status" and len(argv) == 1:
            return self.sofia_status()
        if argv[0] == "status" and len(argv) >= 3 and argv[1] == "profile":
            if argv[2] != p.name or not p.running:
                return outputs.INVALID_PROFILE
            if len(argv) > 3 and argv[3] == "reg":
                return outputs.registrations(self._regs())
            return outputs.profile_status(p.status_values())
        if argv[0] == "xmlstatus":
            return self.sofia_xmlstatus()
        if argv[0] == "loglevel" and len(argv) == 3 and argv[2].isdigit():
            if argv[1] in ("tport", "all"):
                self.tport_level = int(argv[2])
            return outputs.loglevel(argv[1], int(argv[2]))
        if argv[0] == "profile" and len(argv) >= 3:
            if argv[1] != p.name:
                return outputs.RELOAD_XML + "Invalid Profile!\n"
            self.reload_vars()
            action = {"start": p.start, "stop": p.stop, "restart": p.restart, "rescan": p.rescan}.get(argv[2])
            if action is None:
                return "-ERR Unknown command!\n"
            result = action()
            # the restart guard answers before "Reload XML" (114c)
            return result if result.startswith("Profile ") else outputs.RELOAD_XML + result
        return "-ERR Unknown command!\n"

    def _static_profiles(self) -> list[tuple[str, str, str, str, str]]:
        """The other profiles of a vanilla config, shown for faithfulness; the lab binds none of them."""
        v4, v6 = self.vars.get("local_ip_v4", "127.0.0.1"), self.vars.get("local_ip_v6")
        rows = []
        if v6:
            rows.append(("profile", "external-ipv6", "profile", f"sip:mod_sofia@[{v6}]:5080", "RUNNING (0)"))
        rows.append(("profile", "external", "profile", f"sip:mod_sofia@{v4}:5080", "RUNNING (0)"))
        rows.append(("gateway", "external::example.com", "gateway", "sip:joeuser@example.com", "NOREG"))
        if v6:
            # internal-ipv6 shares internal_sip_port (vanilla internal-ipv6.xml), so it follows a lab's port offset
            rows.append(("profile", "internal-ipv6", "profile", f"sip:mod_sofia@[{v6}]:{self.profile.sip_port}",
                         "RUNNING (0)"))
        return rows

    def sofia_status(self) -> str:
        rows = [r[1:] for r in self._static_profiles()]
        p = self.profile
        aliases = 0
        if p.running:
            rows.insert(1 if self.vars.get("local_ip_v6") else 0, (p.sip_ip, "alias", p.name, "ALIASED"))
            rows.append((p.name, "profile", f"sip:mod_sofia@{p.sip_ip}:{p.sip_port}", "RUNNING (0)"))
            aliases = 1
        profiles = sum(1 for r in rows if r[1] == "profile")
        return outputs.sofia_status(rows, profiles, aliases)

    def sofia_xmlstatus(self) -> str:
        items = []
        p = self.profile
        for tag, name, typ, data, state in self._static_profiles():
            items.append((tag, name.split("::")[-1], typ, data, state))
        if p.running:
            items.insert(1 if self.vars.get("local_ip_v6") else 0, ("alias", p.sip_ip, "alias", p.name, "ALIASED"))
            items.append(("profile", p.name, "profile", f"sip:mod_sofia@{p.sip_ip}:{p.sip_port}", "RUNNING (0)"))
            for transport, label in (("ws", "WS"), ("wss", "WSS")):
                if transport in p.bound:
                    ip, port = p.bound[transport]
                    scheme = "sips" if transport == "wss" else "sip"
                    items.append(("profile", p.name, "profile", f"{scheme}:mod_sofia@{ip}:{port};transport={transport}",
                                  f"RUNNING (0) ({label})"))
        return outputs.sofia_xmlstatus(items)

    def _regs(self) -> list[dict[str, str]]:
        out = []
        for user, r in self.profile.registrations.items():
            exp = _dt.datetime.now() + _dt.timedelta(seconds=r["expires"])
            contact = r["contact"].strip("<>")
            path = quote(f"sip:{user}@{r['ip']}:{r['port']};transport={r['transport'].lower()}", safe="")
            out.append({
                "call_id": r["call_id"], "user": f"{user}@{r['realm']}",
                "contact": f'"" <{contact};fs_nat=yes;fs_path={path}>',
                "agent": r["agent"], "status": f"Registered({r['transport']}-NAT)(unknown) EXP({exp:%Y-%m-%d %H:%M:%S}) EXPSECS({r['expires']})",
                "host": self.vars["hostname"], "ip": r["ip"], "port": r["port"], "auth_user": user,
                "realm": r["realm"], "mwi": f"{user}@{r['realm']}",
            })
        return out

    # -- mod_event_socket ------------------------------------------------------------------
    def esl_config(self) -> EslConfig:
        return self.conf.event_socket(self.vars)

    def acl_allows(self, ip: str, acl_name: str | None) -> bool:
        if not acl_name:
            acl_name = "loopback.auto"
        if acl_name == "loopback.auto":
            addr = ipaddress.ip_address(ip.split("%")[0])
            return addr.is_loopback or bool(addr.version == 6 and addr.ipv4_mapped and addr.ipv4_mapped.is_loopback)
        lst = self.conf.acl().get(acl_name)
        return lst is not None and lst.allows(ip)

    async def run_esl(self) -> None:
        """Listen like mod_event_socket: on failure, log and retry every ~100 ms (307a)."""
        while not self.stopping.is_set():
            cfg = self.esl_config()
            try:
                self.esl_server = await asyncio.start_server(
                    lambda r, w, cfg=cfg: EslSession(self, cfg, r, w).serve(), cfg.listen_ip, cfg.listen_port,
                    reuse_address=True)
            except (OSError, ValueError):
                self.log.log("ERR", "mod_event_socket.c:2998", "runtime",
                             f"Socket Error! Could not listen on {cfg.listen_ip}:{cfg.listen_port}")
                try:
                    await asyncio.wait_for(self.stopping.wait(), 0.1)
                except asyncio.TimeoutError:
                    pass
                continue
            shown = f"[{cfg.listen_ip}]" if ":" in cfg.listen_ip else cfg.listen_ip
            self.log.log("DEBUG", "mod_event_socket.c:2990", "runtime", f"Socket up listening on {shown}:{cfg.listen_port}")
            await self.stopping.wait()
            return

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        # every real start begins its log with mod_logfile's load (seen on 1.11; the log keeps earlier runs)
        self.log.log("CONSOLE", "switch_loadable_module.c:1833", "switch_loadable_module_process", "Successfully Loaded [mod_logfile]")
        self.log.log("CONSOLE", "switch_loadable_module.c:1833", "switch_loadable_module_process", "Successfully Loaded [mod_event_socket]")
        self.log.log("WARNING", "sofia.c:2279", "sofia_msg_thread_run_once", "MSG Thread 0 Started")
        self.profile.start()
        self.log.log("CONSOLE", "switch_loadable_module.c:1833", "switch_loadable_module_process", "Successfully Loaded [mod_sofia]")
        self.log.log("CONSOLE", "switch_loadable_module.c:151", "switch_loadable_module_exec", "Starting runtime thread for mod_event_socket")
        esl = loop.create_task(self.run_esl())
        await self.stopping.wait()
        self.log.log("CONSOLE", "switch_core.c:2951", "switch_core_destroy", "Clean Shutdown")
        await self.profile.close_listeners()
        if self.esl_server:
            self.esl_server.close()
        await asyncio.gather(esl, return_exceptions=True)
        self.log.close()


class EslSession:
    def __init__(self, fs: FreeSwitch, cfg: EslConfig, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.fs, self.cfg, self.reader, self.writer = fs, cfg, reader, writer
        self.authed = False
        self.events: set[str] = set()
        self.log_level = -1

    def send(self, data: bytes) -> None:
        if not self.writer.is_closing():
            self.writer.write(data)

    def wants(self, name: str, subclass: str | None) -> bool:
        return "ALL" in self.events or name in self.events or (subclass is not None and subclass in self.events)

    def on_log(self, entry: LogLine) -> None:
        if LEVELS[entry.level] > self.log_level:
            return
        body = entry.text.encode()
        self.send(encode_frame([("Content-Type", "log/data"), ("Content-Length", str(len(body))),
                                ("Log-Level", str(LEVELS[entry.level])), ("Text-Channel", "0"),
                                ("Log-File", entry.file), ("Log-Func", entry.func), ("Log-Line", str(entry.line)),
                                ("User-Data", "")], body))

    async def serve(self) -> None:
        peer = (self.writer.get_extra_info("peername") or ("127.0.0.1",))[0]
        try:
            if not self.fs.acl_allows(peer, self.cfg.apply_inbound_acl):
                self.fs.log.log("WARNING", "mod_event_socket.c:2682", "listener_run",
                                f'IP {peer} Rejected by acl "{self.cfg.apply_inbound_acl or "loopback.auto"}"')
                msg = b"Access Denied, go away.\n"
                self.send(encode_frame([("Content-Type", "text/rude-rejection"), ("Content-Length", str(len(msg)))], msg))
                self.send(_disconnect())
                await self.writer.drain()
                return
            self.send(encode_frame([("Content-Type", "auth/request")]))
            await self.writer.drain()
            self.fs.sessions.add(self)
            while True:
                raw = await self.reader.readuntil(b"\n\n")
                line = raw.decode("utf-8", errors="replace").strip().split("\n")[0].strip()
                if not await self.handle(line):
                    return
                await self.writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            return
        finally:
            self.fs.sessions.discard(self)
            if self.on_log in self.fs.log.subscribers:
                self.fs.log.subscribers.remove(self.on_log)
            self.writer.close()

    async def handle(self, line: str) -> bool:
        cmd, _, arg = line.partition(" ")
        if not self.authed:
            if cmd == "auth":
                if arg == self.cfg.password:
                    self.authed = True
                    self.send(_reply("+OK accepted"))
                    return True
                self.send(_reply("-ERR invalid"))
                self.send(_disconnect())
                await self.writer.drain()
                return False
            self.send(_reply("-ERR command not found"))
            return True
        if cmd == "api":
            self.send(_api(self.fs.api(arg)))
        elif cmd == "bgapi":
            job = str(uuid.uuid4())
            self.send(encode_frame([("Content-Type", "command/reply"), ("Reply-Text", f"+OK Job-UUID: {job}"), ("Job-UUID", job)]))
            out = self.fs.api(arg)
            asyncio.get_running_loop().call_soon(
                lambda: self.fs.fire("BACKGROUND_JOB", [("Job-UUID", job), ("Job-Command", arg.split(" ")[0])] +
                                     ([("Job-Command-Arg", arg.partition(" ")[2])] if " " in arg else []), out))
        elif cmd == "event":
            words = arg.split()
            if words and words[0] in ("plain", "json", "xml"):
                words = words[1:]
            self.events.update(w for w in words if w != "CUSTOM")
            self.send(_reply("+OK event listener enabled plain"))
        elif cmd == "noevents":
            self.events.clear()
            self.send(_reply("+OK no longer listening for events"))
        elif cmd == "log":
            level = int(arg) if arg.strip().isdigit() else 7
            self.log_level = level
            if self.on_log not in self.fs.log.subscribers:
                self.fs.log.subscribers.append(self.on_log)
            self.send(_reply(f"+OK log level {level} [{level}]"))
        elif cmd == "nolog":
            if self.on_log in self.fs.log.subscribers:
                self.fs.log.subscribers.remove(self.on_log)
            self.send(_reply("+OK no longer logging"))
        elif cmd == "exit":
            self.send(_reply("+OK bye"))
            self.send(_disconnect())
            await self.writer.drain()
            return False
        else:
            self.send(_reply("-ERR command not found"))
        return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="freeswitch (fsnb lab simulator)")
    ap.add_argument("--prefix", required=True, type=Path)
    ap.add_argument("--retry-seconds", type=float, default=5.0, help="sofia's retry interval after a bind failure")
    ap.add_argument("--hostname")
    ap.add_argument("--age", type=float, default=0.0, help="pretend FreeSWITCH has been up this many seconds")
    ap.add_argument("--guard-seconds", type=float, default=10.0,
                    help="how long a profile must be up before stop/restart (FreeSWITCH's fixed guard: 10)")
    ap.add_argument("-nc", action="store_true", help="accepted for compatibility; always in the foreground")
    args = ap.parse_args(argv)
    fs = FreeSwitch(args.prefix, args.retry_seconds, args.hostname, args.age, args.guard_seconds)
    asyncio.run(fs.run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
