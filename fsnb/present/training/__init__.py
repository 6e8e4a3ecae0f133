"""Training: a lab with a hidden fault, a briefing with symptoms only (what a user or the monitoring reports),
the analysis' steps showing what their checks observe (their verdicts held back until the reveal) with hints that
point at the evidence, the trainee's own cause and reasoning, a reveal that grades the trainee and explains cause →
deciding evidence → fix, then the trainee's fix in the lab, verified by a re-run of every check.

`scenario="random"` draws from every case the lab can run (every scenario with a cause, warnings included), never
the last round's. With `real=True` the case runs on the real-FreeSWITCH lab (`fsnb lab up --real`) when it is
built here.

The parts: `casebook` (briefings, labels, the pool, the answer list), `observe` (observations without verdicts, where
the deciding evidence is, hints), `fixing` (the trainee's steps, grading, fsnb's fallback fix), `session` (the
Training class: the notebook's cells).
"""
from fsnb.present.training.casebook import (
    answer_groups,
    answer_ids,
    cases,
    cause_long,
    cause_text,
    draw,
    label,
    labels,
    pool,
    symptom,
)
from fsnb.present.training.session import HINTS, TRAINING_TEXT, Training, real_lab_available

__all__ = ["HINTS", "TRAINING_TEXT", "Training", "answer_groups", "answer_ids", "cases", "cause_long", "cause_text",
           "draw", "label", "labels", "pool", "real_lab_available", "symptom"]
