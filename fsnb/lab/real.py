"""The real lab: a real FreeSWITCH 1.11 (built by tools/build-freeswitch) as the container `aidevelo-freeswitch`.

The container runs in the lab's private Docker engine with host networking, from an image imported offline
(a busybox-static rootfs, nothing under /usr): the build's prefix is bind-mounted read-only at the same path, the
host's /usr read-only, and the lab's own FreeSWITCH dirs (conf, log, db, run, certs, ...; realconf.Dirs) read-write
at the same path, so `global_getvar certs_dir` names the lab's certs dir and the runbook reads the same paths
inside the container as here. /etc/resolv.conf names only 127.0.0.1: nothing FreeSWITCH might look up leaves the
loopback. `--image NAME` runs a FreeSWITCH image the user already has, with the same layout: `freeswitch` and
`fs_cli` on its PATH, its vanilla conf at `<prefix>/etc/freeswitch`, `/etc/freeswitch` or
`/usr/local/freeswitch/conf` (or the image label `fsnb.freeswitch.conf`), busybox tools (`sh`, `cat`, `tail`).
`build_image()` makes such an image from the build.
"""
from __future__ import annotations

import io
import os
import re
import subprocess
import tarfile
import time
from pathlib import Path

from fsnb.errors import AccessError, FsnbError
from fsnb.lab import dockerlab, realconf, scenarios

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "tools/build-freeswitch"
BASE_IMAGE = "fsnb-freeswitch-base"
CONTAINER = "aidevelo-freeswitch"
CONF_CANDIDATES = ("/etc/freeswitch", "/usr/local/freeswitch/conf")


# -- the build -------------------------------------------------------------------------------------------------
def build_state() -> tuple[Path | None, str]:
    """(prefix, "") when the build exists; (None, why) when not: sources missing, or not built yet."""
    if not BUILD.exists():
        return None, f"{BUILD} is missing"
    try:
        p = subprocess.run([str(BUILD), "--print-prefix"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"tools/build-freeswitch --print-prefix failed: {exc}"
    if p.returncode != 0:
        return None, (p.stderr.strip() or p.stdout.strip()).replace("build-freeswitch: ", "")
    prefix = Path(p.stdout.strip().splitlines()[-1])
    c = subprocess.run([str(BUILD), "--check"], capture_output=True, timeout=60)
    if c.returncode != 0:
        return None, f"FreeSWITCH is not built yet (run tools/build-freeswitch; ~3-15 min): {prefix} missing"
    return prefix, ""


def require_prefix() -> Path:
    prefix, why = build_state()
    if prefix is None:
        raise AccessError(f"real FreeSWITCH unavailable: {why}")
    return prefix


# -- images ----------------------------------------------------------------------------------------------------
def _busybox(add_file, add_link) -> None:
    try:
        dockerlab.add_busybox(add_file, add_link)
    except FileNotFoundError as exc:
        raise AccessError(str(exc)) from None


def base_rootfs() -> bytes:
    """busybox-static and empty mount points; nothing under /usr (the host's /usr is mounted there)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        add_dir, add_file, add_link = dockerlab.tar_helpers(tar)
        dockerlab.base_layout(add_dir, add_file, add_link)
        _busybox(add_file, add_link)
    return buf.getvalue()


def ensure_base_image(c) -> str:
    return dockerlab.import_rootfs(c, base_rootfs(), BASE_IMAGE, "/bin")


def _needed_libs(binaries: list[Path], libdir: Path) -> set[Path]:
    """The shared libraries (outside the prefix) the binaries and modules load, by ldd."""
    env = {**os.environ, "LD_LIBRARY_PATH": str(libdir)}
    libs: set[Path] = set()
    for b in binaries:
        out = subprocess.run(["ldd", str(b)], capture_output=True, text=True, timeout=30, env=env).stdout
        for m in re.finditer(r"(?:=>\s*)?(/\S+)\s+\(0x", out):
            p = Path(m.group(1))
            if libdir not in p.parents:
                libs.add(p)
    return libs


def build_image(c, prefix: Path, repository: str = "fsnb-freeswitch") -> str:
    """A self-contained FreeSWITCH image from the build, in the layout `--image` expects: the prefix (bin, lib,
    vanilla etc/freeswitch) at its own path, the system libraries it loads, busybox; nothing mounted from the host."""
    prefix = prefix.resolve()
    bins = [prefix / "bin/freeswitch", prefix / "bin/fs_cli", *sorted((prefix / "lib/freeswitch/mod").glob("*.so"))]
    libs = _needed_libs(bins, prefix / "lib")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        add_dir, add_file, add_link = dockerlab.tar_helpers(tar)
        dockerlab.base_layout(add_dir, add_file, add_link, usr=False)     # self-contained: its own /usr below
        _busybox(add_file, add_link)
        rel = str(prefix).lstrip("/")
        for sub in ("bin/freeswitch", "bin/fs_cli", "etc/freeswitch"):
            tar.add(str(prefix / sub), arcname=f"{rel}/{sub}")
        for f in sorted((prefix / "lib").rglob("*")):
            if f.is_file() and (".so" in f.name) or f.is_symlink() and ".so" in f.name:
                tar.add(str(f), arcname=f"{rel}/{f.relative_to(prefix)}", recursive=False)
        for lib in sorted(libs):
            real = lib.resolve()
            tar.add(str(real), arcname=str(real).lstrip("/"))
            if real != lib:
                # the loader and sonames by the names ldd reported (/lib64/ld-linux..., /lib/x86_64-linux-gnu/...)
                add_link(str(lib).lstrip("/"), str(real))
    return dockerlab.import_rootfs(c, buf.getvalue(), repository, f"/bin:{prefix}/bin",
                                   (f"LABEL fsnb.freeswitch.conf={prefix}/etc/freeswitch",))


def image_conf(c, image: str, prefix_hint: Path | None = None) -> tuple[Path | None, bytes]:
    """The vanilla conf dir of an image, as a tar stream (read from a created, never started, container)."""
    import docker
    img = c.images.get(image)
    labels = (img.attrs.get("Config") or {}).get("Labels") or {}
    cands = [labels["fsnb.freeswitch.conf"]] if labels.get("fsnb.freeswitch.conf") else []
    if prefix_hint:
        cands.append(str(prefix_hint / "etc/freeswitch"))
    cands += list(CONF_CANDIDATES)
    box = c.containers.create(image, ["/bin/true"], labels={"fsnb.lab": "1"}, network_mode="none")
    try:
        for cand in cands:
            try:
                stream, _ = box.get_archive(cand.rstrip("/") + "/.")
            except docker.errors.NotFound:
                continue
            return Path(cand), b"".join(stream)
    finally:
        box.remove(force=True)
    raise AccessError(f"image {image}: no FreeSWITCH conf dir found (tried {', '.join(cands)}); "
                      "label the image with fsnb.freeswitch.conf=<dir>")


def _extract_conf(data: bytes, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        safe = []
        for m in tar.getmembers():     # an image's archive: regular files and dirs inside `into` only
            parts = Path(m.name).parts
            if m.name.startswith("/") or ".." in parts or not (m.isfile() or m.isdir()):
                continue
            m.mode &= 0o755 if m.isdir() else 0o644
            safe.append(m)
        tar.extractall(into, members=safe)
    if not (into / "freeswitch.xml").exists():
        subs = [p for p in into.iterdir() if (p / "freeswitch.xml").exists()]
        if subs:
            return subs[0]
        raise AccessError("the image's conf dir has no freeswitch.xml")
    return into


# -- start -----------------------------------------------------------------------------------------------------
def check_scenario(sc: scenarios.Scenario) -> None:
    if not sc.real:
        raise FsnbError(f"scenario {sc.name} cannot run on a real FreeSWITCH: {sc.real_why_not}")


def prepare(sc, d: Path, ports, esl_pw: str, sip_pw: str, ca, leaf, state: dict, image: str | None) -> dict:
    """Write the lab's FreeSWITCH dirs from the vanilla config (of the build, or of --image); return the paths."""
    check_scenario(sc)
    from fsnb.lab import dockerd, dockerlab, manager
    prefix = None if image else require_prefix()     # before anything starts
    host = dockerd.ensure(manager.state_root() / "docker")
    c = dockerlab.client(host)
    dirs = realconf.Dirs(d / "fs")
    if image:
        vanilla_dir, data = image_conf(c, image)
        vanilla = _extract_conf(data, d / "vanilla")
    else:
        vanilla = prefix / "etc/freeswitch"
    paths = realconf.write(dirs, vanilla, ports=ports, esl_password=esl_pw, sip_password=sip_pw, fs=sc.fs,
                           ca=ca, leaf=leaf)
    rp = realconf.RealPorts.for_offset(ports)
    state.update(docker_host=host, container=CONTAINER, real={
        "prefix": str(prefix) if prefix else None, "image": image, "dirs": str(dirs.base),
        "ports": vars(rp)})
    _ports_free([rp.external_sip, rp.verto_ws, rp.verto_wss] + ([rp.second_sip] if sc.fs.second_profile is not scenarios.SecondProfile.NONE else []))
    return paths


def _ports_free(ports: list[int]) -> None:
    from fsnb.lab import procs
    busy = [str(p) for p in procs.busy_ports(ports)]
    if busy:
        raise AccessError(f"ports the real FreeSWITCH needs are in use on 127.0.0.1: {', '.join(busy)}; "
                          "choose another --port-offset")


def start(sc, d: Path, ports, esl_pw: str, state: dict) -> None:
    """Run the container, wait for ESL and profile internal to settle, then apply the scenario's live steps."""
    from fsnb.lab import dockerlab
    c = dockerlab.client(state["docker_host"])
    r = state["real"]
    dirs = realconf.Dirs(Path(r["dirs"]))
    conf = d / "fs_cli.conf"
    conf.write_text(f"[default]\nhost = 127.0.0.1\nport = {ports.esl}\npassword = {esl_pw}\n")
    os.chmod(conf, 0o600)
    resolv = d / "resolv.conf"
    resolv.write_text("# fsnb real lab: nothing is looked up off the loopback\nnameserver 127.0.0.1\n"
                      "options timeout:1 attempts:1\n")
    vols = {str(dirs.base): {"bind": str(dirs.base), "mode": "rw"},
            str(conf): {"bind": "/etc/fs_cli.conf", "mode": "ro"},
            str(resolv): {"bind": "/etc/resolv.conf", "mode": "ro"}}
    env = {"HOME": "/root"}
    if getattr(sc.fs, "operator_pem_at", ""):   # the operator's good wss.pem where FreeSWITCH does not look
        own = d / "operator-tls"
        own.mkdir(exist_ok=True)
        (own / "wss.pem").write_bytes((d / "pki/operator-wss.pem").read_bytes())
        os.chmod(own / "wss.pem", 0o600)
        vols[str(own)] = {"bind": sc.fs.operator_pem_at, "mode": "ro"}
    if r["image"]:
        image = r["image"]
    else:
        prefix = Path(r["prefix"])
        image = ensure_base_image(c)
        vols[str(prefix)] = {"bind": str(prefix), "mode": "ro"}
        vols["/usr"] = {"bind": "/usr", "mode": "ro"}
        if Path("/etc/ssl").exists():
            vols["/etc/ssl"] = {"bind": "/etc/ssl", "mode": "ro"}
        env.update(PATH=f"/bin:{prefix}/bin", LD_LIBRARY_PATH=f"{prefix}/lib:/usr/local/lib")
    _remove_stale(c, d)
    argv = ["freeswitch", "-nc", "-nf", "-nonat", *dirs.flags()]

    # host networking, or (issue #18) the container's own network namespace: Docker's `none` gives one with only a
    # loopback — the lab's engine has no bridge, and no veth is needed: nothing may leave the loopback anyway
    net = scenarios.Network(getattr(sc.fs, "network", scenarios.Network.HOST))
    network_mode = "host" if net is scenarios.Network.HOST else "none"

    def run():
        cont = c.containers.run(image, argv, name=CONTAINER, network_mode=network_mode, volumes=vols, detach=True,
                                environment=env, labels={"fsnb.lab": "1", "fsnb.lab.dir": str(d)}, working_dir="/")
        state["container_id"] = cont.id
        return cont

    if getattr(sc, "log_history", ()):
        earlier_run(c, run, dirs, ports.esl)
    since = dirs.log_file.stat().st_size if dirs.log_file.exists() else 0
    cont = run()
    settle(c, cont.id, dirs.log_file, since, timeout=45)
    if net is scenarios.Network.OWN_NETNS_PUBLISHED:
        publish(c, cont.id, d, [ports.wss, ports.ws, ports.sip, ports.esl], state)
    state["freeswitch"] = "real " + version(ports.esl, esl_pw) + (f" (image {r['image']})" if r["image"] else "")
    for step in sc.after_start:
        live_step(step, dirs, ports.esl, esl_pw, ports.wss, state["docker_host"])


def publish(c, cid: str, d: Path, to: list[int], state: dict) -> None:
    """The lab's `-p 127.0.0.1:P:P` for a container in its own namespace: a loopback forwarder into it
    (fsnb/lab/nsforward.py says why not docker-proxy). Recorded in the lab's state, stopped by pid."""
    import sys

    from fsnb.lab import procs
    pid = c.containers.get(cid).attrs["State"]["Pid"]
    rec = procs.start([sys.executable, "-m", "fsnb.lab.nsforward", "--netns", f"/proc/{pid}/ns/net",
                       *map(str, to)], d / "logs/nsforward.log")
    state.setdefault("procs", {})["nsforward"] = rec
    end = time.monotonic() + 10
    while time.monotonic() < end and not all(_port_open(p) for p in to):
        if not procs.alive(rec):
            raise AccessError(f"the port forwarder exited; see {d / 'logs/nsforward.log'}")
        time.sleep(0.1)


def earlier_run(c, run, dirs: realconf.Dirs, esl_port: int) -> None:
    """Scenario log-history, the real way: an earlier run of this FreeSWITCH with a wss.pem without its key and an
    ESL ACL that rejects 127.0.0.1 (one client rejected), stopped as `docker stop` stops it; then the config is
    repaired and the caller starts it again. freeswitch.log keeps the earlier run's lines (mod_logfile appends)."""
    es = dirs.conf / "autoload_configs/event_socket.conf.xml"
    pem = dirs.certs / "wss.pem"
    good_es, good_pem = es.read_text(), pem.read_bytes()
    es.write_text(realconf.edit_event_socket(good_es, None, None, None, "fsnb_deny_all"))
    blocks = good_pem.split(b"-----END PRIVATE KEY-----\n", 1)
    pem.write_bytes(blocks[1] if len(blocks) == 2 else good_pem)      # certificate(s) only: Bad WSS.PEM
    cont = run()
    try:
        settle(c, cont.id, dirs.log_file, 0, timeout=45)
        _port_open(esl_port)        # rejected by the ACL: logged
        end = time.monotonic() + 5
        while time.monotonic() < end and "Rejected by acl" not in dirs.log_file.read_text(errors="replace"):
            time.sleep(0.1)
        cont.stop(timeout=15)
    finally:
        cont.remove(force=True)
        es.write_text(good_es)
        pem.write_bytes(good_pem)
        os.chmod(pem, 0o600)


def _remove_stale(c, d: Path) -> None:
    """A container of this name left by this lab is removed; another lab's is never touched."""
    import docker
    try:
        old = c.containers.get(CONTAINER)
    except docker.errors.NotFound:
        return
    if old.labels.get("fsnb.lab.dir") == str(d) or (old.labels.get("fsnb.lab") == "1" and old.status != "running"):
        old.remove(force=True)
        return
    owner = old.labels.get("fsnb.lab.dir") or ("a simulator lab (--docker)" if old.labels.get("fsnb.lab") == "1"
                                               else "not started by fsnb")
    raise AccessError(f"container {CONTAINER} ({owner}) runs in this Docker engine: one {CONTAINER} per engine; "
                      f"stop that lab first (fsnb lab down --port-offset N) or use another engine (DOCKER_HOST)")


PROFILE_DONE = ("Adding Alias [", )            # profile internal up
PROFILE_FAILED = re.compile(r"Error Creating SIP UA for profile: internal \(.*?\)(?!\s*ATTEMPT)(?:\. Bad WSS\.PEM certificate\.)?$",
                            re.M)
ESL_DONE = ("Socket up listening", "Socket Error!")


def settle(c, cid: str, log: Path, since: int, timeout: float) -> str:
    """Wait until the log (from byte `since`) shows profile internal's outcome and ESL's; raise with the
    container's output when it died."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        text = log.read_bytes()[since:].decode(errors="replace") if log.exists() else ""
        prof = "for profile [internal]" in text or any(
            "ATTEMPT" not in m.group(0) for m in PROFILE_FAILED.finditer(text))
        if prof and any(n in text for n in ESL_DONE):
            return text
        cont = c.containers.get(cid)
        if cont.status not in ("created", "running"):
            out = cont.logs(tail=30).decode(errors="replace")
            raise AccessError(f"FreeSWITCH exited ({cont.attrs['State'].get('ExitCode')}): {out[-1500:]}; see {log}")
        time.sleep(0.1)
    raise AccessError(f"FreeSWITCH did not settle within {timeout:.0f} s; see {log}")


def api(esl_port: int, pw: str, cmd: str, timeout: float = 5.0) -> str:
    from fsnb.lab import manager
    return manager.esl_api(esl_port, pw, cmd, timeout)


def version(esl_port: int, pw: str) -> str:
    try:
        v = api(esl_port, pw, "version").strip()
    except Exception:
        return "FreeSWITCH (version unknown: ESL not reachable)"
    m = re.search(r"FreeSWITCH Version (\S+)", v)
    return f"FreeSWITCH {m.group(1)}" if m else v[:80]


def _port_open(port: int) -> bool:
    import socket
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.3).close()
        return True
    except OSError:
        return False


def guarded(esl_port: int, pw: str, cmd: str, deadline: float = 20.0) -> str:
    """`sofia profile internal stop|restart` is refused for 10 s after the profile started: wait as told, retry."""
    end = time.monotonic() + deadline
    while True:
        out = api(esl_port, pw, cmd)
        m = re.search(r"Please wait (\d+) seconds", out)
        if "must be up for at least" not in out or time.monotonic() > end:
            return out
        time.sleep(min(int(m.group(1)) if m else 1, 10) + 0.3)


def live_step(step: str, dirs: realconf.Dirs, esl_port: int, pw: str, wss_port: int,
              docker_host: str | None = None) -> None:
    step = scenarios.Step(step)
    if step is scenarios.Step.PROFILE_STOP:
        guarded(esl_port, pw, "sofia profile internal stop")
        end = time.monotonic() + 5
        while time.monotonic() < end and _port_open(wss_port):
            time.sleep(0.05)
    elif step is scenarios.Step.UNCOMMENT_WSS:
        realconf.uncomment_wss(dirs.conf)
    elif step is scenarios.Step.RELOADXML:
        api(esl_port, pw, "reloadxml")
    elif step is scenarios.Step.RESCAN:
        api(esl_port, pw, "sofia profile internal rescan")
    elif step is scenarios.Step.BREAK_XML:
        from fsnb.lab import layout
        layout.break_xml(dirs.conf / "sip_profiles/internal.xml")
    elif step is scenarios.Step.STOP_PROCESS:
        import signal

        from fsnb.lab import dockerlab
        pid = dockerlab.client(docker_host).containers.get(CONTAINER).attrs["State"]["Pid"]
        os.kill(pid, signal.SIGSTOP)     # the lab's own FreeSWITCH, by the pid its engine reports
    elif step is scenarios.Step.PAUSE_CONTAINER:
        from fsnb.lab import dockerlab
        dockerlab.client(docker_host).containers.get(CONTAINER).pause()    # what a backup script's `docker pause` does
    else:
        raise FsnbError(f"unknown live step {step!r}")
