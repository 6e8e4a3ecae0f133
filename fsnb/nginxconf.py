"""nginx configuration: read the operator's (crossplane) and write the ones fsnb proposes or the lab runs."""
from __future__ import annotations

import os
import stat
from dataclasses import field
from urllib.parse import urlsplit

import crossplane

from .record import record
from .errors import ConfigError


MAX_CONFIG = 1024 * 1024     # the file named in the target (crossplane reads `include`d files itself)


@record
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


def _port(scheme: str, netloc: str) -> tuple[str, int]:
    parts = urlsplit(f"{scheme}://{netloc}")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"proxy_pass {scheme}://{netloc}: bad port") from None
    return parts.hostname or "", port or (443 if scheme == "https" else 80)


def parse(path: str) -> list[ProxyLocation]:
    """Every `location` with a `proxy_pass`, with the WebSocket-relevant directives around it."""
    try:   # crossplane would block forever on a FIFO named as the config (included files: see README)
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise ConfigError(f"{path}: nginx config not readable: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise ConfigError(f"{path}: nginx config is not a regular file")
    if os.stat(path).st_size > MAX_CONFIG:
        raise ConfigError(f"{path}: nginx config larger than {MAX_CONFIG} bytes — not parsed")
    result = crossplane.parse(path, catch_errors=True, single=False, comments=False, check_ctx=False)
    if result.get("status") != "ok" and not result.get("config"):
        errors = "; ".join(e.get("error", "") for e in result.get("errors", []))
        raise ConfigError(f"{path}: nginx config not readable: {errors}")
    errors = [e for c in result["config"] for e in c.get("errors", [])]
    if errors and not any(c.get("parsed") for c in result["config"]):
        raise ConfigError(f"{path}: {errors[0].get('error')}")
    out: list[ProxyLocation] = []

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
                scheme, _, rest = url.partition("://")
                host, port = _port(scheme, rest.split("/", 1)[0])
                headers = values.get("headers", {})
                out.append(ProxyLocation(
                    listen=(server or {}).get("listen", []), server_name=(server or {}).get("server_name", []),
                    path=values.get("path", "/"), proxy_pass=url, scheme=scheme, host=host, port=port,
                    http_version=values.get("proxy_http_version"), upgrade_header=headers.get("upgrade"),
                    connection_header=headers.get("connection"), read_timeout=values.get("proxy_read_timeout"),
                    ssl_verify=values.get("proxy_ssl_verify"), file=file, line=d.get("line", 0)))

    for conf in result["config"]:
        walk(conf.get("parsed", []), conf.get("file", path), {}, None)
    return out


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
