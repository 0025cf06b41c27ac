"""Reading plan files safely and writing them canonically.

The loader is YAML's safe loader with three more refusals: files over 5 MB, alias
bombs (more than 200 aliases, or more than a million values once expanded) and
duplicate keys in a mapping (the later one would silently win). Dates stay text so
that pydantic reports a bad one with its item and field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tracker.errors import PlanError

MAX_PLAN_BYTES = 5_000_000
MAX_ALIASES = 200
MAX_NODES = 1_000_000
MAX_DIGITS = 30


# -- reading YAML safely ---------------------------------------------------------------
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Dates stay text here so that pydantic reports a bad one with its item and field."""

    def _short_number(self, node: yaml.ScalarNode) -> None:
        # Python refuses to convert more than 4,300 digits with a raw ValueError; no
        # Waypoint number needs more than 16 (values are bounded to 1e15).
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_DIGITS:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a number of {digits:,} digits; numbers have at most {MAX_DIGITS} digits",
                node.start_mark,
            )

    # YAML 1.1 reads 1:30 as a base-60 number (90): an hourly rate or a target typed as
    # a time was stored as a number nobody wrote. It stays text, and the field that
    # wants a number says so with its item.
    def construct_yaml_int(self, node: yaml.ScalarNode) -> int | str:
        self._short_number(node)
        if ":" in str(node.value):
            return str(self.construct_scalar(node))
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float | str:
        self._short_number(node)
        if ":" in str(node.value):
            return str(self.construct_scalar(node))
        return super().construct_yaml_float(node)

    # YAML 1.1 reads yes, no, on and off as true and false: a metric keyed `on` became
    # "metrics[True].key: should be a valid string". Only true and false are booleans
    # (YAML 1.2); the others stay text, and a yes/no field still reads them as one.
    def construct_yaml_bool(self, node: yaml.ScalarNode) -> bool | str:
        if str(node.value).lower() in ("true", "false"):
            return bool(super().construct_yaml_bool(node))
        return str(self.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:bool", _Loader.construct_yaml_bool)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)

_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


_MERGE = "tag:yaml.org,2002:merge"


def _refuse_duplicate_keys(node: yaml.Node, seen: set[int]) -> None:
    """Refuse a mapping that names one key twice (the later would silently win), or
    merges twice (`<<` written twice): checked on the document as written, before the
    safe loader's merging rewrites merged mappings in place (checked while constructing,
    a key merged into an anchor built earlier read as written twice)."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            _refuse_duplicate_keys(child, seen)
        return
    if not isinstance(node, yaml.MappingNode):
        return
    first: dict[tuple[str, str], yaml.Node] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            key = (key_node.tag, key_node.value)
            if key in first:
                shown = "<<" if key_node.tag == _MERGE else key_node.value
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {shown!r} appears twice in one mapping (first on line"
                    f" {first[key].start_mark.line + 1}); keep one",
                    key_node.start_mark,
                )
            first[key] = key_node
        _refuse_duplicate_keys(key_node, seen)
        _refuse_duplicate_keys(value_node, seen)


def _expanded_size(node: yaml.Node, memo: dict[int, int], aliases: list[int]) -> int:
    """How many values the document holds once every alias is expanded (a DAG walk)."""
    cached = memo.get(id(node))
    if cached is not None:
        aliases[0] += 1  # a node reached twice is an alias
        return cached
    memo[id(node)] = 1  # a recursive alias counts once instead of looping forever
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(child, memo, aliases) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(
            _expanded_size(k, memo, aliases) + _expanded_size(v, memo, aliases)
            for k, v in node.value
        )
    else:
        size = 1
    memo[id(node)] = min(size, MAX_NODES + 1)
    return memo[id(node)]


def load_yaml(text: str, source: str = "plan") -> Any:
    """Parse YAML with a safe loader; refuse files too large or alias bombs."""
    if len(text.encode("utf-8", "replace")) > MAX_PLAN_BYTES:
        raise PlanError([f"the file is larger than {MAX_PLAN_BYTES // 1_000_000} MB"], source)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        aliases = [0]
        if _expanded_size(node, {}, aliases) > MAX_NODES or aliases[0] > MAX_ALIASES:
            raise yaml.YAMLError(
                f"too many YAML aliases (*name): more than {MAX_ALIASES}, or expanding to more"
                f" than {MAX_NODES:,} values; write the items out in full"
            )
        _refuse_duplicate_keys(node, set())
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanError([f"{where}not valid YAML: {problem}"], source) from exc
    except RecursionError as exc:
        raise PlanError(["the YAML nests too deeply"], source) from exc
    finally:
        loader.dispose()


def read_plan_file(path: str | Path) -> tuple[Any, str]:
    """A plan (or mapping) file's YAML. At most the limit and one byte more is read: a
    device or a pipe (`/dev/zero`, `<(...)`) reports no size and never ends, and read
    whole it filled the machine's memory."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_PLAN_BYTES + 1)
    except FileNotFoundError as exc:
        raise PlanError([f"no such file: {path}"], str(path)) from exc
    except OSError as exc:
        raise PlanError([f"cannot read the file: {exc.strerror or exc}"], str(path)) from exc
    if len(data) > MAX_PLAN_BYTES:
        raise PlanError([f"the file is larger than {MAX_PLAN_BYTES // 1_000_000} MB"], str(path))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanError([f"cannot read the file as UTF-8 text: {exc}"], str(path)) from exc
    return load_yaml(text, str(path)), str(path)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _list_presenter(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    # Short lists of plain values (channels) read best inline: [linkedin, facebook]
    flow = all(isinstance(v, str | int | float) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(str, _str_presenter)
_Dumper.add_representer(list, _list_presenter)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
