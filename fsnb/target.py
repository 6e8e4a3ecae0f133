"""The target: where FreeSWITCH, nginx and the tunnel are, loaded from TOML and checked key by key.

Secrets are never values in the file: `esl_password`/`sip.password` name a source
(`env:NAME`, `file:/path`, `prompt`); `Secret.reveal()` reads it when a check needs it.
"""
from __future__ import annotations

import dataclasses
import getpass
import ipaddress
import json
import math
import os
import re
import stat
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from fsnb.errors import TargetError
from fsnb.present import escape
from fsnb.read import files

REPO = Path(__file__).resolve().parents[1]

# Secrets shorter than this are refused: redaction masks every occurrence of a secret, and a 1-3 character
# value cannot be masked everywhere it occurs without mangling every text (nor left unmasked). See README.
MIN_SECRET = 4
MAX_SECRET = 1024
# [timeouts]: finite, and within what a runbook step can sensibly wait (an `inf` would let a tarpit hang the run)
TIMEOUT_MIN, TIMEOUT_MAX = 0.1, 300.0
REQUIRED_SECTIONS = ("freeswitch", "nginx", "tunnel")


class SecretInvalid(TargetError):
    """A secret's value cannot be used safely (control characters, too short); the message never holds it."""


def _secret_value_problem(value: str) -> str | None:
    """Why a secret value is unusable, without repeating it (or None). It goes into `auth <password>` on ESL and
    into SIP digests: a line break in it would end the frame and start a second command."""
    if any(escape._is_bad(c) for c in value):
        return "contains a control character (a line break would end the ESL frame)"
    if value != value.strip():
        return "starts or ends with white space"
    if len(value) < MIN_SECRET:
        return (f"is shorter than {MIN_SECRET} characters: too short to redact safely "
                "(fsnb refuses it rather than show it unmasked)")
    if len(value) > MAX_SECRET:
        return f"is longer than {MAX_SECRET} characters"
    return None


# A target file names where its secrets come from; it is not trusted to make fsnb read any other secret and send
# it to the hosts the target names (README "What a target file is trusted to do").
_SYSTEM_ENV = {"PATH", "HOME", "USER", "LOGNAME", "SHELL", "PWD", "OLDPWD", "TERM", "LANG", "DISPLAY", "MAIL",
               "SSH_AUTH_SOCK", "SSH_CONNECTION", "DOCKER_HOST", "PYTHONPATH", "VIRTUAL_ENV", "HOSTNAME"}
_CREDENTIAL_ENV = re.compile(r"(AWS|AZURE|GOOGLE|GCP|GITHUB|GH|GITLAB|NPM|PYPI|TWINE|DOCKER|VAULT|OPENAI|ANTHROPIC|"
                             r"HF|HUGGING_FACE|SLACK|STRIPE|CLOUDFLARE|CF|DIGITALOCEAN|HEROKU|PG|MYSQL)_[A-Z0-9_]*|"
                             r"DATABASE_URL|PGPASSWORD|MYSQL_PWD|[A-Z0-9_]*_?(API_KEY|ACCESS_KEY|SECRET_KEY|TOKEN)")
_CREDENTIAL_DIRS = (".ssh", ".aws", ".gnupg", ".kube", ".docker", ".azure", ".config/gcloud", ".config/gh")
_CREDENTIAL_FILES = {"shadow", "gshadow", ".netrc", ".pgpass", ".git-credentials", ".my.cnf", "id_rsa", "id_dsa",
                     "id_ecdsa", "id_ed25519", "credentials", ".htpasswd", "master.key"}


def _source_problem(source: str) -> str | None:
    """Why a secret source is not plausible for an ESL or SIP password (or None): an environment variable of the
    system or of another service's credentials, a well-known credential file, or a file another user could read
    or write."""
    if source.startswith("env:"):
        name = source[4:]
        if name in _SYSTEM_ENV or name.startswith("LC_"):
            return f"{name} is a system variable, not a password you set for fsnb"
        if _CREDENTIAL_ENV.fullmatch(name) and not name.startswith("FSNB_"):
            return (f"{name} is another service's credential by its name; put the ESL/SIP password in a variable "
                    "of its own (e.g. FSNB_ESL_PASSWORD)")
        return None
    if not source.startswith("file:"):
        return None
    path = Path(source[5:]).expanduser()
    try:
        real = path.resolve()
        st = os.stat(real)
    except (OSError, RuntimeError):
        return None                           # reading it says why (missing, unreadable)
    if REPO in real.parents:
        return f"{path} lies inside the fsnb repository: keep secrets out of it"
    home = Path.home().resolve()
    if real.name in _CREDENTIAL_FILES or any(home / d in real.parents for d in _CREDENTIAL_DIRS):
        return f"{real} is a well-known credential file, not an ESL/SIP password file"
    if not stat.S_ISREG(st.st_mode):
        return None                           # a FIFO or device: reading it says so
    if st.st_uid != os.geteuid():
        return f"the file is owned by uid {st.st_uid}, not by you (uid {os.geteuid()})"
    if st.st_mode & 0o077:
        return f"the file is readable or writable by others (mode {stat.S_IMODE(st.st_mode):o}): chmod 600 {path}"
    return None


@dataclass(frozen=True)
class Secret:
    source: str = ""

    def __post_init__(self):
        # the message never repeats the string: it is likely the password itself, typed into the file
        if self.source and not (self.source == "prompt" or re.fullmatch(r"env:[A-Za-z_][A-Za-z0-9_]*", self.source)
                                or (self.source.startswith("file:") and len(self.source) > 5
                                    and not escape.has_controls(self.source))):
            raise TargetError("not a secret source: use env:NAME, file:/path or prompt — never the value itself "
                              "(the value given is not repeated here)")

    def __repr__(self) -> str:
        return f"Secret({self.source!r})"

    def __bool__(self) -> bool:
        return bool(self.source)

    def reveal(self) -> str:
        """The secret's value, checked (see _secret_value_problem and _source_problem); errors name the source,
        never the value."""
        problem = _source_problem(self.source)
        if problem:
            raise SecretInvalid(f"secret from {self.source}: {problem}")
        value = self._reveal()
        problem = _secret_value_problem(value)
        if problem:
            raise SecretInvalid(f"secret from {self.source}: the value {problem}")
        return value

    def _reveal(self) -> str:
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
        problem = _secret_value_problem(value or "")
        if problem:
            raise SecretInvalid(f"{label}: the typed value {problem}")
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


MEDIA_CLIENTS = ("host", "lan", "internet")


@dataclass
class MediaTarget:
    """Step 5: where the browsers call from and what they call."""
    echo: str = "9196"                   # an extension that answers and echoes (vanilla dialplan: 9196)
    client: str = "internet"             # where the browsers are: host (this machine) | lan | internet
    turn: str = ""                       # the TURN server the browsers are given (turn:host:port), "" for none
    turn_user: str = ""
    turn_password: Secret = field(default_factory=Secret)   # a source (env:/file:/prompt), like the others
    listen: float = 1.0                  # seconds of audio once DTLS is up


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
    media: MediaTarget = field(default_factory=MediaTarget)
    timeouts: Timeouts = field(default_factory=Timeouts)
    secrets: list[str] = field(default_factory=list)   # extra secret sources to redact
    source: str = ""                     # the file it was loaded from

    def secret_values(self) -> list[str]:
        """Every configured secret that can be read now (for redaction); a prompted one once it was typed."""
        out = []
        for s in [self.freeswitch.esl_password, self.sip.password, self.media.turn_password, *map(Secret, self.secrets)]:
            if s:
                try:
                    out.append(s._reveal())    # unchecked: even a value refused for use is still redacted
                except TargetError:
                    pass
        return [v for v in out if v]

    def ask_secrets(self, ask=None) -> None:
        """Ask for every `prompt` secret now, once (see Secret.ask)."""
        self.freeswitch.esl_password.ask("ESL password", ask)
        self.sip.password.ask("SIP password", ask)
        self.media.turn_password.ask("TURN password", ask)

    def check_secrets(self) -> None:
        """Refuse (TargetError, exit 2) a configured secret whose value is unusable — before anything connects.
        A secret that cannot be read yet (env not set, prompt not asked) is left to the check that needs it."""
        for key, s in (("freeswitch.esl_password", self.freeswitch.esl_password), ("sip.password", self.sip.password),
                       ("media.turn_password", self.media.turn_password),
                       *((f"secrets[{i}]", Secret(x)) for i, x in enumerate(self.secrets))):
            if not s or (s.source == "prompt" and getattr(s, "_typed", None) is None):
                continue
            try:
                s.reveal()
            except SecretInvalid as exc:
                raise TargetError(f"{key}: {exc}") from None
            except TargetError:
                pass

    def public(self) -> dict:
        """The target as shown in reports: secret *sources* only."""
        d = dataclasses.asdict(self)
        d["freeswitch"]["esl_password"] = self.freeswitch.esl_password.source
        d["sip"]["password"] = self.sip.password.source
        d["media"]["turn_password"] = self.media.turn_password.source
        return d


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")          # sofia profile, Docker container
_HOSTNAME = re.compile(r"(?=.{1,253}\.?$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?")
_SIP_USER = re.compile(r"[A-Za-z0-9_.!~*'()&=+$,;?/-]{1,64}")       # RFC 3261 user part, unescaped
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[!-~]{1,2000}")          # printable ASCII, no space
_TURN = re.compile(r"turns?:[A-Za-z0-9_.\-\[\]:]{1,260}(\?transport=(udp|tcp))?")
_DOCKER_HOST = re.compile(r"((unix|tcp|ssh|npipe)://[!-~]{0,1000})?")


def _host_ok(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip("[]"))
        return True
    except ValueError:
        return bool(_HOSTNAME.fullmatch(value))


def netloc(host: str, port: int) -> str:
    """`host:port` for a URL or a message: an IPv6 address in brackets (`[::1]:7443`), given with or without them."""
    bare = host.strip("[]")
    return f"[{bare}]:{port}" if ":" in bare else f"{host}:{port}"


def _hostport_ok(value: str) -> bool:
    host, sep, port = value.rpartition(":")
    # ASCII digits only: str.isdigit() also accepts '²³', which int() refuses
    return (bool(sep) and port.isascii() and port.isdigit() and len(port) <= 5 and 0 < int(port) < 65536
            and (host == "" or _host_ok(host)))


# Every value that goes into an ESL command, a SIP message, a URL or a socket address is held to the charset
# of that argument when the target is loaded: FreeSWITCH splits ESL arguments at spaces and a line break ends
# the command, so anything else could smuggle a second command (`sofia profile internal stop`) into a read.
_CHARSETS: dict[str, tuple] = {
    "lab": (lambda v: v == "" or _NAME.fullmatch(v), "a scenario name (letters, digits, '_.-') or \"\""),
    "freeswitch.profile": (_NAME.fullmatch, "a sofia profile name: letters, digits, '_', '.', '-' (max 64)"),
    "freeswitch.container": (lambda v: v == "" or _NAME.fullmatch(v), "a Docker container name (letters, digits, '_.-') or \"\""),
    "freeswitch.host": (_host_ok, "an IP address or host name"),
    "freeswitch.docker_host": (_DOCKER_HOST.fullmatch, "a Docker host URL (unix://, tcp://, ssh://) or \"\""),
    "nginx.address": (_hostport_ok, "host:port"),
    "tunnel.hostname": (_host_ok, "a host name"),
    "tunnel.public_url": (_URL.fullmatch, "a URL (wss://host/…) without spaces or control characters"),
    "tunnel.connect": (lambda v: v == "" or _hostport_ok(v), "host:port or \"\""),
    "sip.user": (_SIP_USER.fullmatch, "a SIP user part (letters, digits, -_.!~*'()&=+$,;?/)"),
    "sip.domain": (lambda v: v == "" or _host_ok(v), "a host name or IP address, or \"\""),
    "media.turn_user": (lambda v: v == "" or _SIP_USER.fullmatch(v), "a TURN user name (letters, digits, -_.…) or \"\""),
    "media.echo": (_SIP_USER.fullmatch, "a SIP user part (the extension to call, e.g. 9196)"),
    "media.client": (lambda v: v in MEDIA_CLIENTS, "one of " + ", ".join(MEDIA_CLIENTS)),
    "media.turn": (lambda v: v == "" or _TURN.fullmatch(v), "a TURN URI (turn:host:port or turns:host:port) or \"\""),
}
_FLOAT_RANGES = {"timeouts.check", "timeouts.connect"}


def check_timeout(value, where: str) -> float:
    """A timeout: a finite number of seconds within [TIMEOUT_MIN, TIMEOUT_MAX] (also for --timeout)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TargetError(f"{where}: expected a number of seconds, got {type(value).__name__}")
    try:
        finite = math.isfinite(value)
    except OverflowError:        # an integer beyond any float (`check = 1` and 400 zeros)
        finite = False
    if not finite:
        raise TargetError(f"{where}: must be a finite number of seconds within {TIMEOUT_MIN}–{TIMEOUT_MAX}")
    if not TIMEOUT_MIN <= value <= TIMEOUT_MAX:
        raise TargetError(f"{where}: {str(value)[:20]} is out of range ({TIMEOUT_MIN}–{TIMEOUT_MAX} s)")
    return float(value)


def _finite(value) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _check_string(path: str, value: str) -> None:
    if escape.has_controls(value):
        raise TargetError(f"{path}: contains a control character (line break, ESC, …); not allowed in a target value")
    if len(value) > 4096:
        raise TargetError(f"{path}: longer than 4096 characters")
    rule = _CHARSETS.get(path)
    if rule and not rule[0](value):
        raise TargetError(f"{path}: {escape.terminal(value[:80])!r} is not {rule[1]}")


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
            if path in _FLOAT_RANGES:
                kwargs[key] = check_timeout(value, path)
            elif not _finite(value) or value <= 0:
                raise TargetError(f"{path}: must be a finite number > 0")
            elif path == "media.listen" and not 0.1 <= value <= 10:
                raise TargetError(f"{path}: {str(value)[:20]} is out of range (0.1–10 s of audio)")
            else:
                kwargs[key] = float(value)
        elif typ is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TargetError(f"{path}: expected an integer, got {value!r}")
            if key.endswith("port") and not 0 < value < 65536:
                raise TargetError(f"{path}: not a TCP port (1–65535)")
            kwargs[key] = value
        elif typ is bool:
            if not isinstance(value, bool):
                raise TargetError(f"{path}: expected true/false, got {value!r}")
            kwargs[key] = value
        elif typ == list[str]:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise TargetError(f"{path}: expected a list of strings")
            for i, v in enumerate(value):
                try:
                    Secret(v)
                except TargetError as exc:
                    raise TargetError(f"{path}[{i}]: {exc}") from None
            kwargs[key] = value
        else:
            if not isinstance(value, str):
                raise TargetError(f"{path}: expected a string, got {type(value).__name__}")
            _check_string(path, value)
            kwargs[key] = value
    obj = cls(**kwargs)
    if cls is FreeSwitchTarget and obj.access not in ("auto", "docker", "local", "esl"):
        raise TargetError(f"{where}.access: {obj.access!r} is not one of auto, docker, local, esl")
    return obj


def loads(text: str, source: str = "", partial: bool = False) -> Target:
    """A target from TOML. Sections [freeswitch], [nginx] and [tunnel] are required (an empty file is an error,
    not a run against the built-in defaults); `partial=True` fills missing ones with the defaults (tests)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TargetError(f"{source or 'target'}: not valid TOML ({exc})") from None
    except ValueError:           # tomllib lets int() refuse a number of more than 4300 digits
        raise TargetError(f"{source or 'target'}: not valid TOML (a number with too many digits)") from None
    except RecursionError:       # arrays or inline tables nested thousands deep
        raise TargetError(f"{source or 'target'}: not valid TOML (nested too deeply)") from None
    target = _build(Target, data, "")
    if not partial:
        missing = [s for s in REQUIRED_SECTIONS if s not in data]
        if missing:
            raise TargetError(f"{source or 'target'}: missing section{'s' if len(missing) > 1 else ''} "
                              + ", ".join(f"[{m}]" for m in missing)
                              + (" (the file is empty)" if not data else "") + " — fsnb does not guess a deployment")
    target.source = source
    return target


def load(path: str | Path) -> Target:
    """A target file; relative paths resolve against the caller's working directory. Secrets whose values are
    unusable (control characters, too short) are refused here, naming the key."""
    p = Path(path).expanduser().absolute()
    try:
        text = files.read_text(p, limit=1024 * 1024)
    except OSError as exc:
        raise TargetError(f"target file {p}: {exc.strerror}") from None
    t = loads(text, str(p))
    t.check_secrets()
    return t


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
    # a TOML basic string: JSON's escapes (\\n, \\", \\uXXXX for controls) are TOML's too; DEL must be escaped
    return json.dumps(str(v), ensure_ascii=False).replace("\x7f", "\\u007f")
