"""`@record`: a dataclass whose __init__, __repr__ and __eq__ are shared functions instead of generated code.

Python 3.11's dataclass compiles three functions per class (~0.5 ms a class on this project's machine); fsnb
declares ~50 of them, and a whole `fsnb run` process paid ~25 ms for it before it could start. A record is
`dataclasses.dataclass(init=False, repr=False, eq=False)` — so `fields()`, `asdict()`, `replace()` and
`is_dataclass()` work unchanged — plus these three methods, which read the class's fields once (~0.06 ms a
class). Same behaviour as the generated ones: positional and keyword arguments in field order, defaults and
default factories, `__post_init__`, TypeError for a missing or unknown argument, equality only between
instances of the same class, unhashable (as a non-frozen dataclass with eq). Frozen dataclasses stay dataclasses.
"""
from __future__ import annotations

import dataclasses
import reprlib

_MISSING = dataclasses.MISSING


def record(cls):
    if not cls.__dict__.get("__doc__"):
        cls.__doc__ = cls.__name__    # else dataclass builds one from inspect.signature (slow, and not ours)
    cls = dataclasses.dataclass(cls, init=False, repr=False, eq=False)
    flds = dataclasses.fields(cls)
    cls._record_init = tuple((f.name, f.default, f.default_factory, f.init) for f in flds)
    cls._record_positional = tuple(f.name for f in flds if f.init)
    cls._record_names = frozenset(cls._record_positional)
    cls._record_repr = tuple(f.name for f in flds if f.repr)
    cls._record_eq = tuple(f.name for f in flds if f.compare)
    for name, fn in (("__init__", _init), ("__repr__", _repr), ("__eq__", _eq)):
        if name not in cls.__dict__:          # a method the class defines itself wins, as with dataclass
            setattr(cls, name, fn)
    if cls.__dict__.get("__hash__") is None:   # unless the class defines its own
        cls.__hash__ = None
    return cls


def _init(self, *args, **kwargs):
    if args or not kwargs.keys() <= self._record_names:      # the common call, keywords only, needs no binding
        kwargs = _bind(self, args, kwargs)
    for name, default, factory, init in self._record_init:
        if init and name in kwargs:
            setattr(self, name, kwargs[name])
        elif factory is not _MISSING:
            setattr(self, name, factory())
        elif default is not _MISSING:
            setattr(self, name, default)
        elif init:
            raise TypeError(f"{type(self).__name__}.__init__() missing 1 required argument: '{name}'")
    post = getattr(self, "__post_init__", None)
    if post is not None:
        post()


def _bind(self, args: tuple, kwargs: dict) -> dict:
    """Positional arguments to their field names, with the TypeErrors the generated __init__ raises."""
    positional = self._record_positional
    if len(args) > len(positional):
        raise TypeError(f"{type(self).__name__}.__init__() takes {len(positional) + 1} positional arguments "
                        f"but {len(args) + 1} were given")
    given = dict(zip(positional, args, strict=False))   # len(args) <= len(positional)
    for name, value in kwargs.items():
        if name not in self._record_names:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument '{name}'")
        if name in given:
            raise TypeError(f"{type(self).__name__}.__init__() got multiple values for argument '{name}'")
        given[name] = value
    return given


@reprlib.recursive_repr()
def _repr(self):
    return f"{type(self).__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self._record_repr)})"


def _eq(self, other):
    if other.__class__ is not self.__class__:
        return NotImplemented
    names = self._record_eq
    return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)


_LEAVES = (str, int, float, bool, type(None))
_NAMES: dict[type, tuple[str, ...]] = {}


def asdict(obj):
    """dataclasses.asdict, the same result, for fsnb's data (records, dicts, lists, tuples, immutable leaves)
    without deepcopy's dispatch per leaf: a run's results went through ~10 000 of them (~4 ms). Other leaves are
    deep-copied, as asdict does."""
    if isinstance(obj, _LEAVES):
        return obj
    cls = type(obj)
    if hasattr(cls, "__dataclass_fields__") and not isinstance(obj, type):
        names = _NAMES.get(cls)
        if names is None:
            names = _NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
        return {n: asdict(getattr(obj, n)) for n in names}
    if cls is list:
        return [asdict(v) for v in obj]
    if cls is dict:
        return {asdict(k): asdict(v) for k, v in obj.items()}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return cls(*[asdict(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return cls(asdict(v) for v in obj)
    if isinstance(obj, dict):
        return cls((asdict(k), asdict(v)) for k, v in obj.items())
    import copy
    return copy.deepcopy(obj)
