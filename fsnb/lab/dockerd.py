"""A private Docker engine for the lab and the tests: host networking only, its own roots and socket.

Started as `dockerd --bridge=none --iptables=false` with its own --data-root, --exec-root, --pidfile and
socket, so it touches no other engine and creates no network of its own.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from fsnb.errors import AccessError
from fsnb.lab import procs


def _ping(url: str) -> bool:
    import docker
    try:
        c = docker.DockerClient(base_url=url, timeout=3)
        c.ping()
        c.close()
        return True
    except Exception:
        return False


def ensure(root: Path, prefer_existing: bool = True) -> str:
    """Return a reachable DOCKER_HOST: DOCKER_HOST if set, else our private engine under `root` (started if needed)."""
    if prefer_existing and os.environ.get("DOCKER_HOST") and _ping(os.environ["DOCKER_HOST"]):
        return os.environ["DOCKER_HOST"]
    sock = root / "docker.sock"
    url = f"unix://{sock}"
    if sock.exists() and _ping(url):
        return url
    dockerd = shutil.which("dockerd") or "/usr/sbin/dockerd"
    if not os.path.exists(dockerd):
        raise AccessError("dockerd is not installed (Debian: apt-get install docker.io)")
    if os.geteuid() != 0:
        raise AccessError("starting a private dockerd needs root; set DOCKER_HOST to an engine you may use")
    root.mkdir(parents=True, exist_ok=True)
    rec = procs.start([dockerd, "--bridge=none", "--iptables=false", "--ip6tables=false",
                       f"--data-root={root / 'data'}", f"--exec-root={root / 'exec'}",
                       f"--pidfile={root / 'docker.pid'}", f"--host={url}", "--containerd-namespace=fsnb",
                       "--containerd-plugins-namespace=fsnb-plugins", "--log-level=warn"], root / "dockerd.log")
    (root / "dockerd.json").write_text(__import__("json").dumps(rec))
    end = time.monotonic() + 60
    while time.monotonic() < end:
        if _ping(url):
            return url
        if not procs.alive(rec):
            break
        time.sleep(0.2)
    stop(root)      # ours: not left running (or its mounts left behind) after a failed start
    tail = (root / "dockerd.log").read_text(errors="replace")[-2000:] if (root / "dockerd.log").exists() else ""
    if len(str(root / "exec/containerd/containerd.sock")) > 107:
        tail += f"\n(its containerd socket path is longer than a unix socket path can be: use a shorter root than {root})"
    raise AccessError(f"private dockerd did not come up; its log ends:\n{tail}")


def stop(root: Path) -> None:
    f = root / "dockerd.json"
    if f.exists():
        procs.stop(__import__("json").loads(f.read_text()), timeout=20)
        f.unlink()
        unmount_under(root)


def mounts_under(root: Path) -> list[str]:
    """Mount points at or below `root` (from /proc/self/mountinfo; its octal escapes decoded)."""
    base = os.path.realpath(root)
    out = []
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as fh:
            for line in fh:
                point = line.split(" ")[4].encode("utf-8", "surrogateescape").decode("unicode_escape").encode(
                    "latin-1").decode("utf-8", "surrogateescape")
                if point == base or point.startswith(base + "/"):
                    out.append(point)
    except OSError:
        pass
    return out


def unmount_under(root: Path) -> None:
    """What our dockerd mounted under its own roots and left behind when it stopped (its `netns/default` nsfs,
    sometimes the data root's bind mount): unmounted, deepest first — else the directory can never be removed."""
    import subprocess
    for point in sorted(set(mounts_under(root)), key=len, reverse=True):
        if subprocess.run(["umount", point], capture_output=True, timeout=20).returncode != 0:
            subprocess.run(["umount", "--lazy", point], capture_output=True, timeout=20)
