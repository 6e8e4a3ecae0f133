"""nginx configuration: read the operator's (crossplane) and write the ones fsnb proposes or the lab runs."""
from __future__ import annotations

import glob
import os
import stat
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import crossplane

from fsnb.errors import ConfigError

MAX_CONFIG = 1024 * 1024     # each file: the one named in the target and every file it includes


@dataclass
class ProxyLocation:
    listen: list[str]
    server_name: list[str]
    path: str
    proxy_pass: str
    scheme: str
    host: str
    port: int
    http_version: str | None
    upgrade_header: str | None
    connection_header: str | None
    read_timeout: str | None
    ssl_verify: str | None
    file: str
    line: int
    directives: dict = field(default_factory=dict)
    upstream_name: str = ""                                         # the `upstream {}` group proxy_pass names
    upstream_servers: list[str] = field(default_factory=list)      # all its `server` addresses (host/port: the first)


def _hostport(netloc: str, what: str) -> tuple[str, int | None]:
    """Host and explicit port (None without one) of `host[:port]` or `[v6][:port]`."""
    try:   # urlsplit itself raises on a broken `[v6` host, .port on a bad port
        parts = urlsplit(f"//{netloc}")
        return parts.hostname or "", parts.port
    except ValueError:
        raise ConfigError(f"{what}: bad address or port") from None


def _upstreams(configs: list[dict]) -> dict[str, list[str]]:
    """`upstream NAME { server ADDR …; }` of every parsed file, by lower-case name (nginx matches the name
    case-insensitively; it refuses a duplicate, so the first wins). Only http context: a `stream {}` group is
    not one proxy_pass can name."""
    groups: dict[str, list[str]] = {}

    def walk(block):
        for d in block:
            name, args = d["directive"], d.get("args", [])
            if name == "upstream" and args:
                groups.setdefault(args[0].lower(), _servers(d.get("block", []), configs, set()))
            elif name == "http":
                walk(d.get("block", []))
    for conf in configs:
        walk(conf.get("parsed", []))
    return groups


def _servers(block: list[dict], configs: list[dict], seen: set[int]) -> list[str]:
    """The `server` addresses of an upstream block, also those of files it `include`s (each file once)."""
    out: list[str] = []
    for d in block:
        if d["directive"] == "server" and d.get("args"):
            out.append(d["args"][0])
        elif d["directive"] == "include":
            for i in d.get("includes", []):
                if isinstance(i, int) and 0 <= i < len(configs) and i not in seen:
                    seen.add(i)
                    out += _servers(configs[i].get("parsed", []), configs, seen)
    return out


def _server_port(group: str, addr: str) -> tuple[str, int]:
    """Host and port of an upstream `server`: 80 by default whatever proxy_pass's scheme (nginx's `server` in
    `upstream`); a unix socket keeps its path as host and port 0 — there is no port to compare."""
    if addr.lower().startswith("unix:"):
        return addr, 0
    host, port = _hostport(addr, f"upstream {group}: server {addr}")
    return host, port or 80


def _target(url: str, groups: dict[str, list[str]]) -> tuple[str, str, int, str, list[str]]:
    """scheme, host, port, upstream name and servers of a proxy_pass URL. A host naming an upstream group is
    resolved through the group's first server — not with an explicit port (nginx refuses a port on a group:
    'upstream … may not have port') and not when the host is a variable (known only at request time)."""
    scheme, _, rest = url.partition("://")
    netloc = rest.split("/", 1)[0]
    host, port = _hostport(netloc, f"proxy_pass {url}")
    servers = groups.get(host.lower()) if host and port is None and "$" not in netloc else None
    if servers:
        return (scheme, *_server_port(host, servers[0]), host, servers)
    return scheme, host, port or (443 if scheme == "https" else 80), "", []


MAX_FILES = 64                 # a config and what it includes
MAX_TOTAL = 4 * MAX_CONFIG


def _unreadable(path: str) -> str | None:
    """Why crossplane must not open `path` (a FIFO would block it forever, /dev/zero or a huge file would fill
    memory), or None."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return f"not readable: {exc.strerror}"
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file"
    if st.st_size > MAX_CONFIG:
        return f"larger than {MAX_CONFIG} bytes — not parsed"
    return None


def _parse_with_includes(path: str) -> dict:
    """crossplane's payload for `path` and the files it `include`s, as `crossplane.parse(single=False)` gives it
    (one entry per file; an include directive's `includes` index them) — but every file is crossplane-parsed
    alone (`single=True`) after fsnb checked it: a regular file, size-capped, at most MAX_FILES files and
    MAX_TOTAL bytes in all. crossplane itself would open whatever an include names."""
    config: list[dict] = []
    index: dict[str, int] = {}
    total = 0
    root_dir = os.path.dirname(os.path.abspath(path))

    def load(fname: str) -> int:
        nonlocal total
        if fname in index:
            return index[fname]
        if len(config) >= MAX_FILES:
            raise ConfigError(f"{path}: includes more than {MAX_FILES} files — not parsed")
        total += os.stat(fname).st_size
        if total > MAX_TOTAL:
            raise ConfigError(f"{path}: with its includes larger than {MAX_TOTAL} bytes — not parsed")
        entry = crossplane.parse(fname, catch_errors=True, single=True, comments=False, check_ctx=False)["config"][0]
        index[fname] = len(config)
        config.append(entry)
        for d in _directives(entry.get("parsed", [])):
            if d["directive"] != "include" or not d.get("args"):
                continue
            pattern = d["args"][0]
            pattern = pattern if os.path.isabs(pattern) else os.path.join(root_dir, pattern)
            names = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
            d["includes"] = []
            for name in names:
                problem = _unreadable(name)
                if problem:     # nginx itself would not start with it (`nginx -t`: open() failed)
                    raise ConfigError(f"{fname}:{d.get('line', 0)}: include {name}: {problem}")
                d["includes"].append(load(name))
        return index[fname]

    load(path)
    ok = all(not c.get("errors") for c in config)
    return {"status": "ok" if ok else "failed", "errors": [e for c in config for e in c.get("errors", [])],
            "config": config}


def _directives(block: list[dict]):
    for d in block:
        yield d
        yield from _directives(d.get("block", []))


def parse(path: str) -> list[ProxyLocation]:
    """Every `location` with a `proxy_pass`, with the WebSocket-relevant directives around it."""
    problem = _unreadable(path)
    if problem:
        raise ConfigError(f"{path}: nginx config {problem}")
    result = _parse_with_includes(path)
    if result.get("status") != "ok" and not result.get("config"):
        errors = "; ".join(e.get("error", "") for e in result.get("errors", []))
        raise ConfigError(f"{path}: nginx config not readable: {errors}")
    errors = [e for c in result["config"] for e in c.get("errors", [])]
    if errors and not any(c.get("parsed") for c in result["config"]):
        raise ConfigError(f"{path}: {errors[0].get('error')}")
    out: list[ProxyLocation] = []
    groups = _upstreams(result["config"])

    def walk(block, file, inherited, server):
        values = dict(inherited)
        for d in block:
            name, args = d["directive"], d.get("args", [])
            if name == "proxy_set_header" and len(args) >= 2:
                values.setdefault("headers", {})
                values["headers"] = {**values["headers"], args[0].lower(): args[1]}
            elif name in ("proxy_http_version", "proxy_read_timeout", "proxy_ssl_verify"):
                values[name] = args[0] if args else None
        for d in block:
            name, args = d["directive"], d.get("args", [])
            if name == "server":
                listens = [" ".join(x.get("args", [])) for x in d.get("block", []) if x["directive"] == "listen"]
                names = [a for x in d.get("block", []) if x["directive"] == "server_name" for a in x.get("args", [])]
                walk(d.get("block", []), file, values, {"listen": listens, "server_name": names})
            elif name in ("http", "location"):
                sub = dict(values)
                if name == "location":
                    sub["path"] = " ".join(args)
                walk(d.get("block", []), file, sub, server)
            elif name == "proxy_pass" and args:
                url = args[0]
                scheme, host, port, group, servers = _target(url, groups)
                headers = values.get("headers", {})
                out.append(ProxyLocation(
                    listen=(server or {}).get("listen", []), server_name=(server or {}).get("server_name", []),
                    path=values.get("path", "/"), proxy_pass=url, scheme=scheme, host=host, port=port,
                    http_version=values.get("proxy_http_version"), upgrade_header=headers.get("upgrade"),
                    connection_header=headers.get("connection"), read_timeout=values.get("proxy_read_timeout"),
                    ssl_verify=values.get("proxy_ssl_verify"), file=file, line=d.get("line", 0),
                    upstream_name=group, upstream_servers=list(servers)))

    for conf in result["config"]:
        walk(conf.get("parsed", []), conf.get("file", path), {}, None)
    return out


WILDCARD_HOSTS = ("", "*", "0.0.0.0", "::")
LOOPBACK_NAMES = {"localhost": ("127.0.0.1", "::1")}


def _listen_address(spec: str) -> tuple[str, int] | None:
    """(host, port) of a `listen` value: `8082`, `127.0.0.1:8082`, `[::1]:8082`, `*:8082`, `host` (port 80);
    None for a unix socket or an empty value."""
    first = spec.split()[0] if spec.split() else ""
    if not first or first.startswith("unix:"):
        return None
    if first.isdigit():
        return "", int(first)
    if first.startswith("["):
        host, _, rest = first[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else "80"
    elif ":" in first:
        host, _, port = first.rpartition(":")
    else:
        host, port = first, "80"
    return (host, int(port)) if port.isdigit() else None


def serving(locs: list[ProxyLocation], address: str) -> list[ProxyLocation]:
    """The locations of the server blocks that listen on `address` (host:port, the target's nginx): the same port,
    and the same host, a wildcard or localhost for a loopback address. All of them when none does (a config
    without `listen`, or the target names another address: the file's proxy_pass is still the best evidence)."""
    host, _, port = address.rpartition(":")
    host = host.strip("[]")

    def match(loc: ProxyLocation) -> bool:
        for spec in loc.listen:
            got = _listen_address(spec)
            if got and str(got[1]) == port and (got[0] in WILDCARD_HOSTS or got[0].strip("[]") == host
                                                or host in LOOPBACK_NAMES.get(got[0], ())):
                return True
        return False
    return [loc for loc in locs if match(loc)] or locs


def server_block(listen: str, upstream: str, *, upgrade_headers: bool = True, read_timeout: str = "3600s",
                 ssl_verify_off: bool = True, server_name: str | None = None, ssl: tuple[str, str] | None = None) -> str:
    """The WebSocket proxy block fsnb proposes (and the lab runs): HTTP/1.1, Upgrade/Connection, long read timeout."""
    lines = [f"    listen {listen}{' ssl' if ssl else ''};"]
    if server_name:
        lines.append(f"    server_name {server_name};")
    if ssl:
        lines += [f"    ssl_certificate {ssl[0]};", f"    ssl_certificate_key {ssl[1]};"]
    lines.append("    location / {")
    lines.append(f"        proxy_pass {upstream};")
    if upgrade_headers:
        lines += ["        proxy_http_version 1.1;", "        proxy_set_header Upgrade $http_upgrade;",
                  '        proxy_set_header Connection "upgrade";']
    lines.append("        proxy_set_header Host $host;")
    if upstream.startswith("https://") and ssl_verify_off:
        lines.append("        proxy_ssl_verify off;  # FreeSWITCH's wss.pem is often self-signed")
    lines.append(f"        proxy_read_timeout {read_timeout};  # sofia-sip sends no keepalives")
    lines.append("    }")
    return "server {\n" + "\n".join(lines) + "\n}\n"
