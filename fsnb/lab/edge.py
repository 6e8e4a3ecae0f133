"""The lab's stand-in for the Cloudflare edge: an nginx server block that does with a request what cloudflared
would do with it, decided by cloudflared itself.

Carrying the public hop is the stand-in's job (cloudflared may not connect anywhere here, see
../shared/vendor/cloudflared/README.md), but *how* a request is routed is cloudflared's answer: `ingress validate`
and `ingress rule <public URL>` of the real program (fsnb/read/cloudflared.py), so the live public hop and the
config always agree. Without cloudflared on this machine fsnb's model of it (fsnb/read/tunnel.py) decides, and
`fsnb lab status` says so.
- the config does not validate: cloudflared does not start, the edge answers 530 (Cloudflare's "tunnel error");
- `http_status:N`: cloudflared answers N itself;
- `http(s)://host:port` (or ws/wss): proxied there with the scheme the rule names — TLS to the origin for https,
  verified against the system CAs unless the rule's originRequest says `noTLSVerify: true`, as cloudflared does.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fsnb.errors import ConfigError
from fsnb.read import cloudflared, nginxconf, tunnel

SYSTEM_CAS = "/etc/ssl/certs/ca-certificates.crt"


def route(config_yml: str, public_url: str, hostname: str) -> tuple[str, str | None, bool, str]:
    """(who decided, the service or None when the config is refused, noTLSVerify, cloudflared's reason if refused)."""
    try:
        ing = tunnel.parse(config_yml, hostname, urlsplit(cloudflared.request_url(public_url)).path or "/")
    except ConfigError as exc:     # not YAML, no `ingress:` list: cloudflared refuses it as well
        return "fsnb's reading of config.yml", None, False, str(exc)
    cf = cloudflared.judge(config_yml, public_url, timeout=10.0)
    if cf is not None:
        who, service, rule, reason = f"cloudflared {cf.version}", cf.service if cf.valid else None, cf.rule, cf.message
    else:
        who, service, rule, reason = "fsnb's model of cloudflared (no cloudflared build here)", \
            None if ing.invalid else ing.service, ing.rule, ing.invalid or ""
    no_verify = False
    if service and rule:      # the matched rule's originRequest, over the config's defaults
        import yaml
        doc = yaml.safe_load(config_yml) or {}
        opts = {**(doc.get("originRequest") or {}), **(ing.rules[rule - 1].get("originRequest") or {})}
        no_verify = bool(opts.get("noTLSVerify"))
    return who, service, no_verify, reason


def write(path: Path, config_yml: str, public_url: str, listen: str, hostname: str, cert: tuple[str, str]) -> str:
    """Write the stand-in's server block for this config; returns who decided the route."""
    who, service, no_verify, reason = route(config_yml, public_url, hostname)
    head = [f"    listen {listen} ssl;", f"    server_name {hostname};",
            f"    ssl_certificate {cert[0]};", f"    ssl_certificate_key {cert[1]};"]
    if service is None:
        body = [f"    # cloudflared refuses the config, the tunnel is down: {reason[:200]}".replace("\n", " "),
                "    location / { return 530; }"]
    elif service.startswith("http_status:"):
        body = [f"    location / {{ return {int(service.split(':', 1)[1])}; }}"]
    elif tunnel.service_target(service) is None:
        # tcp://, ssh://, unix:…: cloudflared streams bytes for `cloudflared access` clients only — a browser's
        # request never reaches the origin as HTTP
        body = [f"    # {service[:100]} is no HTTP origin: browsers get nothing through".replace("\n", " "),
                "    location / { return 502; }"]
    else:
        upstream = service.replace("://localhost:", "://127.0.0.1:").replace("wss://", "https://").replace("ws://", "http://")
        block = nginxconf.server_block(listen, upstream, server_name=hostname, ssl=cert, ssl_verify_off=no_verify)
        if upstream.startswith("https://") and not no_verify:
            block = block.replace("        proxy_set_header Host $host;\n",
                                  "        proxy_set_header Host $host;\n        proxy_ssl_verify on;\n"
                                  f"        proxy_ssl_trusted_certificate {SYSTEM_CAS};\n")
        path.write_text(f"# Stand-in for the Cloudflare edge, routed as {who} decides for {public_url}.\n" + block)
        return who
    path.write_text(f"# Stand-in for the Cloudflare edge, routed as {who} decides for {public_url}.\n"
                    + "server {\n" + "\n".join(head + body) + "\n}\n")
    return who
