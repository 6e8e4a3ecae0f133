"""One schema mechanism for what fsnb writes as JSON (journal records, results): typed dataclasses, and one generic
`to_json` / `from_json` driven by `dataclasses.fields` and the fields' annotations.

- `to_json(obj)`   a dataclass as a JSON object: its fields in declaration order, nested dataclasses as objects,
                   enums as their value, lists and dicts copied. A field whose default is None is left out while
                   it is None (an optional field is absent, never `null`).
- `from_json(cls, data)`  the dataclass back from a JSON object, every field checked against its annotation
                   (str, int, float, bool, dict, list[X], X | None, int | float, an Enum, a nested dataclass).
                   A missing or null field takes its default; without one it is an error. Unknown keys are ignored
                   (a newer fsnb's fields). A value of the wrong type raises `ShapeError` naming the field's path:
                   "field 'evidence[0].label' is int, not str".

`float` means a JSON number (an int is accepted, as JSON does not tell them apart); `bool` is never a number.
A field may name a different default for reading only: `field(metadata=absent(lambda got: got["id"]))` (`got`:
the fields read so far), e.g. for records older fsnb versions wrote with fewer fields.
"""
from __future__ import annotations

import dataclasses
import enum
import types
import typing

__all__ = ["ShapeError", "absent", "from_json", "to_json"]

_ABSENT = "fsnb.schema.absent"


class ShapeError(ValueError):
    """A JSON value does not have the shape of the type it is read as; `str()` names the field."""


def absent(default) -> dict:
    """Field metadata: the value when the field is missing from the JSON (a callable gets the fields read so far)."""
    return {_ABSENT: default}


def to_json(obj):
    """`obj` as plain JSON values (see the module's docstring)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {}
        for f in dataclasses.fields(obj):
            v = getattr(obj, f.name)
            if v is None and f.default is None:
                continue
            out[f.name] = to_json(v)
        return out
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return [to_json(x) for x in obj]
    if isinstance(obj, dict):
        return {k: to_json(v) for k, v in obj.items()}
    return obj


_HINTS: dict[type, dict[str, object]] = {}


def _hints(cls: type) -> dict[str, object]:
    """The fields' annotations as types (modules with `from __future__ import annotations` hold them as strings)."""
    h = _HINTS.get(cls)
    if h is None:
        h = _HINTS[cls] = typing.get_type_hints(cls)
    return h


def from_json(cls: type, data, where: str = ""):
    """An instance of the dataclass `cls` from the JSON object `data`, checked field by field (see the module)."""
    if not isinstance(data, dict):
        raise ShapeError(f"{_name(where) if where else 'the record'} is {_kind(data)}, not an object")
    hints = _hints(cls)
    got: dict = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        path = f"{where}.{f.name}" if where else f.name
        v = data.get(f.name)
        if v is None:
            if _ABSENT in f.metadata:
                d = f.metadata[_ABSENT]
                got[f.name] = d(got) if callable(d) else d
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ShapeError(f"{_name(path)} is missing")
            continue
        got[f.name] = _value(hints[f.name], v, path)
    return cls(**got)


def _name(path: str) -> str:
    return f"field {path!r}"


def _kind(v) -> str:
    return type(v).__name__


def _type_name(tp) -> str:
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args if a is not type(None))
    return getattr(tp, "__name__", str(tp))


def _value(tp, v, path: str):
    """`v` checked against the annotation `tp` (and read into it: nested dataclasses, enums)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        alternatives = [a for a in args if a is not type(None)]
        for a in alternatives:
            try:
                return _value(a, v, path)
            except ShapeError:
                if len(alternatives) == 1:
                    raise
        raise ShapeError(f"{_name(path)} is {_kind(v)}, not {_type_name(tp)}")
    if tp is typing.Any:
        return v
    if origin is list or tp is list:
        if not isinstance(v, list):
            raise ShapeError(f"{_name(path)} is {_kind(v)}, not list")
        return [_value(args[0], x, f"{path}[{i}]") for i, x in enumerate(v)] if args else v
    if origin is dict or tp is dict:
        if not isinstance(v, dict):
            raise ShapeError(f"{_name(path)} is {_kind(v)}, not dict")
        return v
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(v)
        except (ValueError, TypeError):
            shown = repr(v)[:20]
            raise ShapeError(f"{_name(path)}: {shown} is not one of {', '.join(str(m.value) for m in tp)}") from None
    if dataclasses.is_dataclass(tp):
        return from_json(tp, v, path)
    if tp is float:
        ok = isinstance(v, (int, float)) and not isinstance(v, bool)
    elif tp is int:
        ok = isinstance(v, int) and not isinstance(v, bool)
    elif isinstance(tp, type):
        ok = isinstance(v, tp)
    else:
        raise TypeError(f"fsnb.schema: no JSON rule for the annotation {tp!r} ({path})")
    if not ok:
        raise ShapeError(f"{_name(path)} is {_kind(v)}, not {_type_name(tp)}")
    return v
