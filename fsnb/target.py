"""The target: where FreeSWITCH, nginx and the tunnel are, loaded from TOML and checked key by key.

Secrets are never values in the file: `esl_password`/`sip.password` name a source
(`env:NAME`, `file:/path`, `prompt`); `Secret.reveal()` reads it when a check needs it.
"""
from __future__ import annotations

import dataclasses
import getpass
import os
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from . import files
from .errors import TargetError

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Secret:
    source: str = ""

    def __post_init__(self):
        if self.source and not self.source.startswith(("env:", "file:", "prompt")):
            raise TargetError(f"secret source {self.source!r}: use env:NAME, file:/path or prompt (never the value itself)")

    def __repr__(self) -> str:
        return f"Secret({self.source!r})"

    def __bool__(self) -> bool:
        return bool(self.source)

    def reveal(self) -> str:
        if self.source.startswith("env:"):
            name = self.source[4:]
            if name not in os.environ:
                raise TargetError(f"environment variable {name} (secret) is not set")
            return os.environ[name]
        if self.source.startswith("file:"):
            path = Path(self.source[5:]).expanduser()
            if REPO in path.resolve().parents:
                raise TargetError(f"secret file {path} lies inside the fsnb repository: keep secrets out of it")
            try:
                return files.read_text(path, limit=64 * 1024).strip()
            except OSError as exc:
                raise TargetError(f"secret file {path}: {exc.strerror}") from None
        if self.source == "prompt":
            typed = getattr(self, "_typed", None)
            if typed is None:
                raise TargetError("secret 'prompt' was not asked for (fsnb asks before the run starts)")
            return typed
        raise TargetError("no secret source configured")

    def ask(self, label: str, ask=None) -> None:
        """A `prompt` secret is asked for once, before the run: asked mid-run it would stall every check while the
        operator types. The value is kept on this object only (not a dataclass field: never serialised)."""
        if self.source != "prompt" or getattr(self, "_typed", None) is not None:
            return
        if ask is None:
            if not (sys.stdin and sys.stdin.isatty()):
                raise TargetError(f"{label} is 'prompt', but there is no terminal to ask on: use env:NAME or file:/path")
            ask = getpass.getpass
        try:
            value = ask(f"{label}: ")
        except (EOFError, KeyboardInterrupt):
            raise TargetError(f"{label}: nothing typed") from None
        except Exception as exc:   # e.g. a notebook run without stdin (papermill)
            raise TargetError(f"{label} is 'prompt', but it cannot be asked here ({type(exc).__name__})") from None
        object.__setattr__(self, "_typed", value)


@dataclass
class FreeSwitchTarget:
    container: str = "aidevelo-freeswitch"
    access: str = "auto"                 # auto | docker | local | esl
    docker_host: str = ""                # empty: DOCKER_HOST or the default socket
    host: str = "127.0.0.1"              # where FreeSWITCH's sockets are reached from here
    esl_port: int = 8021
    esl_password: Secret = field(default_factory=lambda: Secret("env:FSNB_ESL_PASSWORD"))
    profile: str = "internal"
    sip_port: int = 5060
    ws_port: int = 5066
    wss_port: int = 7443
    conf_dir: str = ""
    certs_dir: str = ""
    log_file: str = ""


@dataclass
class NginxTarget:
    address: str = "127.0.0.1:8082"
    config: str = "/etc/nginx/sites-enabled/freeswitch"
    error_log: str = ""


@dataclass
class TunnelTarget:
    config: str = "/etc/cloudflared/config.yml"
    hostname: str = "freeswitch.aidevelo.ai"
    public_url: str = "wss://freeswitch.aidevelo.ai/"
    connect: str = ""                    # host:port to dial instead of resolving the hostname
    ca_file: str = ""                    # extra CA trusted by the TLS checks
    standin: bool = False                # True: the lab's local stand-in for the Cloudflare edge


@dataclass
class SipTarget:
    user: str = "1000"
    password: Secret = field(default_factory=Secret)
    domain: str = ""


@dataclass
class Timeouts:
    check: float = 3.0
    connect: float = 2.0


@dataclass
class Target:
    name: str = "target"
    lab: str = ""                        # scenario name when this target is a lab
    freeswitch: FreeSwitchTarget = field(default_factory=FreeSwitchTarget)
    nginx: NginxTarget = field(default_factory=NginxTarget)
    tunnel: TunnelTarget = field(default_factory=TunnelTarget)
    sip: SipTarget = field(default_factory=SipTarget)
    timeouts: Timeouts = field(default_factory=Timeouts)
    secrets: list[str] = field(default_factory=list)   # extra secret sources to redact
    source: str = ""                     # the file it was loaded from

    def secret_values(self) -> list[str]:
        """Every configured secret that can be read now (for redaction); a prompted one once it was typed."""
        out = []
        for s in [self.freeswitch.esl_password, self.sip.password, *map(Secret, self.secrets)]:
            if s:
                try:
                    out.append(s.reveal())
                except TargetError:
                    pass
        return [v for v in out if v]

    def ask_secrets(self, ask=None) -> None:
        """Ask for every `prompt` secret now, once (see Secret.ask)."""
        self.freeswitch.esl_password.ask("ESL password", ask)
        self.sip.password.ask("SIP password", ask)

    def public(self) -> dict:
        """The target as shown in reports: secret *sources* only."""
        d = dataclasses.asdict(self)
        d["freeswitch"]["esl_password"] = self.freeswitch.esl_password.source
        d["sip"]["password"] = self.sip.password.source
        return d


def _build(cls, data: Any, where: str):
    if not isinstance(data, dict):
        raise TargetError(f"{where}: expected a table, got {type(data).__name__}")
    hints = get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in data.items():
        path = f"{where}.{key}" if where else key
        if key not in names or key == "source":
            raise TargetError(f"unknown key {path!r}")
        typ = hints[key]
        if typ is Secret:
            if not isinstance(value, str):
                raise TargetError(f"{path}: expected a secret source string")
            try:
                kwargs[key] = Secret(value)
            except TargetError as exc:
                raise TargetError(f"{path}: {exc}") from None
        elif dataclasses.is_dataclass(typ):
            kwargs[key] = _build(typ, value, path)
        elif typ is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TargetError(f"{path}: expected a number, got {value!r}")
            if value <= 0:
                raise TargetError(f"{path}: must be > 0")
            kwargs[key] = float(value)
        elif typ is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TargetError(f"{path}: expected an integer, got {value!r}")
            if key.endswith("port") and not 0 < value < 65536:
                raise TargetError(f"{path}: port {value} out of range")
            kwargs[key] = value
        elif typ is bool:
            if not isinstance(value, bool):
                raise TargetError(f"{path}: expected true/false, got {value!r}")
            kwargs[key] = value
        elif typ == list[str]:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise TargetError(f"{path}: expected a list of strings")
            kwargs[key] = value
        else:
            if not isinstance(value, str):
                raise TargetError(f"{path}: expected a string, got {value!r}")
            kwargs[key] = value
    obj = cls(**kwargs)
    if cls is FreeSwitchTarget and obj.access not in ("auto", "docker", "local", "esl"):
        raise TargetError(f"{where}.access: {obj.access!r} is not one of auto, docker, local, esl")
    return obj


def loads(text: str, source: str = "") -> Target:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TargetError(f"{source or 'target'}: not valid TOML ({exc})") from None
    target = _build(Target, data, "")
    target.source = source
    return target


def load(path: str | Path) -> Target:
    p = Path(path).expanduser()
    try:
        text = files.read_text(p, limit=1024 * 1024)
    except OSError as exc:
        raise TargetError(f"target file {p}: {exc.strerror}") from None
    return loads(text, str(p))


def dumps(target: Target) -> str:
    """TOML for a target (secret sources only)."""
    def emit(d: dict, prefix: str) -> list[str]:
        simple, tables = [], []
        for k, v in d.items():
            if isinstance(v, dict):
                tables.append((k, v))
            else:
                simple.append(f"{k} = {_toml(v)}")
        out = ([f"[{prefix}]"] if prefix else []) + simple
        for k, v in tables:
            out += [""] + emit(v, f"{prefix}.{k}" if prefix else k)
        return out
    d = target.public()
    d.pop("source", None)
    return "\n".join(emit(d, "")) + "\n"


def _toml(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
