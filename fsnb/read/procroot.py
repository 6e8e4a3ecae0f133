"""A container's files and sockets straight from /proc/<pid>/ when its engine runs on this machine.

`docker exec` costs 50–100 ms per call; the kernel already shows the container's view: its mount namespace
under /proc/<pid>/root and its network namespace's socket tables under /proc/<pid>/net. Used only when the
engine is on a local socket, we may read that directory and /proc/<pid>/cgroup names the container's id (so the
pid is the container's in our pid namespace); otherwise the caller uses the Docker API.

The container is hostile ground: paths are walked one component at a time with openat(O_NOFOLLOW) from
directory descriptors, symlinks resolved *inside* the container's root (an absolute link starts again at its
root, `..` stops there), so no link — and no link swapped in mid-walk — can lead to a file of this machine.
"""
from __future__ import annotations

import errno
import http.client
import json
import os
import socket
import stat
from urllib.parse import quote

from fsnb.read import files

MAX_LINKS = 40


class _UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self._path)
        self.sock = s


def inspect(docker_host: str, name: str, timeout: float) -> dict | None:
    """GET /containers/<name>/json on a local unix socket (one round trip, no SDK import); None when the engine is
    not on a local socket or does not answer as expected."""
    if docker_host and not docker_host.startswith("unix://"):
        return None
    path = docker_host[len("unix://"):] if docker_host else "/var/run/docker.sock"
    conn = _UnixHTTP(path, timeout)
    try:
        conn.request("GET", f"/containers/{quote(name, safe='')}/json")
        res = conn.getresponse()
        body = res.read(4 * 1024 * 1024)
        return json.loads(body) if res.status == 200 else None
    except (OSError, ValueError, http.client.HTTPException):
        return None
    finally:
        conn.close()


class ContainerRoot:
    """The filesystem and socket tables of a running container, as its main process sees them."""

    def __init__(self, pid: int):
        self.pid = pid
        self.root = f"/proc/{pid}/root"

    @classmethod
    def of(cls, info: dict | None) -> "ContainerRoot | None":
        if not info:
            return None
        st, cid = info.get("State") or {}, str(info.get("Id") or "")
        pid = st.get("Pid")
        if not st.get("Running") or not isinstance(pid, int) or pid <= 0 or len(cid) < 12:
            return None
        try:
            with open(f"/proc/{pid}/cgroup", encoding="utf-8", errors="replace") as fh:
                if cid not in fh.read(65536):
                    return None      # another pid namespace (fsnb itself in a container): not this pid
            os.close(os.open(f"/proc/{pid}/root/", os.O_RDONLY | os.O_DIRECTORY))
        except OSError:
            return None              # not ours to read (not root, or the process is gone)
        return cls(pid)

    def _walk(self, path: str, last):
        """Walk `path` inside the container's root one component at a time (links resolved inside it); call
        `last(name, dir_fd)` on the final component, or `last(None, fd of the directory)` when the path ends in one."""
        dirs = [os.open(self.root + "/", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)]
        try:
            parts = [p for p in path.split("/") if p not in ("", ".")]
            links = 0
            while parts:
                name = parts.pop(0)
                if name == "..":
                    if len(dirs) > 1:
                        os.close(dirs.pop())
                    continue
                st = os.stat(name, dir_fd=dirs[-1], follow_symlinks=False)
                if stat.S_ISLNK(st.st_mode):
                    links += 1
                    if links > MAX_LINKS:
                        raise OSError(errno.ELOOP, "too many levels of symbolic links", path)
                    target = os.readlink(name, dir_fd=dirs[-1])
                    if target.startswith("/"):
                        while len(dirs) > 1:
                            os.close(dirs.pop())
                    parts = [p for p in target.split("/") if p not in ("", ".")] + parts
                    continue
                if parts or stat.S_ISDIR(st.st_mode):
                    dirs.append(os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                                        dir_fd=dirs[-1]))
                else:
                    return last(name, dirs[-1])
            return last(None, dirs[-1])
        finally:
            for fd in dirs:
                os.close(fd)

    def read_bytes(self, path: str, tail: int | None = None, limit: int = files.MAX_FILE) -> bytes:
        """`path` as the container sees it; OSError (ENOENT, EACCES, ELOOP, EFBIG, NotRegular) like a local read."""
        def read(name, dir_fd):
            if name is None:
                raise files.NotRegular(0, "is a directory, not a regular file", path)
            # O_NOFOLLOW: a link swapped in since the walk's stat is refused, never followed
            return files.read_bytes(name, tail, limit, dir_fd=dir_fd)
        return self._walk(path, read)

    def list_dir(self, path: str) -> list[str]:
        """The names in a directory of the container (NotADirectoryError for anything else)."""
        def names(name, dir_fd):
            if name is not None:
                raise NotADirectoryError(errno.ENOTDIR, "not a directory", path)
            return sorted(os.listdir(dir_fd))
        return self._walk(path, names)

    def exists(self, path: str) -> bool:
        try:
            self.read_bytes(path, tail=1)
            return True
        except files.NotRegular:      # a directory (or FIFO, device): it exists, and was not opened for reading
            return True
        except OSError:
            return False

    def read_text(self, path: str, tail: int | None = None, limit: int = files.MAX_FILE) -> str:
        return self.read_bytes(path, tail, limit).decode("utf-8", errors="replace")

    def net(self, table: str) -> str:
        """The container's network namespace's /proc/net/<table> (tcp, tcp6, if_inet6)."""
        return files.read_text(f"/proc/{self.pid}/net/{table}")
