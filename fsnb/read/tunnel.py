"""cloudflared's config.yml: which service the public hostname maps to, and the catch-all rule."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from fsnb.errors import ConfigError
from fsnb.i18n import T


@dataclass
class Ingress:
    rules: list[dict]
    service: str | None = None          # service for the hostname
    catch_all: bool = False
    problems: list[T] = field(default_factory=list)
    warnings: list[T] = field(default_factory=list)


MAX_CONFIG = 1024 * 1024


def parse(text: str, hostname: str) -> Ingress:
    """The ingress of a cloudflared config.yml (size-capped; libyaml's safe loader; aliases are never expanded
    into strings: a `service` that is not a string is reported, not str()-ed)."""
    if len(text) > MAX_CONFIG:
        raise ConfigError(f"cloudflared config: {len(text)} characters, more than the {MAX_CONFIG} fsnb reads")
    data = _load(text)
    if not isinstance(data, dict):
        raise ConfigError("cloudflared config: top level is not a mapping")
    rules = data.get("ingress")
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise ConfigError("cloudflared config: `ingress` is missing or not a list of rules")
    ing = Ingress(rules)
    for r in rules:
        if r.get("hostname") == hostname and ing.service is None:
            svc = r.get("service", "")
            if not isinstance(svc, str):
                ing.problems.append(T(f"die Ingress-Regel für {hostname} hat einen `service`, der kein Text ist",
                                     f"the ingress rule for {hostname} has a `service` that is not a string"))
                svc = ""
            ing.service = svc
    last = rules[-1] if rules else {}
    ing.catch_all = bool(rules) and "hostname" not in last and "path" not in last and "service" in last
    if not ing.catch_all:
        ing.warnings.append(T("die letzte Ingress-Regel ist kein Catch-all (`- service: http_status:404`); cloudflared lehnt "
                               "so eine Konfiguration ab", "the last ingress rule is not a catch-all "
                               "(`- service: http_status:404`); cloudflared refuses such a config"))
    if ing.service is None:
        ing.problems.append(T(f"keine Ingress-Regel für {hostname}", f"no ingress rule for {hostname}"))
    return ing


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
        return yaml.load(text, Loader=_loader())  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ConfigError(f"cloudflared config is not valid YAML: {str(exc).splitlines()[0]}") from None
    except (UnicodeError, ValueError) as exc:   # libyaml encodes the text first
        raise ConfigError(f"cloudflared config is not readable text: {exc}") from None
    except RecursionError:
        raise ConfigError("cloudflared config: nested too deeply to read") from None


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
