"""The `hostile-target` scenario: a healthy lab whose target-side strings and files are what a compromised host
(or a careless one) would hand fsnb — markup, terminal escape sequences, `\\r`, `|`, huge and adversarial
files — planted into everything fsnb reads, so the rendering, terminal and timing tests run against the lab as
they would against such a host (issue #11). FreeSWITCH (the simulator) keeps working with every planted file:
only text it ignores is added (comments, CDATA, lines before no BEGIN at column 0, log lines).
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from fsnb import target as tgt

# each payload ran in Chromium before issue #11 (dialogs, document.title), or hijacked the terminal / Markdown
MARKUP = ['<img src=x onerror="alert(\'img\');document.title=\'pwned\'">', "<svg onload=alert('svg')>",
          "<script>alert('script');document.title='pwned'</script>", "<iframe src=javascript:alert('iframe')>",
          "![pixel](http://198.51.100.7/p.png)", "[click](javascript:alert('md'))"]
TERMINAL = ["\x1b]0;pwned-title\x07", "\x1b[2J\x1b[H", "\x1b[31mRED", "\x9b31m", "\u202egnp.exe"]
TABLE = ["a|b", "cr\rhere", "nl\nhere", "`tick`"]
ALL = MARKUP + TERMINAL + TABLE
PAYLOAD = " ".join(ALL)
MARKER = "fsnb-hostile"           # every planted string carries it, so a test can find where it was rendered
TARGET_NAME = f"fsnb lab: hostile-target {MARKUP[0]} {MARKUP[2]} | x"   # target file: no control chars allowed


def _log_lines() -> str:
    ts = _dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")
    out = []
    # the log check quotes the last 4 lines of this kind: one per group, and all of them together
    for group in (MARKUP, TERMINAL, TABLE, ALL):
        flat = " ".join(group).replace("\n", "\\n")   # one physical line each; \r stays raw inside it
        out.append(f"{ts} 0.00% [ERR] tport_tls.c:161 tls_log_errors() tport_wss_create_ssl_ctx: {MARKER} {flat}\n")
    return "".join(out)


def plant(lab_dir: Path, prefix: Path) -> None:
    """Plant the payloads into a lab that is up (called by lab.manager for scenarios with `hostile=True`)."""
    conf = prefix / "etc/freeswitch"
    # freeswitch.log: markup, escapes and \r in lines the log check quotes (tport_wss_create_ssl_ctx), plus noise
    with open(prefix / "var/log/freeswitch/freeswitch.log", "a", encoding="utf-8", newline="") as fh:
        fh.write(_log_lines())
    # internal.xml: a comment with markup, and ~100 KB of `<!--` inside CDATA (quadratic for the old comment regex)
    prof = conf / "sip_profiles/internal.xml"
    text = prof.read_text()
    cdata = "<![CDATA[" + "<!--" * 25000 + "]]>"
    value = _xml_attr(f"{MARKER} {PAYLOAD}")      # a commented-out param: its value is shown as evidence
    prof.write_text(text.replace("</profile>", f'  <!-- <param name="wss-binding" value={value}/> -->\n  {cdata}\n</profile>'))
    # wss.pem: ~336 KB of BEGIN lines FreeSWITCH/OpenSSL skip (not at column 0), after the key and chain
    pem = conf / "tls/wss.pem"
    with open(pem, "a") as fh:
        fh.write(f"# {MARKER} {PAYLOAD}\n" + " -----BEGIN CERTIFICATE-----\n" * 12000)
    # cloudflared config.yml: a comment and a second ingress rule (another hostname) carrying the payloads
    cfg = lab_dir / "cloudflared/config.yml"
    lines = cfg.read_text().splitlines()
    i = next(n for n, l in enumerate(lines) if l.startswith("- service: http_status:404"))
    esc = lambda s: s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") \
        .replace("\x1b", "\\e").replace("\x07", "\\a").replace("\x9b", "\\x9b").replace("\u202e", "\\u202e")
    # (in a header value: cloudflared refuses a service URL with control characters, and the healthy lab must stay
    # a config cloudflared accepts)
    lines[i:i] = [f"- hostname: {MARKER}.example", "  service: http://localhost:1", "  originRequest:",
                  f'    httpHostHeader: "{esc(PAYLOAD)}"']
    printable = " ".join(MARKUP + ["a|b", "`tick`"])     # YAML refuses raw control characters (so does cloudflared)
    cfg.write_text(f"# {MARKER} {printable}\n" + "\n".join(lines) + "\n")
    # nginx: a comment in the site file fsnb parses (nginx itself read it before)
    site = lab_dir / "nginx/sites/freeswitch.conf"
    # (no CR: nginx ends a comment at LF only, crossplane also at CR — then it misses the rest of the file)
    site.write_text(f"# {MARKER} {PAYLOAD.replace(chr(10), ' ').replace(chr(13), ' ')}\n" + site.read_text())
    # the target's own name (the target file refuses control characters, so: markup only)
    tf = lab_dir / "target.toml"
    t = tgt.loads(tf.read_text(), str(tf))
    t.name = TARGET_NAME
    tf.write_text(tgt.dumps(t))


def _xml_attr(s: str) -> str:
    """A quoted XML attribute value that parses back to `s` (as far as XML 1.0 allows: C0 controls become
    character references XML 1.0 refuses, so they are dropped; `--` cannot stand inside a comment)."""
    from xml.sax.saxutils import quoteattr
    s = "".join(c for c in s if c in "\t\n\r" or ord(c) >= 0x20).replace("--", "- -")
    return quoteattr(s).replace("\r", "&#13;").replace("\n", "&#10;")
