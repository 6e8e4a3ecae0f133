"""fsnb/schema.py and the journal's record types (issue #23): one to_json / from_json for results and records;
round trips, clear errors for a record of the wrong shape, old journal lines read and are written byte for byte
as before. And the report's template: every templated field is autoescaped."""
from __future__ import annotations

import dataclasses
import enum
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from fsnb import journal
from fsnb.diagnosis import rules
from fsnb.fix import actions
from fsnb.i18n import same
from fsnb.journal import (ActionRecord, ConfirmationRecord, DeclinedRecord, DiagnosisItem, DiagnosisRecord,
                          HypothesisItem, MetaRecord, ResultRecord)
from fsnb.present import report
from fsnb.result import Evidence, Result, Status
from fsnb.schema import ShapeError, absent, from_json, to_json

pytestmark = pytest.mark.unit

# lines as fsnb wrote them before the schema mechanism (fsnb 0.1.0 at 3eee438, clock and host frozen)
OLD_LINES = [
    '{"schema": 1, "ts": "2026-01-01T00:00:00.000+00:00", "incident": "inc", "type": "meta", "fsnb": "0.1.0", "host": '
    '"host1", "target": {"name": "lab", "lab": "", "freeswitch": {"container": "", "host": "127.0.0.1", "esl_port": 1}}}',
    '{"schema": 1, "ts": "2026-01-01T00:00:01.000+00:00", "incident": "inc", "type": "result", "run": "run1", "id": '
    '"schritt2.profil", "section": "schritt2", "title_de": "t <de>", "title_en": "te", "status": "fail", "summary": '
    '"s\\u001b", "summary_en": "se", "evidence": [{"label": "l", "text": "t\\n", "via": "v", "label_en": "le", '
    '"text_en": "te"}], "observed": {"running": false, "wss_bind_url": null}, "duration": 0.5, "error_type": "", '
    '"target": ""}',
    '{"schema": 1, "ts": "2026-01-01T00:00:00.000+00:00", "incident": "inc", "type": "diagnosis", "run": "run1", '
    '"duration": 1.235, "exit": 1, "items": [{"cause": "profile-not-running", "severity": "fail", "score": 80, '
    '"text_de": "läuft nicht", "text_en": "not running", "fix_de": "starten", "fix_en": "start", "evidence": '
    '["schritt2.profil: s"], "explains": ["schritt2.profil"], "evidence_en": ["schritt2.profil: se"]}], "hypotheses": '
    '[{"hypothesis": "1. Profil", "verdict": "teilweise", "verdict_en": "partly", "reason_de": "r", "reason_en": "r", '
    '"hypothesis_en": "1. Profile"}]}',
    '{"schema": 1, "ts": "2026-01-01T00:00:00.000+00:00", "incident": "inc", "type": "confirmation", "who": "me@h", '
    '"when": "2026-01-01T00:00:30+00:00", "command": "sofia profile internal start", "how": "--yes"}',
    '{"schema": 1, "ts": "2026-01-01T00:00:00.000+00:00", "incident": "inc", "type": "action", "command": '
    '"sofia profile internal start", "output": "+OK", "ok": true, "summary": "sum", "before": {"profile_running": '
    'false, "checks": {"a": "fail"}}, "after": {"x": [1]}, "log": ["l1"], "attempts": ["+OK"], "log_at": [0.1], '
    '"elapsed": 1.5, "confirmation": {"who": "me@h", "when": "2026-01-01T00:00:30+00:00", "command": '
    '"sofia profile internal start", "how": "--yes"}}',
    '{"schema": 1, "ts": "2026-01-01T00:00:00.000+00:00", "incident": "inc", "type": "declined", "command": "cmd"}',
    '{"schema": 1, "ts": "2026-01-01T00:00:00.000+00:00", "incident": "inc", "type": "diagnosis", "run": "run1", '
    '"scope": "session", "items": [], "hypotheses": []}',
]


def _dumps(rec: dict) -> str:
    return json.dumps(rec, ensure_ascii=False, default=str)


# -- round trips --------------------------------------------------------------------------------------------
def _result(**kw) -> Result:
    return Result("schritt2.profil", "schritt2", "Profil", "Profile", Status.FAIL, "läuft nicht", "not running",
                  [Evidence("sofia status", "internal  DOWN\n", "ESL", "sofia status (en)", "")],
                  {"running": False, "wss_bind_url": None}, 0.25, "2026-01-01T00:00:01.000+00:00", **kw)


def test_result_round_trip():
    r = _result(error_type="CheckTimeout", target="lab")
    d = json.loads(json.dumps(r.to_dict()))
    assert d["status"] == "fail" and d["evidence"][0]["label"] == "sofia status"
    assert Result.from_dict(d) == r
    assert list(d) == [f.name for f in dataclasses.fields(Result)]       # the JSON is the fields, in order


def test_every_record_type_round_trips_through_json():
    conf = actions.Confirmation("me@h", "2026-01-01T00:00:30+00:00", "sofia profile internal start", "--yes")
    records = [
        MetaRecord(fsnb="0.1.0", host="h", target={"name": "lab", "freeswitch": {"esl_port": 8021}}),
        ResultRecord.of(_result(), "run1"),
        DiagnosisRecord(run="run1", duration=1.5, exit=1, items=[DiagnosisItem("c", "fail", 3, "de", "en")],
                        hypotheses=[HypothesisItem("h", "offen", "open")]),
        DiagnosisRecord(run="run1", scope="session"),
        ConfirmationRecord("me@h", "now", "cmd", "--yes"),
        ActionRecord(command="cmd", ok=True, before={"a": None}, log=["x"], log_at=[0.5], confirmation=conf),
        DeclinedRecord(command="cmd"),
    ]
    for rec in records:
        back = journal.parse(json.loads(_dumps(to_json(rec))))
        assert type(back) is type(rec) and to_json(back) == to_json(rec), rec
    assert ResultRecord.of(_result(), "run1").result() == _result()


def test_optional_fields_are_left_out_while_none():
    assert "scope" not in to_json(DiagnosisRecord(run="r")) and "run" not in to_json(MetaRecord())
    assert list(to_json(DiagnosisRecord(run="r", scope="session")))[:6] == ["schema", "ts", "incident", "type", "run",
                                                                            "scope"]


# -- old journals ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("line", OLD_LINES, ids=[json.loads(x)["type"] for x in OLD_LINES])
def test_old_lines_read_and_write_back_byte_for_byte(tmp_path, line):
    rec = journal.parse(json.loads(line))
    assert type(rec) is journal.RECORDS[json.loads(line)["type"]]
    assert _dumps(to_json(rec)) == line
    j = journal.Journal(tmp_path / "j.jsonl", incident="inc")
    j.write(rec)
    assert (tmp_path / "j.jsonl").read_text(encoding="utf-8") == line + "\n"


def test_the_journal_writers_keep_the_old_format(tmp_path, monkeypatch):
    monkeypatch.setattr(journal, "now", lambda: "2026-01-01T00:00:00.000+00:00")
    j = journal.Journal(tmp_path / "j.jsonl", incident="inc")
    r = Result("schritt2.profil", "schritt2", "t <de>", "te", Status.FAIL, "s\x1b", "se",
               [Evidence("l", "t\n", "v", "le", "te")], {"running": False, "wss_bind_url": None}, 0.5,
               ts="2026-01-01T00:00:01.000+00:00")
    j.result(r, "run1")
    items = json.loads(OLD_LINES[2])
    run = type("Run", (), {"duration": 1.23456, "exit_code": 1,
                           "findings": [rules.Finding(**i) for i in items["items"]],
                           "verdicts": [rules.Verdict(**v) for v in items["hypotheses"]]})()
    j.run(run, "run1")
    conf = actions.Confirmation("me@h", "2026-01-01T00:00:30+00:00", "sofia profile internal start", "--yes")
    j.write(ConfirmationRecord(**dataclasses.asdict(conf)))
    res = actions.ActionResult("sofia profile internal start", "+OK", True, "sum", {"profile_running": False,
                               "checks": {"a": "fail"}}, {"x": [1]}, ["l1"], ["+OK"], [0.1], 1.5)
    j.write(ActionRecord(**res.to_dict(), confirmation=conf))
    j.write(DeclinedRecord(command="cmd"))
    assert (tmp_path / "j.jsonl").read_text(encoding="utf-8").splitlines() == OLD_LINES[1:6]


def test_an_older_shorter_record_still_reads():
    """What older fsnb versions wrote: fewer fields, no envelope; missing titles fall back to the check's id."""
    r = Result.from_dict({"type": "result", "run": "a", "id": "schritt1.esl", "status": "fail", "summary": "x"})
    assert (r.id, r.title_de, r.title_en, r.section, r.evidence, r.status) == ("schritt1.esl", "schritt1.esl",
                                                                               "schritt1.esl", "", [], Status.FAIL)
    meta = journal.parse({"type": "meta", "host": "elsewhere"})
    assert isinstance(meta, MetaRecord) and meta.host == "elsewhere" and meta.schema == journal.SCHEMA
    other = journal.parse({"type": "something-newer", "guess": [1]})        # a type fsnb does not know: its envelope
    assert type(other) is journal.Record and other.type == "something-newer"
    with pytest.raises(journal.ShapeError):                                 # a known type is read as that type
        journal.parse({"type": "training-guess", "guess": [1]})


def test_the_record_types_follow_the_types_they_record():
    """A field added to Result, Finding, Verdict, ActionResult or Confirmation must be added to its record type
    too (else the journal would silently drop it)."""
    names = lambda cls: [f.name for f in dataclasses.fields(cls)]              # noqa: E731
    envelope = names(journal.Record)
    assert [n for n in names(ResultRecord) if n not in envelope] == [n for n in names(Result) if n != "ts"]
    assert names(DiagnosisItem) == names(rules.Finding)
    assert names(HypothesisItem) == names(rules.Verdict)
    assert [n for n in names(ActionRecord) if n not in envelope] == names(actions.ActionResult) + ["confirmation"]
    assert names(actions.Confirmation) == names(journal.Confirmed)


# -- the wrong shape --------------------------------------------------------------------------------------------
WRONG = [
    ({"type": "result", "id": "x", "status": "pass", "ts": 5}, "field 'ts' is int, not str"),
    ({"type": "result", "id": "x", "status": "bogus"}, "field 'status': 'bogus' is not one of pass, fail, warn"),
    ({"type": "result", "id": ["x"], "status": "pass"}, "field 'id' is list, not str"),
    ({"type": "result", "status": "pass"}, "field 'id' is missing"),
    ({"type": "result", "id": "x", "status": "pass", "evidence": "text"}, "field 'evidence' is str, not list"),
    ({"type": "result", "id": "x", "status": "pass", "evidence": [{"label": "l", "text": 3}]},
     "field 'evidence[0].text' is int, not str"),
    ({"type": "result", "id": "x", "status": "pass", "duration": True}, "field 'duration' is bool, not float"),
    ({"type": "diagnosis", "items": [1, 2]}, "field 'items[0]' is int, not an object"),
    ({"type": "diagnosis", "items": [{"evidence": ["a", 2]}]}, "field 'items[0].evidence[1]' is int, not str"),
    ({"type": "diagnosis", "exit": "1"}, "field 'exit' is str, not int or float"),
    ({"type": "action", "confirmation": "yes"}, "field 'confirmation' is str, not an object"),
    ({"type": "confirmation", "who": {"a": 1}}, "field 'who' is dict, not str"),
    ({"type": "meta", "target": "x"}, "field 'target' is str, not dict"),
    ({"type": "declined", "run": 5}, "field 'run' is int, not str"),
    ({"type": 7}, "field 'type' is not a string"),
    ({"type": "future-thing", "schema": "1"}, "field 'schema' is str, not int or float"),
]


@pytest.mark.parametrize("rec,why", WRONG, ids=range(len(WRONG)))
def test_a_record_of_the_wrong_shape_is_a_clear_error(rec, why):
    with pytest.raises(ShapeError) as ei:
        journal.parse(rec)
    assert str(ei.value).startswith(why)
    assert journal.shape_problem(rec).startswith(why)


def test_the_journal_skips_wrong_records_with_a_note(tmp_path):
    f = tmp_path / "j.jsonl"
    f.write_text("\n".join(OLD_LINES + [json.dumps(r) for r, _ in WRONG]) + "\n", encoding="utf-8")
    j = journal.read(f)
    assert len(j.records) == len(OLD_LINES) and len(j.problems) == len(WRONG)
    assert "line 8: result record of the wrong shape (field 'ts' is int, not str) — skipped" == j.problems[0]
    data = report.load(f)                       # and the report reads what is left
    assert [r.id for res in data.runs.values() for r in res] == ["schritt2.profil"] and len(data.actions) == 1


# -- the generic mechanism ----------------------------------------------------------------------------------------
class Colour(enum.Enum):
    RED = "red"


@dataclass
class Inner:
    n: int
    xs: list[float] = field(default_factory=list)


@dataclass
class Outer:
    name: str
    inner: Inner
    colour: Colour = Colour.RED
    maybe: str | None = None
    alias: str = field(default="", metadata=absent(lambda got: got["name"].upper()))
    free: dict = field(default_factory=dict)


def test_from_json_checks_every_field_and_ignores_unknown_keys():
    o = from_json(Outer, {"name": "a", "inner": {"n": 1, "xs": [1, 2.5]}, "colour": "red", "unknown": object(),
                          "maybe": None, "free": {"any": [None]}})
    assert o == Outer("a", Inner(1, [1, 2.5]), Colour.RED, None, "A", {"any": [None]})
    assert to_json(o) == {"name": "a", "inner": {"n": 1, "xs": [1, 2.5]}, "colour": "red", "alias": "A",
                          "free": {"any": [None]}}
    assert from_json(Outer, to_json(o)) == o
    for bad, why in [({"name": "a"}, "field 'inner' is missing"),
                     ({"name": "a", "inner": {"n": 1.5}}, "field 'inner.n' is float, not int"),
                     ({"name": "a", "inner": {"n": True}}, "field 'inner.n' is bool, not int"),
                     ({"name": "a", "inner": {"n": 1, "xs": ["1"]}}, "field 'inner.xs[0]' is str, not float"),
                     ({"name": "a", "inner": {"n": 1}, "colour": "blue"}, "field 'colour': 'blue' is not one of red"),
                     ({"name": "a", "inner": {"n": 1}, "colour": ["x"]}, "field 'colour': ['x'] is not one of red"),
                     ({"name": "a", "inner": {"n": 1}, "maybe": 3}, "field 'maybe' is int, not str"),
                     ([], "the record is list, not an object")]:
        with pytest.raises(ShapeError, match=re.escape(why)):
            from_json(Outer, bad)


# -- the report's template: every field autoescaped -------------------------------------------------------------
HOSTILE = "<img src=x onerror=alert({i})><script>alert({i})</script>\x1b]0;t\x07'\"&"


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.handlers = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.handlers += [a for a, _ in attrs if a.startswith("on")]


class _Words(dict):
    """Every word the template looks up, hostile and numbered."""
    def __init__(self, counter):
        super().__init__()
        self.counter = counter

    def __missing__(self, key):
        self[key] = self.counter()
        return self[key]


def _hostile_context(fleet: bool):
    n = [0]

    def h():
        n[0] += 1
        return HOSTILE.format(i=n[0])
    finding = lambda: {"cause": h(), "severity": h(), "explains": h(), "text": h(), "fix": h(), "proof": [h(), h()]}  # noqa: E731
    ctx = {
        "lang": h(), "title": h(), "csp": h(), "css": h(), "w": _Words(h), "label": _Words(h),
        "meta_rows": [(h(), h())], "problems": [h()],
        "fleet": [{"target": h(), "cause": h(), "svg": h()}] if fleet else [], "chain_svg": "NOT-DRAWN" if fleet else h(),
        "timeline": [(h(), h())], "target_rows": [(h(), h())], "findings": [finding()],
        "found": [{"cause": h(), "text": h(), "fix": h(), "proof": [h(), h()]}],
        "verdicts": [{"claim": h(), "word": h(), "reason": h()}],
        "actions": [{"command": h(), "summary": h(), "output": h(), "log": h(), "confirmed": h(), "state": h(),
                     "colour": h(), "outcome": h(), "before_after": [(h(), h(), h())]}],
        "changed": [(h(), h(), h())],
        "results": [{"badge": h(), "id": h(), "title": h(), "text": h(), "evidence": h(), "ts": h()}],
        "next_steps": [(h(), h())],
        "summary": {"state": h(), "cause": h(), "text": h(), "state_text": h(), "start": h(), "end": h(),
                    "steps": [(h(), h())]},
        "notes": [{"kind": h(), "who": h(), "when": h(), "text": h()}],
        # issue #20: the fix section (templates/fix_section.html.j2)
        "fix_title": h(),
        "fixes": [{"cause": h(), "kind": h(), "state": h(), "word": h(), "confirmed": h(), "why_not": h(),
                   "backup_word": h(), "edits": [{"path": h(), "backup": h(), "diff": h()}], "reloads": [h()], "outputs": [h()],
                   "message": h(), "rollback": [h()]}],
    }
    return ctx, n


@pytest.mark.parametrize("fleet", [False, True])
def test_every_templated_field_is_escaped(fleet):
    ctx, n = _hostile_context(fleet)
    out = report._template().render(**ctx)
    t = _Tags()
    t.feed(out)
    assert not {"img", "script"} & set(t.tags) and t.handlers == []
    assert "\x1b" not in out and "\x07" not in out and "\\x1b]0;t\\x07" in out        # controls made visible
    missing = [i for i in range(1, n[0] + 1) if f"&lt;img src=x onerror=alert({i})&gt;&lt;script&gt;" not in out]
    assert n[0] > 40 and missing == []              # every value was rendered, and rendered escaped
    assert "NOT-DRAWN" not in out                   # several targets: the fleet table instead of one chain


def test_the_template_knows_every_name_it_uses():
    """StrictUndefined: a name the report does not pass is an error, not an empty cell."""
    import jinja2
    ctx, _ = _hostile_context(False)
    del ctx["problems"]
    with pytest.raises(jinja2.UndefinedError):
        report._template().render(**ctx)


def test_report_html_escapes_every_journal_value():
    """report.html end to end: a journal whose every value is hostile (actions and diagnoses included)."""
    p = HOSTILE.format(i=0)
    conf = {"who": p, "when": p, "command": p, "how": p}
    res = Result("schritt2.profil", p, p, p, Status.FAIL, p, p, [Evidence(p, p, p, p, p)], target="lab", ts=p)
    item = {"cause": p, "severity": "fail", "text_de": p, "text_en": p, "fix_de": p, "fix_en": p, "evidence": [p],
            "explains": [p], "evidence_en": [p]}
    data = report.ReportData(
        p, {"host": p, "fsnb": p, "target": {"name": p, "lab": p, "freeswitch": {"host": p, "container": p,
                                                                                 "esl_password": p},
                                              "nginx": {"address": p}, "tunnel": {"public_url": p}}},
        {"r1": [res]}, {"r0": {"type": "diagnosis", "run": "r0", "items": [item]}},
        [{"type": "action", "command": p, "output": p, "ok": False, "summary": p, "log": [p], "before": {"wss_from_here": p},
          "confirmation": conf}], [{"type": "confirmation", **conf}], [(p, same(p))], [p])
    for lang in ("de", "en"):
        out = report.html(data, lang)
        t = _Tags()
        t.feed(out)
        assert not {"img", "script"} & set(t.tags) and t.handlers == [] and "\x1b" not in out
        assert out.count("&lt;img src=x onerror=alert(0)&gt;") >= 25
        assert "Content-Security-Policy" in out.split("</head>")[0] and "http://" not in out.split("<body>")[0]
