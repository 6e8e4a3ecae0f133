"""A check's result: status, one-line summary, evidence (redacted), observed values, timing."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from enum import Enum

from fsnb.i18n import T


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"
    ERROR = "error"

    @property
    def failed(self) -> bool:
        return self in (Status.FAIL, Status.ERROR)


@dataclass
class Evidence:
    label: str             # or a T(de, en): split into label / label_en
    text: str              # what was seen, verbatim; or a T for fsnb's own prose (split into text / text_en)
    via: str = ""          # how it was obtained: "python-ESL 127.0.0.1:8021", "docker exec ...", "local file"
    label_en: str = ""
    text_en: str = ""

    def __post_init__(self):
        if isinstance(self.label, T):
            self.label, self.label_en = self.label.de, self.label.en
        if isinstance(self.text, T):
            self.text, self.text_en = self.text.de, self.text.en

    def title(self, lang: str = "de") -> str:
        return self.label_en if lang == "en" and self.label_en else self.label

    def body(self, lang: str = "de") -> str:
        return self.text_en if lang == "en" and self.text_en else self.text


@dataclass
class Result:
    id: str
    section: str
    title_de: str
    title_en: str
    status: Status
    summary: str
    summary_en: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    observed: dict = field(default_factory=dict)
    duration: float = 0.0
    ts: str = field(default_factory=lambda: _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds"))
    error_type: str = ""
    target: str = ""

    def title(self, lang: str = "de") -> str:
        return self.title_de if lang == "de" else self.title_en

    def text(self, lang: str = "de") -> str:
        return self.summary if lang == "de" or not self.summary_en else self.summary_en

    def to_dict(self) -> dict:
        """As JSON (fsnb.schema.to_json: the journal's and `--format json`'s shape of a result)."""
        from fsnb.schema import to_json
        return to_json(self)

    def _repr_html_(self) -> str:
        """The result as it looks in the notebook and its export (fsnb.present.render: one HTML, one escaping rule)."""
        from fsnb.present import render
        return f"<div class='fsnb-nb'>{render.results_table([self])}{render.evidence(self.evidence)}</div>"

    @classmethod
    def from_dict(cls, d: dict) -> "Result":
        """A result from its JSON (a journal's result record: older, shorter ones too). ShapeError: wrong shape."""
        from fsnb.journal import ResultRecord
        from fsnb.schema import from_json
        return from_json(ResultRecord, d).result()
