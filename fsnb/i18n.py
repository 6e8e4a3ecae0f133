"""One way to say a thing in both languages: `T(de, en)`, resolved where it is shown (`text(lang)`).

German is the analysis' language and the default; every user-facing string exists in both. A check, a cause
or a renderer holds `T` values and never branches on the language itself.
"""
from __future__ import annotations

from dataclasses import dataclass

LANGS = ("de", "en")


@dataclass(frozen=True)
class T:
    de: str
    en: str

    def __call__(self, lang: str = "de") -> str:
        return self.en if lang == "en" else self.de

    def format(self, **kw) -> "T":
        """Both templates filled; a value that is itself a T fills each language with its own text."""
        return T(self.de.format(**{k: v.de if isinstance(v, T) else v for k, v in kw.items()}),
                 self.en.format(**{k: v.en if isinstance(v, T) else v for k, v in kw.items()}))

    def __add__(self, other: "T | str") -> "T":
        if isinstance(other, T):
            return T(self.de + other.de, self.en + other.en)
        return T(self.de + other, self.en + other)

    def __bool__(self) -> bool:
        """An empty text is false, as an empty str is (`why or default`, `if why:`)."""
        return bool(self.de or self.en)

    def __contains__(self, part: str) -> bool:
        """`"expired" in text`: in either language (tests and callers look for a word, not a language)."""
        return part in self.de or part in self.en

    def join(self, parts: list["T"]) -> "T":
        """`sep.join(parts)` in both languages."""
        return T(self.de.join(p.de for p in parts), self.en.join(p.en for p in parts))


def same(s: str) -> T:
    """A string that reads the same in both languages (a command, a path, a number)."""
    return T(s, s)


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: one of {', '.join(LANGS)}")
    return lang


# UI vocabulary: the language test fails when a word of one list shows up in an output of the other language
DE_ONLY = ("Ursache", "Befund", "Behebung", "Prüflauf", "lauscht", "nicht", "wurde", "Hypothesen", "Urteil",
           "Schritt", "übersprungen", "Belege", "Diagnose:", "Befehl", "Ziel", "widerlegt", "bestätigt", "teilweise",
           "erklärt", "Zertifikat", "läuft", "keine", "Grund")
EN_ONLY = ("Cause", "Finding", "Fix", "Check run", "listens", "refuted", "confirmed", "partly", "explains",
           "Diagnosis", "skipped", "Evidence", "Hypotheses", "Verdict", "not running")
