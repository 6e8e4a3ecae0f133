"""@record behaves as the dataclass it replaces (fsnb.record): the same class declared both ways, side by side."""
from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field

import pytest

import fsnb
from fsnb.record import record


def declare(deco):
    @deco
    class Base:
        name: str
        port: int = 7443
        tags: list[str] = field(default_factory=list)
        hidden: str = field(default="x", repr=False, compare=False)
        derived: str = field(default="", init=False)

        def __post_init__(self):
            self.derived = f"{self.name}:{self.port}"

    @deco
    class Child(Base):
        extra: bool = False

    return Base, Child


D_BASE, D_CHILD = declare(dataclass)
R_BASE, R_CHILD = declare(record)

CALLS = [((), {"name": "a"}), (("a",), {}), (("a", 1), {}), (("a", 1, ["t"]), {}), (("a",), {"port": 2, "tags": ["u"]}),
         (("a", 1, [], "h"), {}), ((), {"name": "a", "hidden": "h"})]
BAD = [((), {}), (("a",), {"name": "b"}), ((), {"name": "a", "nope": 1}), (("a", 1, [], "h", "too many"), {}),
       ((), {"name": "a", "derived": "no"})]


def outcome(cls, args, kwargs):
    try:
        obj = cls(*args, **kwargs)
    except TypeError as exc:
        return ("TypeError", type(exc).__name__)
    return (dataclasses.asdict(obj), repr(obj).split("(", 1)[1])


@pytest.mark.parametrize("args,kwargs", CALLS + BAD)
def test_same_construction_repr_and_errors(args, kwargs):
    for d, r in ((D_BASE, R_BASE), (D_CHILD, R_CHILD)):
        assert outcome(d, args, kwargs) == outcome(r, args, kwargs)


def test_equality_hash_replace_fields():
    a, b = R_CHILD("a", 1, ["t"], extra=True), R_CHILD("a", 1, ["t"], extra=True)
    assert a == b and a is not b
    assert a != R_CHILD("a", 2) and a != R_BASE("a", 1, ["t"])     # another class never equals
    assert R_BASE("a", hidden="1") == R_BASE("a", hidden="2")       # compare=False is left out, as in dataclass
    assert R_BASE.__hash__ is None and D_BASE.__hash__ is None
    with pytest.raises(TypeError):
        hash(a)
    assert dataclasses.replace(a, port=5) == R_CHILD("a", 5, ["t"], extra=True)
    assert [f.name for f in dataclasses.fields(R_CHILD)] == [f.name for f in dataclasses.fields(D_CHILD)]
    assert R_CHILD("a").tags is not R_CHILD("a").tags                # a new list per instance
    nan = float("nan")
    assert R_BASE("a", tags=[nan]) != R_BASE("a", tags=[float("nan")]) and R_BASE("a", tags=[nan]) == R_BASE("a", tags=[nan])


def test_own_methods_win():
    @record
    class Own:
        x: int = 0

        def __repr__(self):
            return "own"

        def __eq__(self, other):
            return True

        def __hash__(self):
            return 1

    assert repr(Own()) == "own" and Own() == object() and hash(Own()) == 1


def test_every_record_in_fsnb_builds_from_its_defaults_like_a_dataclass():
    """All of fsnb's records: the fields without a default given, the rest defaulted — as dataclass would."""
    import importlib
    import pkgutil
    seen = 0
    for mod in pkgutil.walk_packages(fsnb.__path__, "fsnb."):
        if ".lab" in mod.name or mod.name.endswith(("__main__", "notebook", "training", "execute", "report")):
            continue
        m = importlib.import_module(mod.name)
        for cls in vars(m).values():
            if not (inspect.isclass(cls) and cls.__module__ == m.__name__ and "_record_init" in cls.__dict__):
                continue
            need = {f.name: f"v-{f.name}" for f in dataclasses.fields(cls)
                    if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
            try:
                obj = cls(**need)
            except (TypeError, ValueError, AttributeError):
                continue          # a __post_init__ that checks its values: not ours to feed
            seen += 1
            assert obj == dataclasses.replace(obj) and repr(obj).startswith(cls.__qualname__ + "(")
    assert seen >= 30


def test_asdict_is_dataclasses_asdict():
    from collections import namedtuple

    from fsnb.record import asdict
    from fsnb.result import Evidence, Result, Status
    Pair = namedtuple("Pair", "a b")
    obs = {"ports": [1, 2], "nested": {"x": [{"y": (1, "z")}], "pair": Pair([1], {"k": None})}, "set": {3}, "f": 1.5}
    r = Result("id", "s", "t", "t", Status.FAIL, "sum", evidence=[Evidence("l", "t", "v")], observed=obs)
    for obj in (r, R_CHILD("a", tags=["x"]), Evidence("l", "t")):
        assert asdict(obj) == dataclasses.asdict(obj)
    out = asdict(r)
    assert type(out["observed"]["nested"]["pair"]) is Pair
    assert out["observed"] is not obs and out["observed"]["ports"] is not obs["ports"]   # copies, as asdict makes
    assert out["observed"]["set"] is not obs["set"]
