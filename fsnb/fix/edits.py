"""The smallest change to the operator's own files, as text (fsnb/fix/plan.py decides which): a param of
FreeSWITCH's XML, a directive of an nginx block, the ingress rules of a cloudflared config, a wss.pem rebuilt from
the key and certificates at hand. Each keeps everything else of the file byte for byte; nothing here writes.

What a refusal or a step says is a `T` (fsnb/i18n.py): German and English from one declaration, shown in the
operator's language; a command, a path or a file's name inside it is the same in both.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from fsnb.errors import FsnbError
from fsnb.i18n import T, same
from fsnb.read import files


class FixRefused(FsnbError):
    """A fix fsnb will not apply (symlinked/unreadable target, file changed since it was read, ...): nothing changed.
    `text` says why in both languages; `str()` is its English (the journal's, the JSON's, an exception's match)."""

    def __init__(self, text: T):
        super().__init__(text.en)
        self.text = text


def commented(command: str, note: T) -> T:
    """An operator's step: the exact command (the same in both languages), then `# note` in the reader's language."""
    return T(f"{command}   # {note.de}", f"{command}   # {note.en}")


# the new text goes in by rename, which replaces this name only: the other names would keep the old text — and a
# name linked to a file the attacker could not read (/etc/shadow) would put its lines into the diff
HARDLINK = T("{path} hat {n} harte Links: fsnb ersetzt Dateien per rename, das würde diesen Namen von den anderen "
             "trennen — ändern Sie sie selbst",
             "{path} has {n} hard links: fsnb replaces files by rename, which would cut this name off the others — "
             "edit it yourself")


def read_for_edit(path: str, where: tuple[str, str] | None = None) -> tuple[bytes, int]:
    """The bytes and mode of a file fsnb may edit: a regular file, not a symlink, readable. FixRefused otherwise.
    `where`: (container, docker_host) when the file is inside a container."""
    if where is not None and not where[0]:
        raise FixRefused(T(f"{path}: fsnb erreicht dieses FreeSWITCH nur über ESL (access 'esl') und liest keine "
                           "seiner Dateien — ändern Sie sie selbst",
                           f"{path}: fsnb reaches this FreeSWITCH over ESL only (access 'esl') and reads none of its "
                           "files — edit it yourself"))
    if where:
        from fsnb.fix.container import ContainerFiles
        data, mode, _, _ = ContainerFiles(*where).read(path)
        return data, mode
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise FixRefused(T(f"{path}: existiert nicht", f"{path}: does not exist")) from None
    except OSError as exc:
        raise FixRefused(same(f"{path}: {exc.strerror}")) from None
    refuse_unless_editable(st, path)
    return read_capped(path, lambda limit: files.read_bytes(path, limit=limit)), stat.S_IMODE(st.st_mode)


def refuse_unless_editable(st: os.stat_result, path: str, single_link: bool = True) -> None:
    """FixRefused unless `st` (an lstat) is a regular file fsnb may replace: no symlink, and (`single_link`) no
    other hard link the rename would cut off."""
    if stat.S_ISLNK(st.st_mode):
        raise FixRefused(T(f"{path} ist ein symbolischer Link: fsnb ändert nicht über Links — ändern Sie die Datei, "
                           "auf die er zeigt, selbst",
                           f"{path} is a symlink: fsnb does not edit through links — edit the file it points to yourself"))
    if not stat.S_ISREG(st.st_mode):
        raise FixRefused(T(f"{path} ist keine reguläre Datei", f"{path} is not a regular file"))
    if single_link and st.st_nlink > 1:
        raise FixRefused(HARDLINK.format(path=path, n=st.st_nlink))


def read_capped(path: str, read) -> bytes:
    """`read(limit=…)`'s bytes, or FixRefused. One byte past the cap is asked for: read_bytes stops at its limit,
    so a file that grew after its fstat (or a /proc file that says 0 bytes) would come back cut — and be written
    back cut, with the edit."""
    try:
        data = read(files.MAX_FILE + 1)
    except OSError as exc:
        raise FixRefused(T(f"{path}: nicht lesbar ({exc.strerror or exc})",
                           f"{path}: unreadable ({exc.strerror or exc})")) from None
    if len(data) > files.MAX_FILE:
        raise FixRefused(T(f"{path}: mehr als die {files.MAX_FILE} Bytes, die fsnb ändert (beim Lesen gewachsen?)",
                           f"{path}: more than the {files.MAX_FILE} bytes fsnb edits (it grew while read?)"))
    return data



# -- text edits: the smallest change to the operator's own file ---------------------------------------------------

def _param_re(name: str) -> re.Pattern:
    return re.compile(r'<param\s+name="' + re.escape(name) + r'"\s+value="([^"]*)"\s*/>')


def _verbatim(text: str, kinds: tuple[tuple[str, str], ...] = (("<!--", "-->"), ("<![CDATA[", "]]>"))) \
        -> list[tuple[int, int]]:
    """The (start, end) of every comment / CDATA section, as `<!--.*?-->|<!\\[CDATA\\[.*?\\]\\]>` would find them — in
    linear time: that regex retries from every unterminated `<!--` to the end of the text (40,000 of them, 160 KB:
    60 s; a 4 MiB file: hours). Once a kind has no terminator after one start, it has none after a later one."""
    out, pos = [], 0
    nxt = {o: text.find(o) for o, _ in kinds}          # the next start of each kind at or after pos
    close = dict(kinds)
    while nxt:
        for o in list(nxt):
            if 0 <= nxt[o] < pos:
                nxt[o] = text.find(o, pos)
            if nxt[o] < 0:
                del nxt[o]
        if not nxt:
            break
        o = min(nxt, key=nxt.get)
        i = nxt[o]
        e = text.find(close[o], i + len(o))
        if e < 0:
            del nxt[o]
            continue
        pos = e + len(close[o])
        out.append((i, pos))
    return out


def _comments(text: str) -> list[tuple[int, int]]:
    return _verbatim(text, (("<!--", "-->"),))


def _inside(spans: list[tuple[int, int]]):
    """pos -> whether it lies in one of the sorted, disjoint spans (bisect: a test per param was quadratic)."""
    import bisect
    starts = [a for a, _ in spans]

    def test(pos: int) -> bool:
        k = bisect.bisect_right(starts, pos) - 1
        return k >= 0 and pos < spans[k][1]
    return test


def active_param(text: str, name: str) -> str | None:
    """The value of the last `<param name=NAME …/>` outside comments (the one FreeSWITCH takes), as written."""
    inside = _inside(_comments(text))
    found = [m.group(1) for m in _param_re(name).finditer(text) if not inside(m.start())]
    return found[-1] if found else None


_PRE_SET = re.compile(r'<X-PRE-PROCESS\s+cmd="set"\s+data="([A-Za-z0-9_]{1,64})=([^"]*)"\s*/>')


def pre_process_var(text: str, name: str) -> str | None:
    """vars.xml: the value the last active `<X-PRE-PROCESS cmd="set" data="NAME=…"/>` gives, as written."""
    inside = _inside(_comments(text))
    found = [m.group(2) for m in _PRE_SET.finditer(text) if m.group(1) == name and not inside(m.start())]
    return found[-1] if found else None


def set_pre_process_var(text: str, name: str, value: str) -> str:
    """vars.xml with the last active `set` of NAME given VALUE (the one FreeSWITCH ends up with)."""
    inside = _inside(_comments(text))
    found = [m for m in _PRE_SET.finditer(text) if m.group(1) == name and not inside(m.start())]
    if not found:
        raise FixRefused(T(f"vars.xml setzt kein {name}", f"vars.xml sets no {name}"))
    m = found[-1]
    return text[:m.start()] + f'<X-PRE-PROCESS cmd="set" data="{name}={value}"/>' + text[m.end():]


def set_param(text: str, name: str, value: str, after_param: str = "ws-binding") -> str:
    """internal.xml / event_socket.conf.xml with exactly one active `<param name=NAME value=VALUE/>`: the last
    active one changed (extra active ones removed: the last one wins in FreeSWITCH), else a commented-out one
    uncommented, else a new line after `after_param` (or before </settings>)."""
    pat = _param_re(name)
    spans = _comments(text)
    inside = _inside(spans)
    active = [m for m in pat.finditer(text) if not inside(m.start())]
    newp = f'<param name="{name}" value="{value}"/>'
    if active:
        last = active[-1]
        # drop the earlier duplicates, whole line, in one pass (cutting the text once per duplicate was quadratic:
        # 90,000 duplicates in a 4 MiB file took 12 s); a duplicate on the last one's line goes alone
        pieces, pos = [], 0
        for m in active[:-1]:
            ls = text.rfind("\n", 0, m.start()) + 1
            le = text.find("\n", m.end())
            le = len(text) if le < 0 else le + 1
            if le > last.start():
                ls, le = m.start(), m.end()
            ls = max(ls, pos)
            pieces.append(text[pos:ls])
            pos = max(pos, le)
        pieces += [text[pos:last.start()], newp, text[last.end():]]
        return "".join(pieces)
    for a, b in spans:
        if pat.search(text[a:b]):
            return text[:a] + newp + text[b:]
    anchor = [m for m in _param_re(after_param).finditer(text) if not inside(m.start())]
    if anchor:
        m = anchor[-1]
        ls = text.rfind("\n", 0, m.start()) + 1
        indent = text[ls:m.start()]
        le = text.find("\n", m.end())
        le = len(text) if le < 0 else le
        return text[:le] + "\n" + indent + newp + text[le:]
    i = text.find("</settings>")
    if i < 0:
        raise FixRefused(T(f"kein <settings>, in das {name} gehört", f"no <settings> to put {name} into"))
    ls = text.rfind("\n", 0, i) + 1
    return text[:ls] + "    " + newp + "\n" + text[ls:]


def hostport(binding: str) -> tuple[str, str]:
    host, _, port = binding.rpartition(":")
    return host, port


def nginx_set_directive(text: str, line: int, name: str, value: str, after: str = "proxy_pass") -> str:
    """The location around config line `line` (1-based, its proxy_pass) with `name value;` set: an existing
    directive in that block replaced, else added after `after`."""
    lines = text.splitlines(keepends=True)
    i = line - 1
    # the block: from the `{` before the proxy_pass line to the matching `}`
    start = i
    while start > 0 and "{" not in lines[start]:
        start -= 1
    depth, end = 0, len(lines) - 1
    for j in range(start, len(lines)):
        depth += lines[j].count("{") - lines[j].count("}")
        if depth <= 0 and j > start:
            end = j
            break
    rx = re.compile(r"^(\s*)" + re.escape(name) + r"(\s+)(.*?);(.*)$")
    key = value.split()[0] if name == "proxy_set_header" else None
    for j in range(start + 1, end):
        m = rx.match(lines[j].rstrip("\n"))
        if m and (key is None or m.group(3).split()[:1] == [key]):
            lines[j] = f"{m.group(1)}{name}{m.group(2)}{value};\n"
            return "".join(lines)
    anchor = next((j for j in range(start + 1, end) if lines[j].strip().startswith(after)), i)
    indent = re.match(r"\s*", lines[anchor]).group(0)
    lines.insert(anchor + 1, f"{indent}{name} {value};\n")
    return "".join(lines)


def nginx_listen_default(text: str, server_line: int, port: int, on: bool) -> str:
    """The `listen … <port>` lines of the server block starting at `server_line` (1-based) with `default_server`
    added (`on`) or removed; nothing else of the file changes. FixRefused when the block has no such listen."""
    lines = text.splitlines(keepends=True)
    changed = False
    for i in range(max(server_line - 1, 0), len(lines)):
        if i > server_line - 1 and re.match(r"^\s*server\s*\{", lines[i]):
            break                                           # the next server block
        m = re.match(r"^(\s*listen\s+)([^;]*?)(\s*;.*)$", lines[i].rstrip("\n"))
        if not m or not re.search(r"(^|:)" + str(port) + r"(\s|$)", m.group(2)):
            continue
        words = [w for w in m.group(2).split() if w not in ("default_server", "default")]
        if on:
            words.insert(1, "default_server")
        lines[i] = m.group(1) + " ".join(words) + m.group(3) + "\n"
        changed = True
    if not changed:
        raise FixRefused(T(f"kein `listen … {port}` im server-Block in Zeile {server_line}",
                           f"no `listen … {port}` in the server block at line {server_line}"))
    return "".join(lines)


def tunnel_set_service(text: str, hostname: str, service: str) -> str:
    """cloudflared config.yml with the `service:` of the rule for `hostname` set (only that line changes)."""
    lines = text.splitlines(keepends=True)
    for a, b in _rule_blocks(lines):
        if not _names(lines[a:b], hostname):
            continue
        key = re.match(r"^(\s*-\s*)", lines[a]).group(1)
        indent = " " * len(key)                    # the rule's own keys, not those of a mapping nested in it
        for j in range(a, b):
            sm = re.match(r"^(" + re.escape(key) + "|" + re.escape(indent) + r")service:\s*\S.*$", lines[j].rstrip("\n"))
            if sm:
                lines[j] = f"{sm.group(1)}service: {service}\n"
                return "".join(lines)
    raise FixRefused(T(f"keine ingress-Regel für {hostname} mit einer `service:`-Zeile in der Tunnel-Konfiguration",
                       f"no ingress rule for {hostname} with a `service:` line in the tunnel config"))


def _names(block: list[str], hostname: str) -> bool:
    return any(re.match(r"^\s*(-\s*)?hostname:\s*['\"]?" + re.escape(hostname) + r"['\"]?\s*$", l.rstrip("\n"))
               for l in block)


def tunnel_add_catch_all(text: str) -> str:
    lines = text.splitlines(keepends=True)
    rule = [l for l in lines if re.match(r"^\s*-\s*(hostname|service):", l)]
    indent = re.match(r"^(\s*)-", rule[-1]).group(1) if rule else ""
    if text and not text.endswith("\n"):
        text += "\n"
    return text + f"{indent}- service: http_status:404\n"


def _rule_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(first, end) line ranges of the `ingress:` list items (a block ends where the next item or key begins)."""
    start = next((i for i, l in enumerate(lines) if re.match(r"^ingress:\s*$", l.rstrip("\n"))), None)
    if start is None:
        raise FixRefused(T("keine `ingress:`-Liste auf oberster Ebene in der Tunnel-Konfiguration",
                           "no top-level `ingress:` list in the tunnel config"))
    items, end, indent = [], len(lines), None
    for i in range(start + 1, len(lines)):
        if re.match(r"^\S", lines[i]) and not lines[i].startswith("-"):      # the next top-level key
            end = i
            break
        m = re.match(r"^(\s*)-\s", lines[i])
        if m and indent in (None, m.group(1)):         # an item of ingress, not of a list nested in a rule
            indent = m.group(1)
            items.append(i)
    if not items:
        raise FixRefused(T("`ingress:` der Tunnel-Konfiguration hat keine Regeln", "the tunnel config's `ingress:` has no rules"))
    return list(zip(items, items[1:] + [end], strict=True))


def tunnel_catch_all_last(text: str) -> str:
    """Rules without hostname and path (catch-alls) before the last rule are dropped; one catch-all ends the list."""
    lines = text.splitlines(keepends=True)
    blocks = _rule_blocks(lines)
    keep = []
    for n, (a, b) in enumerate(blocks):
        block = "".join(lines[a:b])
        catch_all = not re.search(r"^\s*(-\s*)?(hostname|path):", block, re.M)
        if not catch_all or n == len(blocks) - 1:
            keep.append((a, b))
    first, end = blocks[0][0], blocks[-1][1]
    out = lines[:first] + [l for a, b in keep for l in lines[a:b]] + lines[end:]
    text = "".join(out)
    last = "".join(lines[keep[-1][0]:keep[-1][1]]) if keep else ""
    if not keep or re.search(r"^\s*(-\s*)?(hostname|path):", last, re.M):
        text = tunnel_add_catch_all(text)
    return text


def tunnel_drop_path(text: str, hostname: str) -> str:
    """The `path:` line of the rule for `hostname` removed (the public URL's path did not match it)."""
    lines = text.splitlines(keepends=True)
    for a, b in _rule_blocks(lines):
        if _names(lines[a:b], hostname):
            key = re.match(r"^(\s*-\s*)", lines[a]).group(1)
            for i in range(a, b):
                if re.match(r"^(" + re.escape(key) + "|" + " " * len(key) + r")path:", lines[i]):
                    del lines[i]
                    return "".join(lines)
    return text


_BARE_AMP = re.compile(r"&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")


def xml_escape_bare_ampersands(text: str) -> str:
    """Every `&` that starts no entity or character reference written `&amp;` (comments and CDATA as they are).
    FixRefused when the result is still no well-formed XML: then the flaw is another one, for a person to repair."""
    out, pos = [], 0
    for a, b in _verbatim(text):
        out += [_BARE_AMP.sub("&amp;", text[pos:a]), text[a:b]]
        pos = b
    new = "".join(out) + _BARE_AMP.sub("&amp;", text[pos:])
    import xml.etree.ElementTree as ET
    try:
        ET.fromstring(new)
    except ET.ParseError as exc:
        raise FixRefused(T(f"auch mit maskierten alleinstehenden '&' ist die Datei kein wohlgeformtes XML ({exc}): "
                           "reparieren Sie sie selbst",
                           f"with its bare '&' escaped the file is still no well-formed XML ({exc}): repair it yourself")) \
            from None
    return new


# -- certificates -------------------------------------------------------------------------------------------------

MAX_BLOCKS = 256      # PEM blocks considered for a rebuilt wss.pem (the chain search compares every pair)
MAX_ENTRIES = 256     # entries of certs_dir looked at beside wss.pem


def load_crypto(blocks):
    """Keys and certificates of PEM blocks, under the certificate check's caps (fsnb/read/certs.py): a key block
    over MAX_KEY_PEM is not loaded and RSA private numbers are not validated (an RSA-16384 key held the GIL 29 s,
    per key, and `fsnb fix` read every .key/.pem beside wss.pem) — only the public halves are compared."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from fsnb.read.certs import MAX_KEY_PEM
    keys, certs = [], []
    for label, body in blocks[:MAX_BLOCKS]:
        try:
            if label.endswith("PRIVATE KEY") and "ENCRYPTED" not in label:
                if len(body) > MAX_KEY_PEM:
                    continue
                keys.append((body, serialization.load_pem_private_key(body.encode(), None,
                                                                      unsafe_skip_rsa_key_validation=True)))
            elif label == "CERTIFICATE":
                certs.append((body, x509.load_pem_x509_certificate(body.encode())))
        except (ValueError, TypeError):
            continue
    return keys, certs


def public_der(obj) -> bytes:
    from cryptography.hazmat.primitives import serialization
    k = obj.public_key()
    return k.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def rebuild_pem(pem_path: str, certs_dir: str, where: tuple[str, str] | None = None) -> tuple[str | None, T]:
    """wss.pem rebuilt as FreeSWITCH needs it — key, leaf, chain — from the operator's own key and certificates
    found in wss.pem and the other PEM files of certs_dir; (None, why) when no unencrypted key matching a
    certificate is readable there."""
    from fsnb.read.certs import pem_blocks
    own = read_for_edit(pem_path, where)[0].decode("utf-8", "replace")
    blocks = pem_blocks(own)[0]
    for p in ([] if where else sorted(Path(certs_dir).glob("*"))[:MAX_ENTRIES]):   # in a container: wss.pem only
        if len(blocks) >= MAX_BLOCKS:
            break
        if str(p) == pem_path or p.name in ("wss.crt", "wss.key") or p.is_symlink() or not p.is_file():
            continue
        if p.suffix not in (".pem", ".key", ".crt", ".cer") or p.stat().st_size > 256 * 1024:
            continue
        try:
            blocks += pem_blocks(files.read_text(p))[0]
        except OSError:
            continue
    keys, certs = load_crypto(blocks)
    if not keys:
        return None, T("kein lesbarer unverschlüsselter privater Schlüssel in wss.pem oder daneben",
                       "no readable unencrypted private key in wss.pem or beside it")
    for kbody, key in keys:
        kp = public_der(key)
        leaves = [(b, c) for b, c in certs if public_der(c) == kp]
        if not leaves:
            continue
        lbody, leaf = max(leaves, key=lambda bc: bc[1].not_valid_after_utc)
        chain, cur, seen = [], leaf, {lbody}
        while cur.issuer != cur.subject:
            nxt = next(((b, c) for b, c in certs if c.subject == cur.issuer and b not in seen), None)
            if not nxt:
                break
            chain.append(nxt[0])
            seen.add(nxt[0])
            cur = nxt[1]
        return "".join(x.strip("\n") + "\n" for x in [kbody, lbody, *chain]), same("")
    return None, T("kein Zertifikat in wss.pem oder daneben passt zu einem lesbaren privaten Schlüssel (der Schlüssel "
                   "eines anderen Zertifikats?)",
                   "no certificate in wss.pem or beside it matches a readable private key (the key of another certificate?)")


def pem_commands(pem: str) -> list[T]:
    return [commented(f"cat privkey.pem cert.pem chain.pem > {pem}.new",
                      T("Ihr Schlüssel, Ihr Zertifikat, dann die Kette", "your key, your certificate, then the chain")),
            commented(f"openssl x509 -in {pem}.new -noout -pubkey | sha256sum; openssl pkey -in {pem}.new -pubout | sha256sum",
                      T("beide gleich", "equal")),
            same(f"chmod 600 {pem}.new && mv {pem}.new {pem}")]
