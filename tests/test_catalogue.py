"""Issue #23, one place per cause: every declaration in the catalogue is complete, every scenario it names exists
and reproduces it, and a scenario's settings are typed (a typo is an error, never a healthy lab)."""
from __future__ import annotations

import dataclasses

import pytest

from fsnb.diagnosis import catalogue
from fsnb.diagnosis.catalogue import CAUSES, Cause, Fix, Node
from fsnb.diagnosis.rules import RULES
from fsnb.lab import scenarios
from fsnb.lab.scenarios import SCENARIOS, FsSettings, NginxSettings, Scenario, TargetSettings, TunnelSettings
from fsnb.present import chain_picture

pytestmark = pytest.mark.unit
IDS = sorted(CAUSES)


def test_completeness_holds_for_the_whole_catalogue():
    """The catalogue as a whole: the check below, on every cause (one failure message lists them all)."""
    problems = {cid: p for cid in IDS if (p := declaration_problems(CAUSES[cid]))}
    assert not problems, problems


def declaration_problems(c: Cause) -> list[str]:
    out = []
    for name in ("de", "en", "fix_de", "fix_en"):
        if not (isinstance(getattr(c, name), str) and getattr(c, name).strip()):
            out.append(f"no text {name}")
    if c.severity not in catalogue.SEVERITIES:
        out.append(f"severity {c.severity!r}")
    if not isinstance(c.rank, int) or list(CAUSES).index(c.id) != c.rank:
        out.append(f"rank {c.rank!r} is not its place in the catalogue")
    if not isinstance(c.node, Node):
        out.append(f"node {c.node!r}")
    if not isinstance(c.fix_kind, Fix):
        out.append(f"fix_kind {c.fix_kind!r}")
    elif (c.fix_kind is Fix.NONE) != bool(c.no_fix_because.strip()):
        out.append("Fix.NONE without a reason (or a reason with a fix)")
    if c.scenario:
        sc = scenarios.BY_NAME.get(c.scenario)
        if sc is None:
            out.append(f"scenario {c.scenario!r} does not exist")
        elif sc.cause != c.id:
            out.append(f"scenario {c.scenario!r} expects {sc.cause!r}")
        if c.no_scenario:
            out.append("both a scenario and a reason for none")
    elif not c.no_scenario.strip():
        out.append("neither a scenario nor the reason there is none")
    return out


@pytest.mark.parametrize("cid", IDS)
def test_every_cause_is_declared_completely(cid):
    assert declaration_problems(CAUSES[cid]) == []


@pytest.mark.parametrize("field,value", [("fix_de", ""), ("en", ""), ("node", "nginx"), ("fix_kind", "config-edit"),
                                         ("severity", "fatal"), ("scenario", ""), ("no_scenario", "and a reason"),
                                         ("no_fix_because", "a fix and a reason")])
def test_an_incomplete_declaration_is_refused_when_built(field, value):
    c = CAUSES["bind-failed"]                      # declares a scenario (no reason for none) and a fix kind
    with pytest.raises(ValueError):
        dataclasses.replace(c, **{field: value})


def test_the_completeness_check_notices_a_missing_declaration():
    """What the parametrised test does when a declaration is taken away (frozen: bypassed on a copy)."""
    c = dataclasses.replace(CAUSES["bind-failed"])
    object.__setattr__(c, "rank", 3)
    object.__setattr__(c, "scenario", "")
    object.__setattr__(c, "node", "freeswitch")
    assert declaration_problems(c) == ["rank 3 is not its place in the catalogue", "node 'freeswitch'",
                                       "neither a scenario nor the reason there is none"]


def test_one_rule_per_cause_and_rank_is_the_declaration_order():
    assert set(RULES) == set(CAUSES) - {"unexplained-failure"}
    ranks = [c.rank for c in CAUSES.values()]
    assert ranks == list(range(len(CAUSES)))
    fails = [c.rank for c in CAUSES.values() if c.severity == "fail"]
    warns = [c.rank for c in CAUSES.values() if c.severity == "warn"]
    assert max(fails) < min(warns), "the catalogue lists every fail-level cause before the warnings"
    assert CAUSES["unexplained-failure"].rank == max(fails), "no known cause ranks below an unexplained failure"
    assert all(s in CAUSES for c in CAUSES.values() for s in c.superseded_by)


def test_the_chain_picture_has_a_hop_for_every_declared_node():
    hops = {key for key, *_ in chain_picture.NODES}
    assert {c.node for c in CAUSES.values()} - {Node.AT_FAILED_CHECK} <= hops
    assert set(Node) - {Node.AT_FAILED_CHECK} == hops


@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda s: s.name)
def test_every_scenario_names_a_known_cause(sc):
    assert sc.cause is None or sc.cause in CAUSES
    assert (sc.cause is None) == (sc.exit == 0) or CAUSES[sc.cause].severity == "warn"


def test_scenario_names_are_unique_and_every_cause_a_scenario_names_points_back():
    assert len(scenarios.BY_NAME) == len(SCENARIOS)
    for sc in SCENARIOS:
        if sc.cause:
            c = CAUSES[sc.cause]
            # a cause lists one of its scenarios; any other scenario of the same cause is a variant of it
            assert c.scenario and scenarios.BY_NAME[c.scenario].cause == sc.cause, sc.name


@pytest.mark.parametrize("kind,settings", [
    (FsSettings, {"wss_bindng": "commented"}),       # a typo in the name
    (NginxSettings, {"upstream_port": "closed"}),    # the untyped knob of before
    (TunnelSettings, {"service_port": 1}),
    (TargetSettings, {"esl_password": "wrong"}),
])
def test_unknown_scenario_settings_are_refused(kind, settings):
    with pytest.raises(TypeError, match="unknown settings"):
        kind.of(settings)
    with pytest.raises(TypeError):
        kind(**settings)


@pytest.mark.parametrize("make", [
    lambda: FsSettings(wss_binding="comented"),
    lambda: FsSettings(wss_pem="cert_only"),
    lambda: NginxSettings(scheme="wss"),
    lambda: NginxSettings(upgrade_headers="no"),
    lambda: TunnelSettings(service_port_delta="1"),
    lambda: Scenario("x", None, 0, "d", "d", after_start=("reload-xml",)),
    lambda: Scenario("x", None, 0, "d", "d", blockers=(("http", "wss-port"),)),
    lambda: Scenario("x", None, 0, "d", "d", fs={"wss_pem": "good", "esl_ip": "127.0.0.1"}),
    lambda: Scenario("x", None, 0, "d", "d", real=False),      # says not why
])
def test_unknown_scenario_values_are_refused(make):
    with pytest.raises((TypeError, ValueError)):
        make()


def test_settings_given_as_dicts_are_the_typed_ones():
    sc = Scenario("x", None, 0, "d", "d", fs={"wss_binding": "commented"}, nginx={"upstream": "ws"})
    assert sc.fs == FsSettings(wss_binding=scenarios.WssBinding.COMMENTED)
    assert sc.nginx.proxy_scheme is scenarios.Scheme.HTTP
    assert sc == dataclasses.replace(sc)


def test_scenarios_json_keeps_its_keys():
    keys = {"name", "cause", "exit", "description", "description_en", "real"}
    for sc in SCENARIOS:
        assert keys <= sc.public().keys() <= keys | {"real_why_not", "sim", "sim_why_not"}


@pytest.mark.unit
def test_readme_cause_table_is_the_catalogue():
    """README's cause table is made from the catalogue (`python -m fsnb.present.cause_table`): it cannot drift."""
    from pathlib import Path

    from fsnb.present import cause_table
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    start, end = readme.index(cause_table.BEGIN), readme.index(cause_table.END) + len(cause_table.END)
    assert readme[start:end] == cause_table.markdown(), "README is stale: paste `python -m fsnb.present.cause_table`"
