"""One output-encoding rule for every renderer: text from the target or from a file is data, never markup,
never a terminal command, never table structure.

Every renderer calls this module for every string it did not write itself:

- `html(s)`       HTML text and attribute values (widgets, Styler tables, notebook HTML, the HTML report):
                  markup-escaped by markupsafe (the escaper Jinja2 uses), control characters made visible.
- `terminal(s)`   what `fsnb run` prints: C0/C1 control characters (ESC, BEL, CR, …) and bidi/format characters
                  become visible `\\xNN`/`\\u....` escapes, so no escape sequence reaches the terminal.
- `md(s)`         Markdown text (a table cell, a list item): HTML escaped, `\\r`/`\\n` folded, `|` and the
                  characters that make links, images, emphasis or code backslash-escaped.
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


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")
_NEWLINES = re.compile(r"\r\n|\r|\n")


def md(value) -> str:
    """One line of Markdown text (also a table cell): no raw HTML, no line break, no table or link structure."""
    s = _NEWLINES.sub(" ⏎ ", text(value))
    s = controls(s)
    import markupsafe
    s = str(markupsafe.escape(s))          # & < > " ' as entities: raw HTML never passes
    return _MD_SPECIAL.sub(r"\\\1", s)


def md_code(value) -> str:
    """An inline code span for untrusted text: on one line, fenced by more backticks than it contains.
    Inside a code span Markdown shows HTML literally; a `|` is still escaped (GFM splits table cells first)."""
    s = controls(_NEWLINES.sub(" ⏎ ", text(value))).replace("|", "\\|")
    run = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (run + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or run else ""
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
