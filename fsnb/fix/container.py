"""FreeSWITCH's files inside its container, edited through the Docker engine fsnb reads with (the archive API and
one `mv` exec) — never through a link: a symlinked path is refused, as for local files.

- stat/read: HEAD/GET /containers/{name}/archive (the link itself, not followed);
- write: PUT a one-file tar (mode, uid, gid of the original) as a temp name in the same directory, then
  `mv -f <tmp> <path>` inside the container (rename(2): atomic, replaces a link rather than following it).
"""
from __future__ import annotations

import io
import posixpath
import secrets
import tarfile

from fsnb.fix.plan import FixRefused
from fsnb.i18n import T, same
from fsnb.read.host import GO_MODE_NOT_REGULAR, GO_MODE_SYMLINK, _api

MAX = 4 * 1024 * 1024


class ContainerFiles:
    def __init__(self, container: str, docker_host: str = "", timeout: float = 10.0):
        self.name, self.api = container, _api(docker_host, timeout)
        self.timeout = timeout

    def _archive(self, path: str):
        url = self.api._url("/containers/{0}/archive", self.name)
        return self.api.get(url, params={"path": path}, stream=True, timeout=self.timeout,
                            headers={"Accept-Encoding": "identity"})

    def exists(self, path: str) -> bool:
        url = self.api._url("/containers/{0}/archive", self.name)
        res = self.api.head(url, params={"path": path}, timeout=self.timeout)
        return res.status_code == 200

    def read(self, path: str) -> tuple[bytes, int, int, int]:
        """(bytes, mode, uid, gid) of a regular file; FixRefused for a link, a non-regular or unreadable file."""
        import docker
        res = self._archive(path)
        try:
            if res.status_code == 404:
                raise FixRefused(T(f"{path}: keine solche Datei im Container {self.name}",
                                   f"{path}: no such file in container {self.name}"))
            if res.status_code != 200:
                raise FixRefused(T(f"{path} in {self.name}: nicht lesbar (Docker antwortete {res.status_code})",
                                   f"{path} in {self.name}: unreadable (Docker answered {res.status_code})"))
            header = res.headers.get("x-docker-container-path-stat")
            try:        # the engine's answer, typed: a header that is no base64 JSON object is a refusal, said
                st = docker.utils.decode_json_header(header) if header else {}
                mode = int(st.get("mode") or 0) if isinstance(st, dict) else -1
            except (ValueError, TypeError):
                mode = -1
            if mode < 0:
                raise FixRefused(T(f"{path} in {self.name}: der Datei-Header der Engine ist nicht lesbar",
                                   f"{path} in {self.name}: the engine's file header is unreadable"))
            if mode & GO_MODE_SYMLINK:
                link = st.get("linkTarget")
                raise FixRefused(T(f"{path} in {self.name} ist ein symbolischer Link (→ {link}): fsnb ändert nicht über "
                                   "Links — ändern Sie die Datei, auf die er zeigt, selbst",
                                   f"{path} in {self.name} is a symlink (→ {link}): fsnb does not edit "
                                   "through links — edit the file it points to yourself"))
            if mode & GO_MODE_NOT_REGULAR:
                raise FixRefused(T(f"{path} in {self.name} ist keine reguläre Datei",
                                   f"{path} in {self.name} is not a regular file"))
            with tarfile.open(fileobj=res.raw, mode="r|") as tar:
                m = tar.next()
                if m is None or not m.isfile() or m.size > MAX:
                    raise FixRefused(T(f"{path} in {self.name}: keine reguläre Datei, die fsnb ändern kann",
                                       f"{path} in {self.name}: not a regular file fsnb can edit"))
                return tar.extractfile(m).read(), m.mode & 0o7777, m.uid, m.gid
        finally:
            res.close()

    def _put(self, path: str, data: bytes, mode: int, uid: int, gid: int) -> None:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            info = tarfile.TarInfo(posixpath.basename(path))
            info.size, info.mode, info.uid, info.gid = len(data), mode, uid, gid
            tar.addfile(info, io.BytesIO(data))
        if not self.api.put_archive(self.name, posixpath.dirname(path), buf.getvalue()):
            raise FixRefused(T(f"Docker hat das Schreiben in {posixpath.dirname(path)} in {self.name} abgelehnt",
                               f"Docker refused to write into {posixpath.dirname(path)} in {self.name}"))

    def _mv(self, src: str, dst: str) -> None:
        eid = self.api.exec_create(self.name, ["mv", "-f", src, dst], stdout=True, stderr=True)["Id"]
        out = self.api.exec_start(eid)
        if self.api.exec_inspect(eid).get("ExitCode") != 0:
            raise FixRefused(same(f"mv {src} {dst} in {self.name}: {out.decode(errors='replace').strip()[:300]}"))

    def create(self, path: str, data: bytes, mode: int, uid: int, gid: int) -> None:
        """A new file (the backup): refused when something is there already."""
        if self.exists(path):
            raise FixRefused(T(f"{path} existiert in {self.name}: nicht überschrieben",
                               f"{path} exists in {self.name}: not overwritten"))
        self._put(path, data, mode, uid, gid)

    def replace(self, path: str, data: bytes, mode: int, uid: int, gid: int) -> None:
        tmp = posixpath.join(posixpath.dirname(path), f".{posixpath.basename(path)}.fsnb-tmp-{secrets.token_hex(4)}")
        self._put(tmp, data, mode, uid, gid)
        self._mv(tmp, path)

    def move(self, src: str, dst: str) -> None:
        if self.exists(dst):
            raise FixRefused(T(f"{dst} existiert in {self.name}: nicht überschrieben",
                               f"{dst} exists in {self.name}: not overwritten"))
        self._mv(src, dst)
