"""Docker mode: the simulator as the main process (PID 1) of a container, like FreeSWITCH in the analysis.

No registry is reachable, so the image is built offline: `docker import` of a minimal rootfs (busybox when
the host has it, an fs_cli command), with the host's Python and the project bind-mounted read-only.
"""
from __future__ import annotations

import hashlib
import io
import sys
import tarfile
from pathlib import Path

import docker

IMAGE = "fsnb-lab"
ROOT = Path(__file__).resolve().parents[2]


def _python() -> str:
    return sys.executable


BUSYBOX_TOOLS = ("sh", "cat", "ls", "ps", "netstat", "grep", "sleep", "tail", "head", "rm", "mkdir", "ln", "kill", "dd",
                 "mv")   # mv: fsnb fix renames its temp file over a container file (fsnb/fix/container.py)


def tar_helpers(tar: tarfile.TarFile):
    """(add_dir, add_file, add_link) writing into an image's rootfs tar."""
    def add_dir(name, mode=0o755):
        ti = tarfile.TarInfo(name)
        ti.type, ti.mode = tarfile.DIRTYPE, mode
        tar.addfile(ti)

    def add_file(name, data: bytes, mode=0o755):
        ti = tarfile.TarInfo(name)
        ti.size, ti.mode = len(data), mode
        tar.addfile(ti, io.BytesIO(data))

    def add_link(name, target):
        ti = tarfile.TarInfo(name)
        ti.type, ti.linkname = tarfile.SYMTYPE, target
        tar.addfile(ti)
    return add_dir, add_file, add_link


def add_busybox(add_file, add_link, required: bool = True) -> None:
    busybox = Path("/bin/busybox")
    if not busybox.exists():
        if required:
            raise FileNotFoundError("/bin/busybox is missing (Debian: apt-get install busybox-static)")
        return
    add_file("bin/busybox", busybox.read_bytes())
    for tool in BUSYBOX_TOOLS:
        add_link(f"bin/{tool}", "busybox")


def base_layout(add_dir, add_file, add_link, usr: bool = True) -> None:
    """Empty mount points, /etc/passwd and /etc/group. Nothing of the image lives under /usr: the host's /usr
    (Debian's python3, the libraries) is bind-mounted there and would hide it."""
    for d in ("bin", "etc", "tmp", "proc", "sys", "dev", *(("usr",) if usr else ()), "root", "var", "run"):
        add_dir(d, 0o1777 if d == "tmp" else 0o755)
    if usr:
        add_link("lib", "usr/lib")
        add_link("lib64", "usr/lib64")
    add_file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n", 0o644)
    add_file("etc/group", b"root:x:0:\n", 0o644)


def _rootfs_tar() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        add_dir, add_file, add_link = tar_helpers(tar)
        base_layout(add_dir, add_file, add_link)
        # fs_cli as in the analysis (`docker exec aidevelo-freeswitch fs_cli -x status`)
        add_file("bin/fs_cli",
                 f"#!{_python()}\nimport sys\nfrom fsnb.lab.fs_cli import main\nsys.exit(main())\n".encode())
        add_busybox(add_file, add_link, required=False)
    return buf.getvalue()


def client(docker_host: str) -> docker.DockerClient:
    return docker.DockerClient(base_url=docker_host, timeout=30)


def import_rootfs(c: docker.DockerClient, data: bytes, repository: str, path: str, changes: tuple = ()) -> str:
    """The image of a rootfs tar, tagged by its digest: imported offline (`docker import`) unless already there."""
    tag = f"{repository}:{hashlib.sha256(data).hexdigest()[:12]}"
    try:
        c.images.get(tag)
        return tag
    except docker.errors.ImageNotFound:
        pass
    c.api.import_image_from_data(data, repository=repository, tag=tag.split(":")[1],
                                 changes=[f"ENV PATH={path}", "WORKDIR /", *changes])
    return tag


def ensure_image(c: docker.DockerClient) -> str:
    return import_rootfs(c, _rootfs_tar(), IMAGE, "/bin:/usr/local/bin:/usr/bin")


def mounts(prefix: Path, extra: list[Path] = ()) -> dict:
    ro = {Path(sys.base_prefix), Path(sys.prefix), ROOT, Path("/usr/lib")}
    if Path("/usr/lib64").exists():
        ro.add(Path("/usr/lib64"))
    if Path("/etc/ssl").exists():
        ro.add(Path("/etc/ssl"))
    vols = {str(p): {"bind": str(p), "mode": "ro"} for p in sorted(ro) if p.exists()}
    vols[str(prefix)] = {"bind": str(prefix), "mode": "rw"}
    for p in extra:
        vols[str(p)] = {"bind": str(p), "mode": "rw"}
    return vols


def run(c: docker.DockerClient, name: str, prefix: Path, args: list[str], fs_cli_conf: Path) -> str:
    image = ensure_image(c)
    try:
        old = c.containers.get(name)
        if old.labels.get("fsnb.lab.dir") and old.status == "running":   # a real lab's FreeSWITCH (real.py)
            from fsnb.errors import AccessError
            raise AccessError(f"container {name} of the real lab {old.labels['fsnb.lab.dir']} runs in this Docker "
                              "engine; stop that lab first (fsnb lab down --port-offset N)")
        old.remove(force=True)
    except docker.errors.NotFound:
        pass
    vols = mounts(prefix)
    vols[str(fs_cli_conf)] = {"bind": "/etc/fs_cli.conf", "mode": "ro"}
    cont = c.containers.run(image, [_python(), "-m", "fsnb.lab.freeswitch", "--prefix", str(prefix), *args],
                            name=name, network_mode="host", volumes=vols, detach=True,
                            environment={"PYTHONDONTWRITEBYTECODE": "1", "HOME": "/root"},
                            labels={"fsnb.lab": "1"}, working_dir="/")
    return cont.id


def remove(c: docker.DockerClient, container_id: str, kill: bool = False) -> None:
    try:
        cont = c.containers.get(container_id)
    except docker.errors.NotFound:
        return
    if cont.labels.get("fsnb.lab") != "1":
        return  # not ours: never touch it
    try:
        if cont.status == "paused":     # scenario container-paused: a frozen process takes no signal
            cont.unpause()
        cont.kill() if kill else cont.stop(timeout=5)
    except docker.errors.APIError:
        pass
    cont.remove(force=True)
