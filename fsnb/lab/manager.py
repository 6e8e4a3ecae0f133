"""`fsnb lab up|down|status`: the lab around the simulator — real nginx, a tunnel config, a TLS edge stand-in.

Everything a lab starts is recorded in its state file and stopped by pid (or container id) only.
Over 500 lines: up/down/status and the live steps share the state file's format; kept in one module so that every process the lab starts is recorded and stopped in one place.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from fsnb import target as tgt
from fsnb.errors import AccessError, FsnbError
from fsnb.lab import dockerd, edge, layout, pki, procs, scenarios
from fsnb.probe.esl import FrameParser, recv_frame
from fsnb.read import nginxconf

HOSTNAME = "freeswitch.aidevelo.ai"
CONTAINER = "aidevelo-freeswitch"


def state_root() -> Path:
    return Path(os.environ.get("FSNB_LAB_DIR", Path.home() / ".local/state/fsnb")).expanduser()


def lab_dir(offset: int) -> Path:
    return state_root() / f"lab-{offset}"


def is_lab_dir(d: str | Path) -> bool:
    """Whether `d` is one of fsnb's own lab directories (under state_root()): only there may `fsnb fix` rewrite the
    edge stand-in's files and reload its nginx — a target file's `standin = true` is no licence to write elsewhere."""
    try:
        d = Path(d).resolve()
        return d.parent == state_root().resolve() and d.name.startswith("lab-") and (d / "state.json").is_file()
    except OSError:
        return False


def current_target() -> Path | None:
    """The target file of the most recently started lab that is still up."""
    f = state_root() / "current"
    if f.exists():
        p = Path(f.read_text().strip())
        if p.exists():
            return p
    return None


@dataclass
class LabInfo:
    scenario: str
    mode: str
    offset: int
    ports: dict
    target: str
    container: str | None
    docker_host: str | None
    running: bool
    freeswitch: str = "simulator"
    edge_judge: str = ""

    def lines(self) -> list[str]:
        out = [f"lab scenario  {self.scenario} ({self.mode}, port offset {self.offset})",
               f"FreeSWITCH    {self.freeswitch}",
               f"target file   {self.target}",
               f"ESL           127.0.0.1:{self.ports['esl']}   SIP {self.ports['sip']}   ws {self.ports['ws']}   wss {self.ports['wss']}",
               f"nginx         127.0.0.1:{self.ports['nginx']}   edge stand-in (for Cloudflare) 127.0.0.1:{self.ports['edge']} as {HOSTNAME}"]
        if self.edge_judge:
            out.append(f"edge routes   as {self.edge_judge} decides for wss://{HOSTNAME}/")
        if self.container:
            out.append(f"container     {self.container}   (DOCKER_HOST={self.docker_host})")
        return out


def _load_state(d: Path) -> dict | None:
    f = d / "state.json"
    return json.loads(f.read_text()) if f.exists() else None


def _save_state(d: Path, state: dict) -> None:
    tmp = d / "state.json.tmp"
    tmp.write_text(json.dumps(state, indent=2))
    tmp.replace(d / "state.json")


def _alive(state: dict) -> bool:
    ok = all(procs.alive(r) for r in state.get("procs", {}).values())
    if state.get("container_id"):
        try:
            from fsnb.lab import dockerlab
            c = dockerlab.client(state["docker_host"])
            ok = ok and c.containers.get(state["container_id"]).status == "running"
        except Exception:
            return False
    return ok


def _wait_port(host: str, port: int, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection((host, port), timeout=0.3).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def _wait_log(path: Path, needles: list[str], timeout: float) -> str | None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        text = path.read_text(errors="replace") if path.exists() else ""
        for n in needles:
            if n in text:
                return n
        time.sleep(0.05)
    return None


def esl_api(port: int, password: str, command: str, timeout: float = 3.0) -> str:
    """A minimal bounded ESL client for the lab's own set-up steps (and the training notebook's command box: a
    typed line with a line break would have sent a second command — checked like every other ESL line)."""
    from fsnb.probe.esl import safe_line
    safe_line(command)
    try:
        return _esl_api(port, password, command, timeout)
    except OSError as exc:   # refused, timeout, closed
        raise AccessError(f"lab ESL on 127.0.0.1:{port}: {exc}") from None


def _esl_api(port: int, password: str, command: str, timeout: float) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        parser, frames = FrameParser(), []
        frame = lambda: recv_frame(s, parser, frames)
        if frame().content_type != "auth/request":
            raise AccessError("not an ESL greeting")
        s.sendall(f"auth {password}\n\n".encode())
        if not frame().reply_text.startswith("+OK"):
            raise AccessError("ESL auth failed")
        s.sendall(f"api {command}\n\n".encode())
        return frame().text


def up(scenario: str = scenarios.DEFAULT, docker: bool = False, offset: int = 0, quiet: bool = False,
       real: bool = False, image: str | None = None) -> LabInfo:
    sc = scenarios.get(scenario)
    real = real or bool(image)
    if real:
        from fsnb.lab import real as reallab
        reallab.check_scenario(sc)
        if not image:
            reallab.require_prefix()   # say what is missing before anything else
    elif not sc.sim:
        raise FsnbError(f"scenario {sc.name} needs a real FreeSWITCH (fsnb lab up --real): {sc.sim_why_not}")
    d = lab_dir(offset)
    mode = "real" if real else "docker" if docker else "local"
    state = _load_state(d)
    if state and state["scenario"] == sc.name and state["mode"] == mode and _alive(state) \
            and (state.get("real") or {}).get("image") == image:
        return info(offset)   # idempotent
    down(offset)
    ports = layout.Ports.offset(offset)
    if d.exists():
        shutil.rmtree(d)
    for sub in ("secrets", "pki", "nginx/sites", "nginx/edge", "nginx/tmp", "cloudflared", "logs"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    os.chmod(d / "secrets", 0o700)
    state = {"scenario": sc.name, "mode": mode, "offset": offset, "ports": vars(ports), "procs": {},
             "container_id": None, "docker_host": None, "container": None}
    _save_state(d, state)
    try:
        _up(sc, d, ports, docker, state, real, image)
    except BaseException:
        _save_state(d, state)
        down(offset)
        raise
    _save_state(d, state)
    (state_root() / "current").write_text(str(d / "target.toml"))
    return info(offset)


def _ports_free(sc: scenarios.Scenario, ports: layout.Ports) -> None:
    """Refuse to start over somebody else's listener (another lab, a real FreeSWITCH): say which port."""
    taken = set(procs.busy_ports(vars(ports).values()))
    busy = [f"{name} {port}" for name, port in vars(ports).items() if port in taken]
    if busy:
        raise AccessError(f"ports in use on 127.0.0.1: {', '.join(busy)} — another lab or service holds them; "
                          "stop it (fsnb lab down --all) or choose another --port-offset")


def _write_history(log: Path, lines: tuple[str, ...]) -> None:
    import datetime as _dt
    when = _dt.datetime.now() - _dt.timedelta(days=1)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "a", encoding="utf-8") as fh:
        for i, line in enumerate(lines):
            ts = (when + _dt.timedelta(milliseconds=10 * i)).strftime("%Y-%m-%d %H:%M:%S.%f")
            fh.write(f"{ts} 0.00% {line}\n")


def _secret(d: Path, name: str, value: str) -> Path:
    p = d / "secrets" / name
    p.write_text(value + "\n")
    os.chmod(p, 0o600)
    return p


def _up(sc: scenarios.Scenario, d: Path, ports: layout.Ports, docker: bool, state: dict, real: bool = False,
        image: str | None = None) -> None:
    _ports_free(sc, ports)
    esl_pw = "lab-esl-" + secrets.token_hex(6)
    if sc.fs.esl_password_symbols:   # spaces and symbols an operator might choose (no $: FreeSWITCH expands $${…})
        esl_pw = 'lab esl #!%&<>"\';=+ ' + secrets.token_hex(6)
    sip_pw = "lab-sip-" + secrets.token_hex(6)
    esl_file, sip_file = _secret(d, "esl_password", esl_pw), _secret(d, "sip_password", sip_pw)
    ca = pki.CA("fsnb lab CA")
    (d / "pki/ca.pem").write_bytes(ca.cert_pem)
    fs_leaf = ca.issue(["localhost", "127.0.0.1", "127.0.0.2", HOSTNAME], **layout.validity(sc.fs))
    edge_leaf = ca.issue([HOSTNAME])
    (d / "pki/edge.crt").write_bytes(edge_leaf.cert_pem)
    (d / "pki/edge.key").write_bytes(edge_leaf.key_pem)
    os.chmod(d / "pki/edge.key", 0o600)
    if sc.fs.operator_pem_at:    # the operator's good wss.pem, for a dir FreeSWITCH does not read (real.py mounts it)
        (d / "pki/operator-wss.pem").write_bytes(pki.wss_pem(fs_leaf, ca, scenarios.WssPem.GOOD))
        os.chmod(d / "pki/operator-wss.pem", 0o600)
    prefix = d / "fs"
    if real:   # a real FreeSWITCH: fsnb/lab/real.py (its vanilla config, edited: realconf.py)
        from fsnb.lab import real as reallab
        paths = reallab.prepare(sc, d, ports, esl_pw, sip_pw, ca, fs_leaf, state, image)
    else:
        paths = layout.write_conf(prefix, ports=ports, esl_password=esl_pw, sip_password=sip_pw, fs=sc.fs, ca=ca,
                                  leaf=fs_leaf)

    if sc.log_history and not real:   # an earlier run's lines, a day old, before this FreeSWITCH appends its own
        # (the real lab makes that earlier run for real: fsnb/lab/real.py)
        _write_history(Path(paths["log_file"]), sc.log_history)

    # foreign programs on FreeSWITCH's ports come first, as in the recorded scenarios
    for kind, which in sc.blockers:
        port = getattr(ports, which.value)
        state["procs"][f"blocker-{which}"] = procs.start(
            [sys.executable, "-m", "fsnb.lab.blocker", kind, "127.0.0.1", str(port)], d / "logs" / f"blocker-{which}.log")
        if not _wait_port("127.0.0.1", port, 10):
            raise AccessError(f"blocker on {port} did not start")

    args = ["--retry-seconds", "0.3", "--age", "600", "--hostname", "fsnb-lab"]
    if real:
        reallab.start(sc, d, ports, esl_pw, state)
    elif docker:
        from fsnb.lab import dockerlab
        host = dockerd.ensure(state_root() / "docker")
        conf = d / "fs_cli.conf"
        conf.write_text(f"[default]\nhost = 127.0.0.1\nport = {ports.esl}\npassword = {esl_pw}\n")
        os.chmod(conf, 0o644)   # read inside the container, like the real /etc/fs_cli.conf
        c = dockerlab.client(host)
        state.update(docker_host=host, container=CONTAINER)
        state["container_id"] = dockerlab.run(c, CONTAINER, prefix, args, conf)
    else:
        state["procs"]["freeswitch"] = procs.start(
            [sys.executable, "-m", "fsnb.lab.freeswitch", "--prefix", str(prefix), *args], d / "logs/freeswitch.out")
    log = paths["log_file"]
    if not real and not _wait_log(log, ["Adding Alias [", "sofia.c:3304", "sofia.c:3308"], 20):
        raise AccessError(f"simulator did not start its profile; see {log}")
    if not real and not _wait_log(log, ["Socket up listening", "Socket Error!"], 10):
        raise AccessError(f"simulator did not start ESL; see {log}")

    Step = scenarios.Step
    for step in (() if real else sc.after_start):   # the real lab applied them in reallab.start
        if step is Step.PROFILE_STOP:
            esl_api(ports.esl, esl_pw, "sofia profile internal stop")
            end = time.monotonic() + 5
            while time.monotonic() < end and _wait_port("127.0.0.1", ports.wss, 0.05):
                time.sleep(0.05)
        elif step is Step.UNCOMMENT_WSS:
            layout.uncomment_wss(prefix)
        elif step is Step.BREAK_XML:
            layout.break_xml(prefix / "etc/freeswitch/sip_profiles/internal.xml")
        elif step in (Step.RELOADXML, Step.RESCAN):
            esl_api(ports.esl, esl_pw, "reloadxml" if step is Step.RELOADXML else "sofia profile internal rescan")
        else:
            raise FsnbError(f"live step {step!r} is not implemented in the simulator lab")

    tn = sc.tunnel
    rule = {"hostname": HOSTNAME, **({"path": tn.path} if tn.path else {}),
            "service": f"{tn.origin_scheme}://localhost:{ports.nginx + tn.service_port_delta}"}
    catch_all = [{"service": "http_status:404"}] if tn.catch_all else []
    config_yml = yaml.safe_dump({
        "tunnel": "aidevelo-lab", "credentials-file": str(d / "cloudflared/credentials.json"),
        "ingress": catch_all + [rule] if tn.catch_all_first else [rule] + catch_all}, sort_keys=False)
    (d / "cloudflared/config.yml").write_text(config_yml)
    # the edge stand-in routes as cloudflared would (fsnb/lab/edge.py)
    state["edge_judge"] = edge.write(d / "nginx/edge/cloudflare-standin.conf", config_yml, f"wss://{HOSTNAME}/",
                                     f"127.0.0.1:{ports.edge}", HOSTNAME, (str(d / "pki/edge.crt"), str(d / "pki/edge.key")))
    _start_nginx(sc, d, ports, state)

    t = tgt.Target(name=f"fsnb lab: {sc.name}" + (f" (+{ports.esl - 8021})" if ports.esl != 8021 else ""), lab=sc.name)
    fs = t.freeswitch
    fs.container = CONTAINER if docker or real else ""
    fs.access = "docker" if docker or real else "local"
    fs.docker_host = state.get("docker_host") or ""
    fs.esl_port, fs.sip_port, fs.ws_port, fs.wss_port = ports.esl, ports.sip, ports.ws, ports.wss
    pw_file = _secret(d, "esl_password_wrong", "wrong-" + secrets.token_hex(4)) if sc.target.esl_password_wrong else esl_file
    fs.esl_password = tgt.Secret(f"file:{pw_file}")
    if sc.target.dirs_named:
        fs.conf_dir, fs.certs_dir, fs.log_file = str(paths["conf_dir"]), str(paths["certs_dir"]), str(paths["log_file"])
    t.nginx = tgt.NginxTarget(address=f"127.0.0.1:{ports.nginx}", config=str(d / "nginx/sites/freeswitch.conf"),
                              error_log=str(d / "nginx/error.log"))
    t.tunnel = tgt.TunnelTarget(config=str(d / "cloudflared/config.yml"), hostname=HOSTNAME,
                                public_url=f"wss://{HOSTNAME}/", connect=f"127.0.0.1:{ports.edge}",
                                ca_file=str(d / "pki/ca.pem"), standin=True)
    if sc.target.sip_password_wrong:
        sip_file = _secret(d, "sip_password_wrong", "wrong-" + secrets.token_hex(4))
    t.sip = tgt.SipTarget(user="1000", password=tgt.Secret(f"file:{sip_file}"))
    # the lab's browser is this host (everything on the loopback) unless the scenario places it elsewhere
    t.media = tgt.MediaTarget(client=sc.target.media_client.value)
    if sc.target.turn is not scenarios.Turn.NONE:
        t.media.turn, t.media.turn_user, t.media.turn_password = _start_turn(sc, d, ports, state)
    (d / "target.toml").write_text(tgt.dumps(t))
    if sc.hostile:
        from fsnb.lab import hostile
        hostile.plant(d, prefix)


def _start_turn(sc: scenarios.Scenario, d: Path, ports: layout.Ports, state: dict) -> tuple[str, str, tgt.Secret]:
    """coturn on the loopback (port 3478 + the lab's offset: no other lab port is 3478 apart by a multiple of 10),
    relaying to loopback peers only; its password in a 0600 config file, never on a command line."""
    port = 3478 + (ports.esl - 8021)
    password = "lab-turn-" + secrets.token_hex(6)
    (d / "turn").mkdir(parents=True, exist_ok=True)
    conf = d / "turn/turnserver.conf"
    conf.write_text(f"listening-ip=127.0.0.1\nrelay-ip=127.0.0.1\nlistening-port={port}\nlt-cred-mech\n"
                    f"user=fsnb:{password}\nrealm=fsnb.lab\nallow-loopback-peers\nno-multicast-peers\nno-cli\n"
                    f"no-tls\nno-dtls\nsimple-log\nlog-file={d}/turn/turn.log\npidfile={d}/turn/turn.pid\n"
                    f"userdb={d}/turn/turndb\n")
    os.chmod(conf, 0o600)
    binary = shutil.which("turnserver") or "/usr/bin/turnserver"
    state["procs"]["turn"] = procs.start([binary, "-c", str(conf)], d / "logs/turn.out")
    if not _wait_port("127.0.0.1", port, 10):
        raise AccessError(f"coturn did not listen on {port}; see {d / 'turn/turn.log'}")
    given = password if sc.target.turn is scenarios.Turn.COTURN else "wrong-" + secrets.token_hex(4)
    return f"turn:127.0.0.1:{port}", "fsnb", tgt.Secret(f"file:{_secret(d, 'turn_password', given)}")


def _nginx_bin() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def _start_nginx(sc: scenarios.Scenario, d: Path, ports: layout.Ports, state: dict) -> None:
    n = sc.nginx
    port = ports.wss if n.upstream is scenarios.Upstream.WSS else ports.ws
    if n.upstream_closed:
        port = ports.wss + 11   # nothing listens there
    block = nginxconf.server_block(
        f"127.0.0.1:{ports.nginx}", f"{n.proxy_scheme}://127.0.0.1:{port}", upgrade_headers=n.upgrade_headers,
        read_timeout="3600s" if n.upgrade_headers else "60s", ssl_verify_off=n.verify is None)
    if n.upstream_variable:    # the upstream behind a variable: only nginx's error log can tell what fails there
        block = block.replace(f"        proxy_pass {n.proxy_scheme}://127.0.0.1:{port};",
                              f"        set $fs_upstream 127.0.0.1:{port};\n"
                              f"        proxy_pass {n.proxy_scheme}://$fs_upstream;\n        proxy_connect_timeout 1s;", 1)
    if n.verify is not None:   # an operator who "hardened" nginx: verify FreeSWITCH's certificate against these CAs
        cas = str(d / "pki/ca.pem") if n.verify is scenarios.Verify.LAB_CA else "/etc/ssl/certs/ca-certificates.crt"
        block = block.replace("        proxy_read_timeout", f"        proxy_ssl_verify on;\n"
                              f"        proxy_ssl_trusted_certificate {cas};\n        proxy_read_timeout", 1)
    # red team (#18.5): an operator's additions to the proxying block (each one breaks the WebSocket in its own way)
    extra = [line for on, line in ((n.redirect_https, "return 301 https://$host$request_uri;"),
                                   (n.deny_loopback, "allow 10.0.0.0/8;\n        deny all;"),
                                   (bool(n.ssl_protocols), f"proxy_ssl_protocols {n.ssl_protocols};"),
                                   (n.hide_subprotocol, "proxy_hide_header Sec-WebSocket-Protocol;"),
                                   (n.rate_limit, "limit_req zone=fsnb_per_ip;")) if on]
    if extra:
        block = block.replace("    location / {\n", "    location / {\n" + "".join(f"        {x}\n" for x in extra), 1)
    if n.rate_limit:    # one request a minute per client address, no burst: a "DDoS protection" copied from a blog
        block = "limit_req_zone $binary_remote_addr zone=fsnb_per_ip:1m rate=1r/m;\n" + block
    if n.listen_http2:
        block = block.replace(f"    listen 127.0.0.1:{ports.nginx};", f"    listen 127.0.0.1:{ports.nginx} http2;", 1)
    (d / "nginx/sites/freeswitch.conf").write_text(block)
    if n.other_default_server:   # what a distribution's default site does: default_server on the same port
        (d / "nginx/sites/000-default.conf").write_text(
            f"server {{\n    listen 127.0.0.1:{ports.nginx} default_server;\n    location / {{ return 404; }}\n}}\n")
    user = "user root;\n" if os.geteuid() == 0 else ""
    tmp = d / "nginx/tmp"
    (d / "nginx/nginx.conf").write_text(
        f"{user}daemon off;\nmaster_process on;\nworker_processes 1;\npid {d}/nginx/nginx.pid;\n"
        f"error_log {d}/nginx/error.log info;\nevents {{ worker_connections 256; }}\nhttp {{\n"
        f"    access_log {d}/nginx/access.log;\n    client_body_temp_path {tmp}/body;\n    proxy_temp_path {tmp}/proxy;\n"
        f"    fastcgi_temp_path {tmp}/fastcgi;\n    uwsgi_temp_path {tmp}/uwsgi;\n    scgi_temp_path {tmp}/scgi;\n"
        f"    include {d}/nginx/sites/*.conf;\n    include {d}/nginx/edge/*.conf;\n}}\n")
    state["procs"]["nginx"] = procs.start([_nginx_bin(), "-p", str(d / "nginx"), "-c", str(d / "nginx/nginx.conf")],
                                          d / "logs/nginx.out")
    for p in (ports.nginx, ports.edge):
        if not _wait_port("127.0.0.1", p, 10):
            raise AccessError(f"nginx did not listen on {p}; see {d / 'nginx/error.log'}")


def down(offset: int | None = 0) -> list[str]:
    """Stop what `up` started (all labs when offset is None). Returns what was stopped."""
    dirs = sorted(state_root().glob("lab-*")) if offset is None else [lab_dir(offset)]
    stopped = []
    for d in dirs:
        state = _load_state(d)
        if not state:
            continue
        for name, rec in state.get("procs", {}).items():
            if procs.alive(rec):
                procs.stop(rec)
                stopped.append(f"{name} (pid {rec['pid']})")
        if state.get("container_id"):
            try:
                from fsnb.lab import dockerlab
                dockerlab.remove(dockerlab.client(state["docker_host"]), state["container_id"],
                                 kill=state.get("mode") == "real")   # a lab's FreeSWITCH needs no 4 s shutdown
                stopped.append(f"container {state.get('container')}")
            except Exception as exc:  # the engine may be gone already
                stopped.append(f"container {state.get('container')} (not reachable: {exc.__class__.__name__})")
        (d / "state.json").unlink(missing_ok=True)
        cur = state_root() / "current"
        if cur.exists() and cur.read_text().strip() == str(d / "target.toml"):
            cur.unlink()
    return stopped


def info(offset: int = 0) -> LabInfo:
    d = lab_dir(offset)
    state = _load_state(d)
    if not state:
        raise FsnbError(f"no lab with port offset {offset} (start one: fsnb lab up)")
    return LabInfo(state["scenario"], state["mode"], state["offset"], state["ports"], str(d / "target.toml"),
                   state.get("container"), state.get("docker_host"), _alive(state),
                   state.get("freeswitch") or "simulator of FreeSWITCH 1.11.3-dev (fsnb/lab/freeswitch.py)",
                   state.get("edge_judge", ""))


def labs() -> list[LabInfo]:
    out = []
    for d in sorted(state_root().glob("lab-*")):
        if (d / "state.json").exists():
            out.append(info(int(d.name.split("-", 1)[1])))
    return out


def stop_blockers(offset: int = 0) -> list[str]:
    """Stop the foreign programs a scenario put on the lab's ports (what fixes `bind-failed` in the lab); returns
    their names. The lab's own processes keep running."""
    state = _load_state(lab_dir(offset)) or {}
    stopped = []
    for name, rec in (state.get("procs") or {}).items():
        if name.startswith("blocker-"):
            procs.stop(rec)
            stopped.append(name)
    return stopped


def follow_tunnel(d: Path) -> str:
    """The edge stand-in follows the lab's cloudflared config.yml again (what a cloudflared restart does for real):
    its server block is rewritten as cloudflared routes the public URL now; the caller reloads nginx. Returns who
    decided (cloudflared or fsnb's model of it)."""
    d = Path(d)
    state = _load_state(d)
    if not state:
        raise FsnbError(f"{d} is not a running lab")
    ports = layout.Ports(**state["ports"])
    state["edge_judge"] = edge.write(d / "nginx/edge/cloudflare-standin.conf", (d / "cloudflared/config.yml").read_text(),
                                     f"wss://{HOSTNAME}/", f"127.0.0.1:{ports.edge}", HOSTNAME,
                                     (str(d / "pki/edge.crt"), str(d / "pki/edge.key")))
    _save_state(d, state)
    return state["edge_judge"]


# -- for the training (fsnb/present/training): a lab of its own, and what a trainee's fix needs ---------------------
def lab_ports(offset: int, real: bool = False) -> set[int]:
    """Every port a lab at `offset` binds (and the real FreeSWITCH's extra ones with `real`)."""
    ports = layout.Ports.offset(offset)
    out = set(vars(ports).values())
    if real:
        from fsnb.lab import realconf
        out |= set(vars(realconf.RealPorts.for_offset(ports)).values())
    return out


def free_offset(start: int = 0, step: int = 10, real: bool = False, prefer: int | None = None) -> int:
    """A lab port offset nothing else uses: no lab recorded at it, none of its ports a port of a recorded lab, every
    port free on 127.0.0.1. `prefer` (e.g. the offset of one's own last lab) is taken when it is such an offset or its
    lab is the only thing holding its ports (the caller restarts that lab)."""
    def recorded_ports(skip: int | None) -> set[int]:
        out: set[int] = set()
        for d in state_root().glob("lab-*"):
            st = _load_state(d)
            if st and st.get("offset") != skip:
                out |= lab_ports(int(st["offset"]), real=st.get("mode") == "real")
        return out

    def bindable(ports: set[int]) -> bool:
        return not procs.busy_ports(ports)

    if prefer is not None:
        ports = lab_ports(prefer, real)
        own = _load_state(lab_dir(prefer))
        if max(ports) <= 65535 and not ports & recorded_ports(prefer) and (own or bindable(ports)):
            return prefer
    taken = recorded_ports(None)
    off = start
    while max(lab_ports(off, real)) <= 65535:
        ports = lab_ports(off, real)
        if not (lab_dir(off) / "state.json").exists() and not ports & taken and bindable(ports):
            return off
        off += step
    raise FsnbError("no free lab port offset left on 127.0.0.1")


def restart_process(offset: int, name: str, timeout: float = 20.0) -> str:
    """Stop and start one of a lab's own processes ("freeswitch", "nginx") with its recorded command line, as
    `systemctl restart` would; waits until it listens again. Returns what it did."""
    d = lab_dir(offset)
    state = _load_state(d)
    if not state or name not in state.get("procs", {}):
        raise FsnbError(f"no process {name!r} in the lab with port offset {offset}")
    rec = state["procs"][name]
    procs.stop(rec)
    log = d / "logs" / ("freeswitch.out" if name == "freeswitch" else f"{name}.out")
    argv = list(rec["argv"])
    if name == "freeswitch" and "--age" in argv:    # a restarted FreeSWITCH has been up for 0 s, not "a while"
        i = argv.index("--age")
        del argv[i:i + 2]
    state["procs"][name] = procs.start(argv, log)
    _save_state(d, state)
    ports = state["ports"]
    port = ports["sip"] if name == "freeswitch" else ports["nginx"]
    if not _wait_port("127.0.0.1", port, timeout) and name == "nginx":
        raise AccessError(f"nginx did not listen on {port} after the restart; see {d / 'nginx/error.log'}")
    return f"{name} restarted (pid {state['procs'][name]['pid']})"


def sync_tunnel(offset: int) -> str:
    """The edge stand-in follows cloudflared's config.yml again (what restarting cloudflared does) and nginx
    reloads. Returns who decided the route."""
    who = follow_tunnel(lab_dir(offset))
    reload_nginx(offset)
    return who


def reload_nginx(offset: int) -> None:
    """`nginx -s reload` for the lab's nginx (its pid file, its config)."""
    import signal
    rec = ((_load_state(lab_dir(offset)) or {}).get("procs") or {}).get("nginx")
    if not rec or not procs.alive(rec):
        raise FsnbError(f"the lab's nginx (port offset {offset}) is not running")
    os.kill(rec["pid"], signal.SIGHUP)     # the master we started, by its recorded pid
    time.sleep(0.5)
