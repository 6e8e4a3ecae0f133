"""What checks share during one run: the target, access to the host and ESL, and facts fetched once."""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

from fsnb import blocking
from fsnb.errors import AccessError, ConfigError, FsnbError, TargetError
from fsnb.probe import eslclient
from fsnb.read import fsconfig, host, nginxconf
from fsnb.redact import Redactor
from fsnb.target import Target

DEFAULT_CONF_DIRS = ["/etc/freeswitch", "/usr/local/freeswitch/conf"]
DEFAULT_CERT_DIRS = ["/etc/freeswitch/tls", "/usr/local/freeswitch/certs"]
DEFAULT_LOGS = ["/var/log/freeswitch/freeswitch.log", "/usr/local/freeswitch/log/freeswitch.log"]
LOG_TAIL = 512 * 1024


def _background(coro) -> None:
    """Run without awaiting; an error is not lost: the check that needs the value awaits the same memo and sees it."""
    fut = asyncio.ensure_future(coro)
    fut.add_done_callback(lambda f: f.cancelled() or f.exception())


class Ctx:
    def __init__(self, target: Target, timeout: float | None = None, shared: dict | None = None):
        """`shared`: a memo for facts of a host rather than of a target (its socket table), shared by the targets
        of one fleet run on the same loop: 50 lab nodes on one machine read that machine's table once."""
        self.target = target
        self._shared = shared
        self.timeout = timeout or target.timeouts.check
        self.redactor = Redactor(target.secret_values())
        self._memo: dict[str, asyncio.Task] = {}
        self._host = None
        self._esl: eslclient.GuardedESL | None = None

    # -- memoised facts ---------------------------------------------------------------------
    async def once(self, key: str, fn: Callable[[], Awaitable]):
        if key not in self._memo:
            task = asyncio.ensure_future(fn())
            # a check that ran out of time leaves its shared read running; whatever it raises is that check's
            # (already reported as a timeout), not an "exception was never retrieved" on the operator's stderr
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
            self._memo[key] = task
        return await asyncio.shield(self._memo[key])

    def machine(self) -> host.Host:
        """The machine (or container) FreeSWITCH runs on, as files, sockets and commands: a host.Host."""
        if self._host is None:
            self._host = host.for_target(self.target.freeswitch)
            self._host.timeout = self.timeout
        return self._host

    @property
    def fs(self):
        return self.target.freeswitch

    def esl_password(self) -> str:
        return self.fs.esl_password.reveal()

    async def esl_probe(self) -> eslclient.Probe:
        async def go():
            try:
                pw = self.esl_password()
            except TargetError as exc:
                return eslclient.Probe("no-password", str(exc))
            return await eslclient.probe(self.fs.host, self.fs.esl_port, pw, self.timeout)
        return await self.once("esl_probe", go)

    async def api(self, command: str) -> str:
        """An API command over python-ESL (only after the probe saw a healthy ESL)."""
        p = await self.esl_probe()
        if p.outcome != "ok":
            raise AccessError(f"ESL not usable: {p.detail}")

        async def go():
            if self._esl is None:
                self._esl = eslclient.GuardedESL(self.fs.host, self.fs.esl_port, self.esl_password())
            return await self._esl.api(command, self.timeout)
        return await self.once(f"api:{command}", go)

    @property
    def esl_via(self) -> str:
        return f"python-ESL {self.fs.host}:{self.fs.esl_port}"

    async def global_var(self, name: str) -> str | None:
        try:
            value = (await self.api(f"global_getvar {name}")).strip()
        except FsnbError:
            return None
        return None if not value or value.startswith("-ERR") else value

    async def process(self):
        """FreeSWITCH's process and its command line (fsnb/read/fsprocess.py); None when not found."""
        return await self._machine_fact("process")

    async def docker_view(self):
        """Docker's record of the container (fsnb/read/dockerview.py); None for a local FreeSWITCH or unreadable."""
        return await self._machine_fact("docker_view")

    async def _machine_fact(self, name: str):
        """The machine's answer to `name` once per run; None where the machine has no such view or cannot read it."""
        async def go():
            fn = getattr(self.machine(), name, None)
            if fn is None:
                return None
            try:
                return await fn()
            except (FsnbError, OSError, asyncio.TimeoutError):
                return None
        return await self.once(name, go)

    async def _from_process(self, what: str, suffix: str = "") -> tuple[str | None, str]:
        proc = await self.process()
        d = proc.dir(what) if proc else None
        if d:
            return d + suffix, f"FreeSWITCH command line: {proc.flag(what)} ({proc.source})"
        return None, ""

    async def _pick(self, override: str, var: str, defaults: list[str], suffix: str = "", process: str = "") -> tuple[str | None, str]:
        if process:   # the process's own command line first: it answers without ESL, and is what it really uses
            d, source = await self._from_process(process, suffix)
            if d:
                return d, source
        if override:
            return override, "target file"
        v = await self.global_var(var)
        if v:
            return v + suffix, f"FreeSWITCH: global_getvar {var}"
        for d in defaults:
            if await self.machine().exists(d):
                return d, "default location"
        return None, "not found"

    async def conf_dir(self) -> tuple[str | None, str]:
        return await self.once("conf_dir", lambda: self._pick(self.fs.conf_dir, "conf_dir", DEFAULT_CONF_DIRS,
                                                                 process="conf"))

    async def certs_dir(self) -> tuple[str | None, str]:
        """The certs dir FreeSWITCH really uses: ask it first (the analysis assumed /usr/local/freeswitch/certs)."""
        async def go():
            d, source = await self._from_process("certs")
            if d:
                return d, source
            v = await self.global_var("certs_dir")
            if v:
                return v, "FreeSWITCH: global_getvar certs_dir"
            return await self._pick(self.fs.certs_dir, "certs_dir", DEFAULT_CERT_DIRS)
        return await self.once("certs_dir", go)

    async def log_file(self) -> tuple[str | None, str]:
        return await self.once("log_file", lambda: self._pick(self.fs.log_file, "log_dir", DEFAULT_LOGS, "/freeswitch.log",
                                                                process="log"))

    async def log_tail(self) -> str:
        async def go():
            path, _ = await self.log_file()
            if not path:
                raise AccessError("freeswitch.log not found")
            return await self.read(path, tail=LOG_TAIL)
        return await self.once("log_tail", go)

    async def listeners(self):
        async def go():
            h = self.machine()
            if self._shared is None:
                return await h.listeners()
            key = f"listeners {h.identity}"
            if key not in self._shared:
                self._shared[key] = asyncio.ensure_future(h.listeners())
            return await asyncio.shield(self._shared[key])
        return await self.once("listeners", go)

    async def conf_file(self, rel: str) -> tuple[str, str]:
        """(path, text) of a file under the conf dir FreeSWITCH uses; the same paths the prefetch reads."""
        conf, _ = await self.conf_dir()
        if not conf:
            raise AccessError("FreeSWITCH conf dir not found")
        path = f"{conf.rstrip('/')}/{rel}"
        return path, await self.read(path)

    async def profile_config(self):
        """(path, parsed profile, vars) of the target's sofia profile, parsed once per run (ConfigError,
        AccessError or CheckTimeout when it cannot be read or parsed)."""
        async def go():
            _, vars_text = await self.conf_file("vars.xml")
            variables = await fsconfig.parse_async(fsconfig.parse_vars, vars_text, timeout=self.timeout)
            variables.setdefault("local_ip_v4", self.fs.host)
            candidates = await self._profile_files()
            for path, text in candidates:
                try:
                    prof = await fsconfig.parse_async(fsconfig.parse_profile, text, self.fs.profile, variables,
                                                      timeout=self.timeout)
                except ConfigError:
                    if len(candidates) == 1:
                        raise
                    continue     # another profile's file that does not parse is not this profile's problem
                if prof.name == self.fs.profile or len(candidates) == 1:
                    return path, prof, variables
            raise AccessError(f"no <profile name=\"{self.fs.profile}\"> in sip_profiles/*.xml")
        return await self.once("profile_config", go)

    async def _profile_files(self) -> list[tuple[str, str]]:
        """sip_profiles/<name>.xml; when there is none, every sip_profiles/*.xml (vanilla sofia.conf.xml includes
        them all, so the profile may live in 00_internal.xml), at most 40 of them."""
        try:
            return [await self.conf_file(f"sip_profiles/{self.fs.profile}.xml")]
        except AccessError as missing:
            conf, _ = await self.conf_dir()
            try:
                names = await self.machine().list_dir(f"{conf.rstrip('/')}/sip_profiles")
            except AccessError:
                raise missing from None
            found = []
            for name in [n for n in names if n.endswith(".xml")][:40]:
                try:
                    found.append(await self.conf_file(f"sip_profiles/{name}"))
                except AccessError:
                    continue
            if not found:
                raise missing from None
            return found

    async def read(self, path: str, tail: int | None = None) -> str:
        """A file on the FreeSWITCH host, read once per run: from the batch when it holds it, else on its own."""
        async def go():
            got = (await self.once("batch", self._batch)).get(path)
            if isinstance(got, Exception):
                raise got
            if got is not None:
                return got
            return await self.machine().read_file(path, tail=tail)
        return await self.once(f"file:{path}", go)

    def _conf_files(self) -> list[str]:
        return ["vars.xml", f"sip_profiles/{self.fs.profile}.xml", "autoload_configs/event_socket.conf.xml",
                "autoload_configs/acl.conf.xml"]

    async def _batch(self) -> dict:
        """The files every run reads, in one batch once their dirs are known: one exec (or /proc walk) in a container,
        one trip to a worker thread here. {} if the host cannot batch them (then each file is read on its own)."""
        h = self.machine()
        if not h.batches:
            return {}
        try:
            (conf, _), (certs, _), (log, _) = await asyncio.gather(self.conf_dir(), self.certs_dir(), self.log_file())
        except FsnbError:
            return {}
        want = {f"{conf.rstrip('/')}/{rel}": 0 for rel in self._conf_files()} if conf else {}
        if certs:
            want[f"{certs.rstrip('/')}/wss.pem"] = 0
        if log:
            want[log] = LOG_TAIL
        try:
            return await h.read_many(want) or {}
        except asyncio.TimeoutError:   # a stuck file (a hung mount): each read then gets its own deadline and message
            return {}

    def prefetch(self) -> None:
        """Start the slow reads every run needs, concurrently, before the checks ask for them."""
        for rel in self._conf_files()[:3]:
            _background(self.conf_file(rel))

        async def pem():
            if self.fs.certs_dir and not self.machine().batches:   # speculative (in a container: in the batch)
                _background(self.read(f"{self.fs.certs_dir.rstrip('/')}/wss.pem"))
            certs, _ = await self.certs_dir()
            if certs:
                await self.read(f"{certs.rstrip('/')}/wss.pem")
        for coro in (pem(), self.log_tail(), self.listeners(), self.esl_probe()):
            _background(coro)

    async def nginx_locations(self) -> list[nginxconf.ProxyLocation]:
        async def go():
            return await blocking.to_thread(nginxconf.parse, self.target.nginx.config)
        return await self.once("nginx", go)

    async def nginx_location(self) -> nginxconf.ProxyLocation | None:
        """The proxy_pass nginx uses for the target's nginx address (the first location of the server block that
        listens there), the one every check reads: None without any. ConfigError when the config is unreadable."""
        mine = nginxconf.serving(await self.nginx_locations(), self.target.nginx.address)
        return mine[0] if mine else None

    def close(self) -> None:
        if self._esl is not None:
            self._esl.close()
