"""One output-encoding rule for every renderer: text from the target or from a file is data, never markup,
never a terminal command, never table structure.

Every renderer calls this module for every string it did not write itself:

- `html(s)`       HTML text and attribute values (widgets, Styler tables, notebook HTML, the HTML report):
                  markup-escaped by markupsafe (the escaper Jinja2 uses), control characters made visible.
- `terminal(s)`   what `fsnb run` prints: C0/C1 control characters (ESC, BEL, CR, …) and bidi/format characters
                  become visible `\\xNN`/`\\u....` escapes, so no escape sequence reaches the terminal.
- `md(s)`         Markdown text (a table cell, a list item) that renders as exactly `s`: `\\r`/`\\n` folded,
                  URLs and addresses as code spans, a backslash only before what would be markup (no entities).
- `md_code(s)`    the same text shown as an inline code span (fenced by more backticks than it holds).
- `styler(df)`    a pandas Styler that escapes every cell (`format(escape="html")`).
"""
from __future__ import annotations

import re
import unicodedata

# characters no renderer may pass through raw: C0 and C1 controls, DEL, line/paragraph separators,
# and format characters (bidi overrides, zero-width joiners: they re-order or hide what the reader sees)
_BAD_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def _visible(ch: str) -> str:
    o = ord(ch)
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}"


def _is_bad(ch: str) -> bool:
    return unicodedata.category(ch) in _BAD_CATEGORIES


def controls(s: str, keep: str = "") -> str:
    """`s` with every control/format character (except those in `keep`) shown as a visible escape."""
    if _printable(s, keep):
        return s            # the common case: nothing to do, found in C (no per-character loop)
    return "".join(c if c in keep or not _is_bad(c) else _visible(c) for c in s)


def _printable(s: str, keep: str = "") -> bool:
    """No character to escape (isprintable is False for every _BAD_CATEGORIES character, and for some that are
    harmless, e.g. a non-ASCII space: those take the slow, exact path)."""
    for c in keep:
        s = s.replace(c, "")
    return s.isprintable()


def has_controls(s: str) -> bool:
    return any(_is_bad(c) for c in s)


def text(value) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def html(value, multiline: bool = True) -> str:
    """HTML-escaped text (safe in element content and in quoted attribute values). Newlines/tabs are kept when
    `multiline` (a <pre> block shows them); every other control character becomes a visible escape."""
    s = controls(text(value), "\n\t" if multiline else "")
    import markupsafe  # HTML and Markdown only: a terminal or JSON run does not load it
    return str(markupsafe.escape(s))


def terminal(value, multiline: bool = True) -> str:
    """Text safe to print on a terminal: no ESC, BEL, CR, backspace, C1 or bidi control gets through raw."""
    return controls(text(value), "\n\t" if multiline else "")


_NEWLINES = re.compile(r"\r\n|\r|\n")
# what Markdown (CommonMark + GFM tables, strikethrough, autolinks) can read as markup in running text
_MD_ALWAYS = re.compile(r"([\\`*\[\]<|~])")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")              # `&amp;` in the data must stay `&amp;`
_MD_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")   # snake_case stays as it is
_MD_LINE_START = re.compile(r"^(\s*)([#+=>-]|\d{1,9}(?=[.)]))")      # a heading, list or setext underline
_MD_CODE_SPAN = re.compile(r"`([^`|]+)`")                     # fsnb's own `code` in a text (never with a `|`)
_MD_URLISH = re.compile(r"(?i)(?:\b[a-z][a-z0-9+.-]*:/+|\bwww\.|[^\s|`<>()\[\]]+@(?=[^\s|`]*\.))[^\s|`]*?"
                        r"(?=[.,;:!?'\")]*(?:\s|\||`|$))")     # a URL or an address, without its trailing punctuation


def _md_plain(s: str, start: bool) -> str:
    s = _MD_ALWAYS.sub(r"\\\1", s)
    s = _MD_ENTITY.sub(r"\\&", s)
    s = _MD_UNDERSCORE.sub(r"\\_", s)
    if start:
        s = _MD_LINE_START.sub(lambda m: m.group(1) + (m.group(2) if m.group(2)[0].isdigit() else "\\" + m.group(2)), s)
        s = re.sub(r"^(\s*\d{1,9})([.)])", r"\1\\\2", s)
    return s


def md(value, line_start: bool = False) -> str:
    """One line of Markdown text (also a table cell) that renders as exactly this text: no raw HTML, no line
    break, no table, link, image, emphasis or heading — by Markdown's own means, so a tracker shows no entity
    and no backslash. A `code` span in the text stays a code span; anything that looks like a URL or an e-mail
    address becomes one (GFM would link it); a character that would be markup gets a backslash, only where it
    would be markup. A `|` is never inside a code span (GFM splits table cells first; a list item would show
    its backslash). `line_start`: the text begins a list item or a line, where `#`, `>`, `-`, `+`, `=` or `1.`
    would start a block (in a table cell or after other text they are plain)."""
    s = controls(_NEWLINES.sub(" ⏎ ", text(value)))
    out, pos = [], 0
    for m in _MD_CODE_SPAN.finditer(s):
        out.append(_md_words(s[pos:m.start()], line_start and pos == 0))
        out.append(md_code(m.group(1)))
        pos = m.end()
    out.append(_md_words(s[pos:], line_start and pos == 0))
    return "".join(out)


def _md_words(s: str, start: bool) -> str:
    out, pos = [], 0
    for m in _MD_URLISH.finditer(s):
        out.append(_md_plain(s[pos:m.start()], start and pos == 0))
        out.append(md_code(m.group(0)))
        pos = m.end()
    out.append(_md_plain(s[pos:], start and pos == 0))
    return "".join(out)


def md_code(value) -> str:
    """An inline code span for untrusted text: on one line, fenced by more backticks than it contains.
    Inside a code span Markdown shows HTML literally; a `|` is still escaped (GFM splits table cells first)."""
    s = controls(_NEWLINES.sub(" ⏎ ", text(value))).replace("|", "\\|")
    run = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (run + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or run or (s.startswith(" ") and s.endswith(" ") and s.strip()) else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def json_text(s: str) -> str:
    """JSON text (from json.dumps(ensure_ascii=False)) with every control/format character as a \\uXXXX escape:
    JSON escapes C0 itself, but C1 controls (an 8-bit CSI) and bidi overrides would reach the terminal raw."""
    if _printable(s, "\n\t"):
        return s
    def esc(c: str) -> str:
        if c in "\n\t" or not _is_bad(c):
            return c
        b = c.encode("utf-16-be", "surrogatepass")
        return "".join(f"\\u{int.from_bytes(b[i:i + 2], 'big'):04x}" for i in range(0, len(b), 2))
    return "".join(esc(c) for c in s)


def styler(df):
    """A pandas Styler that HTML-escapes every cell value (the default Styler does not escape)."""
    return df.style.format(escape="html", formatter=lambda v: controls(text(v), "\n\t") if isinstance(v, str) else v)
