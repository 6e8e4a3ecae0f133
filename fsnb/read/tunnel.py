"""cloudflared's config.yml: whether cloudflared takes it, and which rule (service) the public URL matches."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from fsnb.errors import ConfigError
from fsnb.i18n import T


@dataclass
class Ingress:
    """config.yml's ingress as cloudflared would take it (fsnb's model; fsnb/read/cloudflared.py asks the real
    program where it is present, and tests/test_tunnel_model.py holds this model to its answers)."""
    rules: list[dict]
    service: str | None = None          # the service of the rule the public URL matches
    rule: int | None = None             # that rule's number (1-based, as cloudflared counts)
    catch_all: bool = False
    problems: list[T] = field(default_factory=list)   # what makes cloudflared refuse the config (it would not start)
    warnings: list[T] = field(default_factory=list)

    @property
    def invalid(self) -> str | None:
        """cloudflared's verdict in its own words, as fsnb's model predicts it (None: it validates)."""
        return self.problems[0].en if self.problems else None


MAX_CONFIG = 1024 * 1024


def parse(text: str, hostname: str, url_path: str = "/") -> Ingress:
    """The ingress of a cloudflared config.yml (size-capped; the safe loader with YAML 1.2 numbers), validated and
    matched the way cloudflared 2023.7 does it (ingress/ingress.go: validateIngress, FindMatchingRule): every rule
    needs a service; only the last rule may match everything and it must; no port in a hostname; a `*` only
    first; the first rule whose hostname (exact or `*.suffix`) and `path` regex match wins."""
    if len(text) > MAX_CONFIG:
        raise ConfigError(f"cloudflared config: {len(text)} characters, more than the {MAX_CONFIG} fsnb reads")
    data = _load(text)
    if not isinstance(data, dict):
        raise ConfigError("cloudflared config: top level is not a mapping")
    rules = data.get("ingress")
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise ConfigError("cloudflared config: `ingress` is missing or not a list of rules")
    ing = Ingress(rules)
    if not rules:
        ing.problems.append(T("die Konfiguration enthält keine Ingress-Regeln",
                              "The config file doesn't contain any ingress rules"))
        return ing
    for n, r in enumerate(rules, 1):
        problem = _rule_problem(r, n, len(rules))
        if problem:
            ing.problems.append(problem)
            return ing
    last = rules[-1]
    ing.catch_all = _catch_all(last)
    for n, r in enumerate(rules, 1):
        if _host_matches(str(r.get("hostname") or ""), hostname) and _path_matches(r.get("path"), url_path):
            ing.rule, ing.service = n, r["service"]
            break
    else:
        ing.rule, ing.service = len(rules), last["service"]
    return ing


def _catch_all(r: dict) -> bool:
    return str(r.get("hostname") or "") in ("", "*") and not r.get("path")


def _rule_problem(r: dict, n: int, total: int) -> T | None:
    svc, host = r.get("service"), r.get("hostname") or ""
    if not isinstance(svc, str) or not svc:
        return T(f"Regel #{n} hat keinen `service` als Text", f"Rule #{n} has no `service` string")
    if not isinstance(host, str):
        return T(f"Regel #{n}: `hostname` ist kein Text", f"Rule #{n}: `hostname` is not a string")
    if svc.startswith("http_status:"):
        code = svc[len("http_status:"):]
        if not (code.isascii() and code.isdigit() and 100 <= int(code[:4] or 0) <= 999 and len(code) <= 3):
            return T(f"ungültiger HTTP-Statuscode: {svc}", f"invalid HTTP status code: {svc}")
    elif not svc.startswith(("unix:", "unix+tls:", "hello_world", "hello-world", "socks-proxy", "bastion")):
        u = urlsplit(svc)
        if not u.scheme or not u.hostname:
            return T(f"{svc} ist keine gültige Adresse (Schema und Host fehlen)",
                     f"{svc} is an invalid address, please make sure it has a scheme and a hostname")
        if u.path:
            return T(f"{svc} ist ungültig: Ingress-Regeln leiten nicht auf einen anderen Pfad",
                     f"{svc} is an invalid address, ingress rules don't support proxying to a different path on the "
                     "origin service")
    if ":" in host.strip("[]") and host.rsplit(":", 1)[1].isdigit():
        return T("Hostname darf keinen Port enthalten", "Hostname cannot contain a port")
    if host.rfind("*") > 0:
        return T("ein `*` nur am Anfang des Hostnamens (*.example.com)", "Hostname patterns can have at most one "
                 "wildcard character (\"*\") and it can only be used for subdomains, e.g. \"*.example.com\"")
    last = n == total
    if last and not _catch_all(r):
        return T("die letzte Ingress-Regel muss alle URLs treffen (ohne hostname/path, z. B. "
                 "`- service: http_status:404`): cloudflared startet so nicht",
                 "The last ingress rule must match all URLs (i.e. it should not have a hostname or path filter)")
    if not last and _catch_all(r):
        return T(f"Regel #{n} trifft jeden Hostnamen ('{host}'): die Regeln danach greifen nie; cloudflared startet so "
                 "nicht", f"Rule #{n} is matching the hostname '{host}', but this will match every hostname, meaning "
                 "the rules which follow it will never be triggered.")
    path = r.get("path")
    if path is not None and not isinstance(path, str):    # str() of a list or mapping can be an alias bomb's size
        return T(f"Regel #{n}: `path` ist kein Text", f"Rule #{n}: `path` is not a string")
    if path:
        try:
            re.compile(str(path))
        except re.error:
            return T(f"Regel #{n} hat einen ungültigen regulären Ausdruck", f"Rule #{n} has an invalid regex")
    return None


def _host_matches(rule_host: str, host: str) -> bool:
    if rule_host in ("", "*") or rule_host == host:
        return True
    return rule_host.startswith("*.") and host.endswith(rule_host[1:])


def _path_matches(path, url_path: str) -> bool:
    if not path:
        return True
    try:        # Go's RE2 and Python's re agree on the patterns ingress rules use (anchors, classes, alternation)
        return re.search(str(path)[:1000], url_path) is not None
    except re.error:
        return False


_LOADER = None


def _loader():
    """PyYAML's safe loader (libyaml's when present) with YAML 1.2's core-schema numbers, as cloudflared reads its
    config (Go's yaml.v3): no YAML 1.1 sexagesimal `1:2:3` integers, whose conversion is quadratic (a 1 MiB one
    took 24 s), no `0b`/`_` forms. Everything else stays the safe loader's."""
    global _LOADER
    if _LOADER is None:
        import re

        import yaml
        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        resolvers = {k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
                     for k, v in base.yaml_implicit_resolvers.items()}
        cls = type("Yaml12Loader", (base,), {"yaml_implicit_resolvers": resolvers})
        cls.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
                                  list("-+0123456789"))
        cls.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
            list("-+.0123456789"))
        _LOADER = cls
    return _LOADER


def _load(text: str):
    """The YAML document (the safe loader, YAML 1.2 numbers: see _loader)."""
    import yaml
    try:
        data = yaml.load(text, Loader=_loader())  # noqa: S506 - a safe loader
        _expanded_size(data, MAX_NODES + len(text))
        return data
    except yaml.YAMLError as exc:
        raise ConfigError(f"cloudflared config is not valid YAML: {str(exc).splitlines()[0]}") from None
    except (UnicodeError, ValueError) as exc:   # libyaml encodes the text first
        raise ConfigError(f"cloudflared config is not readable text: {exc}") from None
    except RecursionError:
        raise ConfigError("cloudflared config: nested too deeply to read") from None


MAX_NODES = 100_000


def _expanded_size(data, cap: int) -> None:
    """Refuse a document whose aliases expand it beyond `cap` values ("billion laughs": 10 anchors of 10 aliases
    each are 10¹⁰ values to anyone who walks or prints the structure — `str()` of a rule's `path` did — though the
    loader builds them as shared references). Without aliases a document has fewer values than characters, so the
    cap (its length + MAX_NODES) refuses no honest file; cloudflared's yaml.v3 refuses such a document too
    ("excessive aliasing"). The walk counts a value each time it is reached and stops at the cap: bounded itself."""
    todo, seen = [data], 0
    while todo:
        v = todo.pop()
        seen += 1
        if seen > cap:
            raise ConfigError(f"cloudflared config: more than {cap} values once its aliases are expanded "
                              "(an alias bomb?) — not read")
        if isinstance(v, dict):
            todo.extend(v.keys())
            todo.extend(v.values())
        elif isinstance(v, list):
            todo.extend(v)


def service_target(service: str) -> tuple[str, str, int] | None:
    """`http://localhost:8082` -> ('http', 'localhost', 8082)."""
    parts = urlsplit(service)
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.hostname:
        return None
    try:
        port = parts.port or (443 if parts.scheme in ("https", "wss") else 80)
    except ValueError:
        return None
    return parts.scheme, parts.hostname, port
