"""Where FreeSWITCH runs: the local machine or a Docker container (Docker SDK), modelled like a host with files and sockets.

Every call is bounded: files by size, the Docker API by its socket timeout and an asyncio deadline.
"""
from __future__ import annotations

import asyncio
import os
import posixpath
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from fsnb import blocking
from fsnb.errors import AccessError, NotAFile
from fsnb.read import dockerview, files, fsprocess, procnet, procroot

MAX_FILE = files.MAX_FILE
# Docker's path stat reports Go's os.FileMode bits
GO_MODE_SYMLINK = 1 << 27
GO_MODE_NOT_REGULAR = (1 << 31) | (1 << 26) | (1 << 25) | (1 << 24) | (1 << 21) | (1 << 19)  # dir dev pipe sock char irreg.


@dataclass
class ExecResult:
    exit_code: int
    stdout: str
    stderr: str
    via: str


class Host(Protocol):
    """Where FreeSWITCH runs, as the checks see it. Both hosts implement all of it: callers never branch on kind."""
    kind: str               # "local" | "docker": for evidence and messages only
    identity: str           # what a fleet run may share: one machine (or container), one socket table
    batches: bool           # reading several files at once (read_many) is worth waiting for their dirs
    timeout: float

    def via(self, what: str) -> str: ...
    async def read_file(self, path: str, tail: int | None = None) -> str: ...
    async def read_many(self, wanted: dict[str, int]) -> dict[str, str | AccessError] | None: ...
    async def exists(self, path: str) -> bool: ...
    async def list_dir(self, path: str) -> list[str]: ...
    async def listeners(self) -> list[procnet.Socket]: ...
    async def exec(self, argv: list[str]) -> ExecResult: ...
    async def own_addresses(self) -> set[str] | None: ...
    async def process(self) -> fsprocess.Process | None: ...
    async def docker_view(self) -> dockerview.DockerView | None: ...


class LocalHost:
    kind = "local"
    identity = "local"
    batches = True      # the files a run needs, read in one trip to a worker thread (a fleet reads ~6 per target)

    def __init__(self, timeout: float = 3.0):
        self.timeout = timeout

    def _read(self, path: str, tail: int | None) -> str:
        try:
            return files.read_text(path, tail=tail, limit=MAX_FILE)
        except FileNotFoundError:
            raise AccessError(f"{path}: no such file") from None
        except PermissionError:
            raise AccessError(f"{path}: permission denied") from None
        except (files.NotRegular, IsADirectoryError) as exc:
            raise NotAFile(f"{path}: {exc.strerror or exc}") from None
        except OSError as exc:   # too large, a loop of links
            raise AccessError(f"{path}: {exc.strerror or exc}") from None

    async def read_many(self, wanted: dict[str, int]) -> dict[str, str | AccessError]:
        def read_all():
            out: dict[str, str | AccessError] = {}
            for path, tail in wanted.items():
                try:
                    out[path] = self._read(path, tail or None)
                except AccessError as exc:
                    out[path] = exc
            return out
        return await asyncio.wait_for(blocking.to_thread(read_all), self.timeout)

    async def own_addresses(self) -> None:
        return None     # this machine's addresses are FreeSWITCH's

    async def process(self) -> fsprocess.Process | None:
        """The FreeSWITCH process on this machine and its command line (its directories)."""
        return await asyncio.wait_for(blocking.to_thread(fsprocess.local), self.timeout)

    async def docker_view(self) -> None:
        return None

    def via(self, what: str) -> str:
        return f"local {what}"

    async def read_file(self, path: str, tail: int | None = None) -> str:
        return await asyncio.wait_for(blocking.to_thread(self._read, path, tail), self.timeout)

    async def exists(self, path: str) -> bool:
        return Path(path).exists()

    async def list_dir(self, path: str) -> list[str]:
        def names():
            try:
                return sorted(os.listdir(path))
            except OSError as exc:
                raise AccessError(f"{path}: {exc.strerror or exc}") from None
        return await asyncio.wait_for(blocking.to_thread(names), self.timeout)

    async def listeners(self) -> list[procnet.Socket]:
        tcp = await self.read_file("/proc/net/tcp")
        try:
            tcp6 = await self.read_file("/proc/net/tcp6")
        except AccessError:
            tcp6 = ""
        return procnet.listeners(tcp, tcp6)

    async def exec(self, argv: list[str]) -> ExecResult:
        def run():
            try:
                p = subprocess.run(argv, capture_output=True, text=True, timeout=self.timeout)
            except FileNotFoundError:
                return ExecResult(127, "", f"{argv[0]}: not found", self.via(" ".join(argv)))
            except subprocess.TimeoutExpired:
                raise AccessError(f"{' '.join(argv)} did not finish within {self.timeout:.1f}s") from None
            return ExecResult(p.returncode, p.stdout, p.stderr, self.via(" ".join(argv)))
        return await blocking.to_thread(run)


_API_CLIENTS: dict[str, object] = {}


def _api(docker_host: str, timeout: float):
    """One low-level Docker API client per engine, reused across runs (a client per run costs a connection)."""
    import docker
    key = docker_host or "env"
    if key not in _API_CLIENTS:
        try:
            _API_CLIENTS[key] = docker.APIClient(base_url=docker_host, timeout=max(1, int(timeout)), max_pool_size=32) \
                if docker_host else docker.from_env(timeout=max(1, int(timeout)), max_pool_size=32).api
        except docker.errors.DockerException as exc:
            raise AccessError(f"Docker engine not reachable: {exc}") from None
    return _API_CLIENTS[key]


class DockerHost:
    """A container reached by name. When its engine runs on this machine, files and socket tables come straight
    from /proc/<pid> (fsnb/procroot.py: no exec, ~1 ms); otherwise through the Docker SDK: files via one exec or the
    archive API, commands via exec."""
    kind = "docker"
    batches = True

    def __init__(self, container: str, docker_host: str = "", timeout: float = 3.0, proc: bool = True):
        """`proc=False`: always through the Docker API (as when the engine is on another machine)."""
        import os
        self.name, self.timeout, self.proc = container, timeout, proc
        self.docker_host = docker_host or os.environ.get("DOCKER_HOST", "")
        self._sdk = None
        self._root: asyncio.Future | None = None
        self.identity = f"docker {docker_host or 'env'} {container}"

    @property
    def api(self):
        """The Docker SDK's low-level client, imported only when the /proc path cannot serve (it costs ~40 ms)."""
        if self._sdk is None:
            self._sdk = _api(self.docker_host, self.timeout)
        return self._sdk

    async def inspect(self) -> dict:
        info = await asyncio.wait_for(blocking.to_thread(procroot.inspect, self.docker_host, self.name, self.timeout),
                                      self.timeout + 0.5)
        return info if info is not None else await self._call(lambda: self.api.inspect_container(self.name))

    async def rootfs(self) -> procroot.ContainerRoot | None:
        """The container's /proc view when usable here (memoised per host object; concurrent callers share it)."""
        if not self.proc:
            return None
        if self._root is None:
            async def find():
                try:
                    info = await asyncio.wait_for(blocking.to_thread(procroot.inspect, self.docker_host, self.name,
                                                                    self.timeout), self.timeout + 0.5)
                except asyncio.TimeoutError:
                    return None
                return await blocking.to_thread(procroot.ContainerRoot.of, info)
            self._root = asyncio.ensure_future(find())
        return await asyncio.shield(self._root)

    async def _read_root(self, root: procroot.ContainerRoot, path: str, tail: int | None) -> str:
        def read():
            try:
                if path.startswith("/proc/net/"):
                    return root.net(path[len("/proc/net/"):])
                return root.read_text(path, tail=tail, limit=MAX_FILE)
            except FileNotFoundError:
                raise AccessError(f"{path}: no such file in container {self.name}") from None
            except PermissionError:
                raise AccessError(f"{path}: permission denied in {self.name}") from None
            except files.NotRegular as exc:
                raise NotAFile(f"{path} in {self.name}: {exc.strerror or exc}") from None
            except OSError as exc:   # a link loop; too large
                raise AccessError(f"{path} in {self.name}: {exc.strerror or exc}") from None
        return await asyncio.wait_for(blocking.to_thread(read), self.timeout)

    def via(self, what: str) -> str:
        root = self._root.result() if self._root is not None and self._root.done() and not self._root.exception() else None
        if root is not None:
            return f"docker container {self.name}, read via /proc/{root.pid}: {what}"
        return f"docker exec {self.name} {what}" if not what.startswith("file") else f"docker {what} ({self.name})"

    async def _call(self, fn):
        import docker
        import requests

        def guarded():
            try:
                return fn()
            except docker.errors.NotFound as exc:
                raise AccessError(f"container {self.name!r}: {exc.explanation or exc}") from None
            except (docker.errors.DockerException, requests.RequestException) as exc:
                raise AccessError(f"Docker: {exc}") from None
        try:
            return await asyncio.wait_for(blocking.to_thread(guarded), self.timeout + 0.5)
        except asyncio.TimeoutError:
            raise AccessError(f"Docker API did not answer within {self.timeout:.1f}s") from None

    async def state(self) -> dict:
        return (await self.inspect()).get("State", {})

    async def own_addresses(self) -> set[str] | None:
        """The container's addresses when it has its own network namespace; None on the host network (then the
        host's addresses are the container's)."""
        info = await self.inspect()
        if (info.get("HostConfig") or {}).get("NetworkMode") == "host":
            return None
        nets = ((info.get("NetworkSettings") or {}).get("Networks") or {}).values()
        addrs = {"127.0.0.1", "::1"}
        for n in nets:
            addrs.update(a for a in (n.get("IPAddress"), n.get("GlobalIPv6Address")) if a)
        return addrs

    async def process(self) -> fsprocess.Process | None:
        """FreeSWITCH's command line: /proc/<pid>/cmdline of the container's process (or its child) when the
        engine runs here, else what the engine started (inspect: Path + Args)."""
        root = await self.rootfs()
        if root is not None:
            proc = await asyncio.wait_for(blocking.to_thread(fsprocess.in_tree, root.pid), self.timeout)
            if proc is not None:
                return proc
        try:
            return fsprocess.from_inspect(await self.inspect())
        except AccessError:
            return None

    async def docker_view(self) -> dockerview.DockerView | None:
        """The engine's record of the container: network mode, published ports, mounts, restart state."""
        return dockerview.of(await self.inspect())

    async def exec(self, argv: list[str]) -> ExecResult:
        def run():
            eid = self.api.exec_create(self.name, argv, stdout=True, stderr=True)["Id"]
            out, err = self.api.exec_start(eid, demux=True)
            code = self.api.exec_inspect(eid).get("ExitCode")
            return ExecResult(code if code is not None else -1, (out or b"").decode(errors="replace"),
                              (err or b"").decode(errors="replace"), self.via(" ".join(argv)))
        return await self._call(run)

    def _archive(self, method: str, path: str):
        """GET/HEAD /containers/{name}/archive. Not docker-py's get_archive: that turns the socket timeout off for
        the body, and its stream must be read to the end (a 2 GB freeswitch.log) or it holds the connection."""
        url = self.api._url("/containers/{0}/archive", self.name)
        kw = {"params": {"path": path}, "timeout": self.timeout, "headers": {"Accept-Encoding": "identity"}}
        return self.api.head(url, **kw) if method == "head" else self.api.get(url, stream=True, **kw)

    def _stat(self, res, path: str) -> dict:
        import docker
        if res.status_code == 404:
            res.close()
            if "no such container" in (res.text or "").lower():
                raise AccessError(f"container {self.name!r}: no such container")
            raise AccessError(f"{path}: no such file in container {self.name}")
        self.api._raise_for_status(res)
        header = res.headers.get("x-docker-container-path-stat")
        return docker.utils.decode_json_header(header) if header else {}

    def _open(self, path: str):
        """GET the archive of `path`, following symlinks (wss.pem often is one: certbot's live/) — the archive of a
        link holds the link itself. One round trip per file; returns (open response, stat) of a regular file."""
        where = path
        for _ in range(8):
            res = self._archive("get", where)
            st = self._stat(res, where)
            mode = int(st.get("mode") or 0)
            if mode & GO_MODE_SYMLINK and st.get("linkTarget"):
                res.close()
                where = posixpath.join(posixpath.dirname(where), st["linkTarget"])   # absolute stays absolute
                continue
            if mode & GO_MODE_NOT_REGULAR:
                res.close()
                raise NotAFile(f"{path}: not a regular file in {self.name}")
            return res, st
        raise AccessError(f"{path}: too many levels of symbolic links in {self.name}")

    def _read_member(self, res, path: str, tail: int | None) -> str:
        """The file from the streamed archive (the socket timeout stays on); with `tail`, only its last `tail`
        bytes are kept in memory. (The Docker API path only: Docker mode reads files from /proc/<pid>/root.)"""
        import tarfile
        try:
            with tarfile.open(fileobj=res.raw, mode="r|") as tar:
                member = tar.next()
                if member is None or not member.isfile():
                    raise NotAFile(f"{path}: not a regular file in {self.name}")
                fh = tar.extractfile(member)
                if not tail:
                    return fh.read(MAX_FILE).decode("utf-8", errors="replace")
                keep = b""
                while chunk := fh.read(1 << 20):
                    keep = (keep + chunk)[-tail:]
                return keep.decode("utf-8", errors="replace")
        except (tarfile.TarError, EOFError) as exc:
            raise AccessError(f"{path}: unreadable archive from Docker ({exc})") from None
        finally:
            res.close()

    async def read_file(self, path: str, tail: int | None = None) -> str:
        root = await self.rootfs()
        if root is not None and (not path.startswith("/proc/") or path.startswith("/proc/net/")):
            return await self._read_root(root, path, tail)
        if path.startswith("/proc/"):
            r = await self.exec(["cat", path])
            if r.exit_code != 0:
                raise AccessError(f"{path} in {self.name}: {r.stderr.strip() or 'cat failed'}")
            return r.stdout

        def get():
            res, st = self._open(path)
            size = int(st.get("size") or 0)
            if (tail and size > tail) or (not tail and size > MAX_FILE):
                res.close()          # not read: a big log's tail comes from `tail -c` below
                if not tail:
                    raise AccessError(f"{path}: {size} bytes is larger than the {MAX_FILE} bytes fsnb reads")
                return None
            return self._read_member(res, path, None)
        text = await self._call(get)
        if text is not None:
            return text
        r = await self.exec(["tail", "-c", str(tail), path])   # follows symlinks itself
        if r.exit_code == 0:
            return r.stdout
        return await self._call(lambda: self._read_member(self._open(path)[0], path, tail))   # no `tail` there

    # Reads several files in one exec: `head -c` bounds a file, `tail -c` takes a log's end; [ -f ] refuses what is
    # not a regular file (after symlinks, like cat). Each file is preceded by a line with a random mark.
    _MANY = ('command -v head >/dev/null && command -v tail >/dev/null || exit 3; '
             'm=$1; shift; for a in "$@"; do n=${a%%:*}; f=${a#*:}; '
             'if [ ! -e "$f" ]; then printf "\\n%s missing\\n" "$m"; '
             'elif [ ! -f "$f" ]; then printf "\\n%s notfile\\n" "$m"; '
             'elif [ ! -r "$f" ]; then printf "\\n%s denied\\n" "$m"; '
             'elif [ "$n" = 0 ]; then printf "\\n%s file\\n" "$m"; head -c ' + str(MAX_FILE + 1) + ' "$f"; '
             'else printf "\\n%s file\\n" "$m"; tail -c "$n" "$f"; fi; done')

    async def read_many(self, wanted: dict[str, int]) -> dict[str, str | AccessError] | None:
        """{path: tail bytes or 0} -> {path: text or AccessError}, in one `docker exec` (the engine serialises
        archive calls on a container, ~45 ms each). None if the container cannot run it (no sh, head or tail): the
        caller reads file by file."""
        import secrets
        paths = list(wanted)
        if not paths:
            return {}
        root = await self.rootfs()
        if root is not None:
            got = await asyncio.gather(*(self._read_root(root, p, wanted[p] or None) for p in paths),
                                       return_exceptions=True)
            for g in got:
                if isinstance(g, BaseException) and not isinstance(g, AccessError):
                    raise g
            return dict(zip(paths, got, strict=True))
        mark = "--fsnb-" + secrets.token_hex(8)
        try:
            r = await self.exec(["sh", "-c", self._MANY, "sh", mark, *(f"{wanted[p]}:{p}" for p in paths)])
        except AccessError:
            return None
        parts = r.stdout.split(f"\n{mark} ")
        if r.exit_code not in (0, 1) or len(parts) != len(paths) + 1:
            return None
        out: dict[str, str | AccessError] = {}
        for path, part in zip(paths, parts[1:], strict=True):
            kind, _, text = part.partition("\n")
            if kind == "missing":
                out[path] = AccessError(f"{path}: no such file in container {self.name}")
            elif kind == "notfile":
                out[path] = NotAFile(f"{path}: not a regular file in {self.name}")
            elif kind == "denied":
                out[path] = AccessError(f"{path}: permission denied in {self.name}")
            elif not wanted[path] and len(text.encode()) > MAX_FILE:
                out[path] = AccessError(f"{path}: larger than the {MAX_FILE} bytes fsnb reads")
            else:
                out[path] = text
        return out

    async def exists(self, path: str) -> bool:
        root = await self.rootfs()
        if root is not None:
            return await asyncio.wait_for(blocking.to_thread(root.exists, path), self.timeout)

        def head():
            res = self._archive("head", path)
            res.close()
            return res.status_code == 200
        try:
            return await self._call(head)
        except AccessError:
            return False

    async def list_dir(self, path: str) -> list[str]:
        root = await self.rootfs()
        if root is not None:
            def names():
                try:
                    return root.list_dir(path)
                except OSError as exc:
                    raise AccessError(f"{path} in {self.name}: {exc.strerror or exc}") from None
            return await asyncio.wait_for(blocking.to_thread(names), self.timeout)
        r = await self.exec(["ls", "-1", "--", path])
        if r.exit_code != 0:
            raise AccessError(f"{path} in {self.name}: {r.stderr.strip() or 'ls failed'}")
        return sorted(line for line in r.stdout.splitlines() if line)

    async def listeners(self) -> list[procnet.Socket]:
        root = await self.rootfs()
        if root is not None:
            tcp = await self._read_root(root, "/proc/net/tcp", None)
            try:
                tcp6 = await self._read_root(root, "/proc/net/tcp6", None)
            except AccessError:
                tcp6 = ""
            return procnet.listeners(tcp, tcp6)
        # one exec for both tables (each exec costs ~50-80 ms); tcp6 may be missing without IPv6
        r = await self.exec(["cat", "/proc/net/tcp", "/proc/net/tcp6"])
        if "sl  local_address" not in r.stdout:
            raise AccessError(f"/proc/net/tcp in {self.name}: {r.stderr.strip() or 'cat failed'}")
        parts = r.stdout.split("  sl  ")
        tables = ["  sl  " + p for p in parts[1:]]
        return procnet.listeners(tables[0], tables[1] if len(tables) > 1 else "")


def for_target(fs_target) -> Host:
    access = fs_target.access
    if access == "auto":
        access = "docker" if fs_target.container else "local"
    if access == "docker":
        if not fs_target.container:
            raise AccessError("access 'docker' needs freeswitch.container")
        return DockerHost(fs_target.container, fs_target.docker_host)
    return LocalHost()
