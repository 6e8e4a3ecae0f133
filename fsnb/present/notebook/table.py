"""Every result of a session as one table, read back from its journal (so it survives kernel restarts): a tidy
DataFrame and its escaped, left-aligned Styler."""
from __future__ import annotations

import pandas as pd

from fsnb.i18n import T
from fsnb.present.escape import html as escape
from fsnb.present.escape import styler
from fsnb.present.notebook.texts import BADGE, SECTIONS, STATUS, check_title, text
from fsnb.result import Result


def local_time(ts: str):
    import datetime as _dt
    try:
        return _dt.datetime.fromisoformat(ts).astimezone()
    except (TypeError, ValueError):
        return None


def tidy(journal_path, lang: str = "de") -> pd.DataFrame:
    """The journal's results as a tidy frame: run number and time, step, check, status word, finding, ms."""
    from fsnb.checks import order_key
    from fsnb.journal import read
    recs = read(journal_path).of("result")
    runs: dict[str, str] = {}
    for r in recs:
        runs.setdefault(r.get("run", "?"), r.get("ts", ""))
    order = {run: i for i, run in enumerate(sorted(runs, key=runs.get), 1)}
    rows = []
    for r in recs:
        res = Result.from_dict(r)
        local = local_time(runs[r.get("run", "?")])
        rows.append({text("col_run", lang): f"{order[r.get('run', '?')]} · {local.strftime('%H:%M:%S') if local is not None else ''}",
                     "_run": order[r.get("run", "?")], "_order": order_key(res.id),
                     text("col_step", lang): SECTIONS.get(res.section, T(res.section, res.section))(lang).split(":")[0].split(" —")[0],
                     text("col_check", lang): check_title(res.id, lang), text("col_status", lang): STATUS[res.status.value](lang),
                     text("col_finding", lang): res.text(lang), "ms": round(res.duration * 1000), "_id": res.id,
                     "_target": res.target})
    cols = [text("col_run", lang), text("col_step", lang), text("col_check", lang), text("col_status", lang), text("col_finding", lang), "ms"]
    df = pd.DataFrame(rows, columns=cols + ["_run", "_order", "_id", "_target"])
    df = df.sort_values(["_run", "_order"], kind="stable").reset_index(drop=True)
    df.attrs["target"] = ", ".join(sorted({t for t in df["_target"] if t}))
    df.attrs["ids"] = list(df["_id"])
    return df[cols]


def styled_table(df: pd.DataFrame, lang: str = "de"):
    """The tidy frame as an escaped, left-aligned Styler: the target once in the caption, run and step only where
    they change."""
    shown = df.copy()
    run, step = text("col_run", lang), text("col_step", lang)
    if len(df):
        runs, steps = list(df[run]), list(zip(df[run], df[step], strict=True))
        shown[run] = [v if i == 0 or v != runs[i - 1] else "" for i, v in enumerate(runs)]
        shown[step] = [v[1] if i == 0 or v != steps[i - 1] else "" for i, v in enumerate(steps)]
    colour = {STATUS[s](lang): BADGE[s] for s in BADGE}
    sty = styler(shown).hide(axis="index").set_caption(escape(text("table_caption", lang, target=df.attrs.get("target", ""))))
    sty = sty.map(lambda v: (f"color:{'#8d5b00' if v == STATUS['warn'](lang) else colour[v]};font-weight:700;"
                             "white-space:nowrap") if v in colour else "", subset=[text("col_status", lang)])
    sty = sty.set_table_attributes('class="fsnb-table fsnb-results"').set_table_styles([
        {"selector": "td, th", "props": "text-align: left !important; vertical-align: top; padding: 3px 8px; "
                                        "white-space: pre-wrap; border-bottom: 1px solid #eceff1;"},
        {"selector": "td:first-child, td:last-child, th", "props": "white-space: nowrap;"},
        {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: 600; padding: 4px 0;"}])
    sty.tidy = df
    return sty
