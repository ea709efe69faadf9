"""Reading scenario files: safe YAML, bundled names, policies, ``--set`` overrides, clear errors.

Order of application: file -> shared actor profiles (``profiles/actors.yaml``, under the file's
own fields) -> policy (its ``set`` paths and extra injects) -> command-line overrides ->
validation. Every error names the file (or ``--set``), the field path, what was expected and what
was found, and is raised as ``ScenarioError`` so the CLI never shows a traceback.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import reprlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from escalade.errors import ScenarioError
from escalade.scenario.schema import Actor, Scenario

# List items can be addressed by a readable key instead of an index:
# relations.ISR>IRN.belief_bias, commitments.USA>ISR.type, mediators.QAT.effort.
_LIST_KEYS = {
    "relations": lambda d: f"{d.get('actor')}>{d.get('target')}",
    "commitments": lambda d: f"{d.get('protector')}>{d.get('protected')}",
    "mediators": lambda d: str(d.get("actor")),
}


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with where it came from and the choices applied to it."""

    scenario: Scenario
    source: str
    policy: str | None
    overrides: tuple[str, ...]
    text: str

    @property
    def hash(self) -> str:
        """Hash of the resolved scenario (after policy and overrides), for provenance."""
        canon = json.dumps(self.scenario.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canon.encode()).hexdigest()[:16]


def bundled_scenarios() -> dict[str, Path]:
    """Names of the scenarios shipped with escalade, mapped to their files."""
    folder = resources.files("escalade.scenario") / "bundled"
    return {Path(str(p)).stem: Path(str(p)) for p in folder.iterdir() if str(p).endswith(".yaml")}


def read_source(name_or_path: str) -> tuple[str, str]:
    """Return (label, text) for a bundled scenario name or a file path."""
    bundled = bundled_scenarios()
    if name_or_path in bundled:
        return name_or_path, bundled[name_or_path].read_text(encoding="utf-8")
    path = Path(name_or_path)
    if not path.exists():
        raise ScenarioError(
            f"{name_or_path}: no such file, and not a bundled scenario; "
            f"bundled scenarios are {sorted(bundled)}"
        )
    if path.is_dir():
        raise ScenarioError(f"{name_or_path}: is a folder; expected a scenario YAML file")
    try:
        with path.open("rb") as f:  # never more than the limit, whatever the file (/dev/zero)
            data = f.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ScenarioError(f"{name_or_path}: larger than {MAX_FILE_BYTES:,} bytes, the limit for "
                                "a scenario file")
        return str(path), data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{name_or_path}: cannot be read ({exc})") from None


# libyaml's safe loader when PyYAML was built with it (20x faster; the same safe subset of YAML).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Limits that keep a scenario file (or a --set value) from exhausting the machine. The default
# scenario is 17 KB, about 850 nodes, nested 5 deep, with no aliases.
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 50  # nested mappings and lists, counted through aliases
MAX_NODES = 200_000  # values once every alias is expanded (a "billion laughs" file has 10^9)


class _TooBig(yaml.YAMLError):
    """The YAML is nested too deep or expands to too many values."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem, self.problem_mark = problem, mark


class _BadValue(yaml.constructor.ConstructorError):
    """A scalar YAML reads but Python cannot hold: 2024-02-30, an integer of 100,000 digits."""


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: Any, first: int, second: Any) -> None:
        problem = (f"duplicate key {short_repr(key)} (first at line {first}); each key once, "
                   "or the second would silently replace the first")
        super().__init__(problem)
        self.problem, self.problem_mark = problem, second


def _check_structure(text: str) -> None:
    """Walk the parser's events (libyaml's parser is not recursive) and refuse a document nested
    deeper than ``MAX_DEPTH`` or expanding, aliases included, to more than ``MAX_NODES`` values.

    This runs before anything builds nested objects: composing 100,000 nested lists overflows
    libyaml's C stack (a segfault), and expanding a "billion laughs" file exhausts memory.
    """
    size: dict[str, int] = {}  # expanded node count of each anchor seen so far
    height: dict[str, int] = {}  # how many collection levels each anchor holds
    stack: list[list[Any]] = []  # open collections: [expanded count at start, anchor, height]
    total = 0
    for ev in yaml.parse(text, Loader=_SAFE_LOADER):
        grow, deep = 0, 0
        if isinstance(ev, yaml.CollectionStartEvent):
            stack.append([total, ev.anchor, 1])
            grow = 1
            deep = len(stack)
        elif isinstance(ev, yaml.CollectionEndEvent):
            start, anchor, h = stack.pop()
            if stack:
                stack[-1][2] = max(stack[-1][2], h + 1)
            if anchor is not None:
                size[anchor], height[anchor] = total - start, h
        elif isinstance(ev, yaml.ScalarEvent):
            grow = 1
            if ev.anchor is not None:
                size[ev.anchor], height[ev.anchor] = 1, 0
        elif isinstance(ev, yaml.AliasEvent):
            grow = size.get(ev.anchor, 1)
            h = height.get(ev.anchor, 0)
            deep = len(stack) + h
            if stack:
                stack[-1][2] = max(stack[-1][2], h + 1)
        total += grow
        if deep > MAX_DEPTH:
            raise _TooBig(f"nested more than {MAX_DEPTH} levels deep; a scenario needs a handful",
                          ev.start_mark)
        if total > MAX_NODES:
            raise _TooBig(f"more than {MAX_NODES:,} values once its aliases are expanded; "
                          "a scenario needs a few thousand", ev.start_mark)


class _Loader(_SAFE_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader, refusing duplicate keys and naming the value it cannot read."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:  # 2024-02-30, an integer of 100,000 digits
            what = node.value[:30] + ("..." if len(node.value) > 30 else "") if isinstance(
                node.value, str) else node.tag
            raise _BadValue(
                None, None, f"cannot read the value {what!r}: {str(exc).split(';')[0][:120]}",
                node.start_mark) from None

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: the base class says so
                    continue
                if first is not None:
                    raise _DuplicateKey(key, first, key_node.start_mark)
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)


def _load_yaml(text: str) -> Any:
    """Safe YAML (data, never code) within the limits above; raises ``yaml.YAMLError``."""
    if len(text) > MAX_FILE_BYTES:
        raise _TooBig(f"longer than {MAX_FILE_BYTES:,} characters", None)
    _check_structure(text)
    return yaml.load(text, Loader=_Loader)  # a safe loader: data only, never code


def _fresh(value: Any) -> Any:
    """A deep copy that also unshares what YAML aliases share, so that a --set or a policy that
    changes one place never changes another (the depth is bounded by ``MAX_DEPTH``)."""
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    if isinstance(value, set):
        return set(value)
    return value


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxtuple, _SHORT.maxset = 2, 4, 4, 4, 4
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlong = 40, 40, 40


def short_repr(value: Any) -> str:
    """A short ``repr`` for messages: never built from the whole of a large or expanded value."""
    try:
        return _SHORT.repr(value)
    except Exception:  # an int too long to print, an odd object: name its type
        return f"<{type(value).__name__}>"


def _yaml_problem(where: str, exc: yaml.YAMLError, text: str = "") -> str:
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        where = f"{where}:{mark.line + 1}:{mark.column + 1}"
    elif isinstance(exc, yaml.reader.ReaderError) and 0 <= exc.position <= len(text):
        line = text.count("\n", 0, exc.position)
        where = f"{where}:{line + 1}:{exc.position - text.rfind(chr(10), 0, exc.position)}"
    problem = getattr(exc, "problem", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
    kind = "" if isinstance(exc, _TooBig | _DuplicateKey | _BadValue) else "YAML syntax error: "
    return f"{where}: {kind}{problem}"


def safe_yaml(label: str, text: str) -> Any:
    """Any YAML document (an event profile, say) read under the same limits as scenarios: size,
    depth, aliases, duplicate keys; a problem is a ``ScenarioError`` naming ``label`` and line."""
    try:
        return _load_yaml(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(_yaml_problem(label, exc, text)) from None


def parse_yaml(label: str, text: str) -> dict[str, Any]:
    """Parse YAML safely (data, never code) and insist on a mapping at the top.

    A sweep loads the same file once per cell, so the parse is cached by text; callers get a
    deep copy and may change it freely.
    """
    return _fresh(_parse_yaml(label, text))


@functools.lru_cache(maxsize=16)
def _parse_yaml(label: str, text: str) -> dict[str, Any]:
    try:
        raw = _load_yaml(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(_yaml_problem(label, exc, text)) from None
    if not isinstance(raw, dict):
        raise ScenarioError(
            f"{label}: expected a mapping of scenario fields at the top, got {type(raw).__name__}"
        )
    return raw


def profiles_file() -> Path:
    """The shared actor profiles shipped with escalade."""
    return Path(str(resources.files("escalade.scenario") / "profiles" / "actors.yaml"))


def actor_profiles() -> dict[str, dict[str, Any]]:
    """Shared actor profiles by name: traits an actor keeps in every scenario that names it.

    Checked once when read: a profile is a mapping of ``Actor`` fields (values are checked with the
    scenario that uses it). Callers get a deep copy.
    """
    path = profiles_file()
    return copy.deepcopy(_actor_profiles(str(path), path.read_text(encoding="utf-8")))


@functools.lru_cache(maxsize=4)
def _actor_profiles(label: str, text: str) -> dict[str, dict[str, Any]]:
    raw = _parse_yaml(label, text)
    fields = set(Actor.model_fields)
    for name, fields_of in raw.items():
        if not isinstance(fields_of, dict):
            raise ScenarioError(f"{label}: {name}: expected a mapping of actor fields, "
                                f"got {type(fields_of).__name__}")
        unknown = sorted(set(fields_of) - fields)
        if unknown:
            raise ScenarioError(f"{label}: {name}: unknown actor field(s) {unknown}; "
                                f"expected some of {sorted(fields)}")
    return raw


def expand_profiles(label: str, raw: dict[str, Any]) -> None:
    """Replace each ``actors.X.profile: NAME`` by the profile's fields under the actor's own.

    The scenario's fields win over the profile's; a policy and ``--set`` are applied afterwards,
    so they win over both. Changes ``raw`` in place.
    """
    actors = raw.get("actors")
    if not isinstance(actors, dict) or not any(
        isinstance(a, dict) and "profile" in a for a in actors.values()
    ):
        return
    profiles = actor_profiles()
    for aid, actor in actors.items():
        if not isinstance(actor, dict) or "profile" not in actor:
            continue
        name = actor["profile"]
        if not isinstance(name, str):
            raise ScenarioError(f"{label}: actors.{aid}.profile: expected the name of a profile "
                                f"(one of {sorted(profiles)}), got {name!r}")
        if name not in profiles:
            raise ScenarioError(f"{label}: actors.{aid}.profile: unknown profile '{name}'; "
                                f"expected one of {sorted(profiles)} (from {profiles_file()})")
        own = {k: v for k, v in actor.items() if k != "profile"}
        actors[aid] = {**profiles[name], **own}


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``path=value``; the value is read as a YAML scalar (0.9, true, formal, [1, 2])."""
    if "=" not in text:
        raise ScenarioError(f"--set {text}: expected PATH=VALUE, e.g. actors.IRN.resolve=0.9")
    path, _, value = text.partition("=")
    path = path.strip()
    if not path:
        raise ScenarioError(f"--set {text}: the path before '=' is empty")
    return path, read_value(value, f"--set {path}") if value.strip() else ""


def read_value(text: str, origin: str, as_text: bool = True) -> Any:
    """One value given on the command line, read as YAML (0.9, true, formal, [1, 2]) within the
    same limits as a file. Text that is not YAML is kept as text (``as_text``), or refused."""
    try:
        return _load_yaml(text)
    except (_TooBig, _BadValue) as exc:
        raise ScenarioError(f"{origin}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        if as_text:
            return text
        problem = getattr(exc, "problem", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
        raise ScenarioError(f"{origin}: YAML syntax error: {problem}") from None


def set_path(raw: dict[str, Any], path: str, value: Any, origin: str) -> str:
    """Set a dotted path inside the raw scenario; every step but the last must exist.

    Returns the path with list items by index (``relations.0.grievance``), as errors name it."""
    parts = path.split(".")
    node: Any = raw
    walked: list[str] = []
    resolved: list[str] = []
    for k, part in enumerate(parts):
        last = k == len(parts) - 1
        where = ".".join(walked) or "the top level"
        index: int | None = None
        if isinstance(node, dict):
            if last:
                node[part] = value
                return ".".join([*resolved, part])
            if part not in node:
                known = ", ".join(sorted(map(str, node))) or "nothing"
                raise ScenarioError(
                    f"{origin} {path}: no field '{part}' at {where}; expected one of: {known}"
                )
            node = node[part]
        elif isinstance(node, list):
            index = _list_index(node, part, walked[-1] if walked else "")
            if index is None:
                keys = _list_labels(node, walked[-1] if walked else "")
                raise ScenarioError(
                    f"{origin} {path}: no item '{part}' in {where}; expected an index "
                    f"0..{len(node) - 1}" + (f" or one of: {', '.join(keys)}" if keys else "")
                )
            if last:
                node[index] = value
                return ".".join([*resolved, str(index)])
            node = node[index]
        else:
            raise ScenarioError(
                f"{origin} {path}: {where} is a value ({short_repr(node)}), it has no field '{part}'"
            )
        walked.append(part)
        resolved.append(part if index is None else str(index))
    return path


def value_at(scenario: Scenario, path: str) -> Any:
    """The value a dotted ``--set`` path names in a validated scenario (defaults included)."""
    node: Any = scenario.model_dump(mode="python")
    walked: list[str] = []
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and (i := _list_index(node, part, walked[-1] if walked else "")) is not None:  # noqa: E501
            node = node[i]
        else:
            raise ScenarioError(f"{path}: no such field in scenario '{scenario.name}'")
        walked.append(part)
    return node


def _list_labels(items: list[Any], list_name: str) -> list[str]:
    label = _LIST_KEYS.get(list_name)
    if label is None:
        return []
    return [label(d) for d in items if isinstance(d, dict)]


def _list_index(items: list[Any], part: str, list_name: str) -> int | None:
    if part.isascii() and part.isdigit() and len(part) < 10:  # not "-0", "²" or 10^5 digits
        i = int(part)
        return i if 0 <= i < len(items) else None
    labels = _list_labels(items, list_name)
    return labels.index(part) if part in labels else None


def _origin(loc: str, overrides: dict[str, str], label: str) -> str:
    """Where a problem came from: the --set or policy that wrote the field (or a field above or
    below it), else the file."""
    for path, origin in sorted(overrides.items(), key=lambda kv: -len(kv[0])):
        if loc == path or loc.startswith(path + ".") or (loc and path.startswith(loc + ".")):
            return origin
    return label


def format_validation_error(label: str, err: ValidationError, overrides: dict[str, str]) -> str:
    """One line per problem: where (file or --set), field path, what was expected, what was got."""
    lines = []
    for e in err.errors()[:6]:
        loc = ".".join(str(p)[:40] for p in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        head, colon, rest = msg.partition(": ")
        if e["type"] == "value_error" and colon and " " not in head and ";" not in head:
            loc, msg = ".".join(p for p in (loc, head) if p), rest  # a model's check names its field
        origin = _origin(loc, overrides, label)
        if e["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; `escalade scenario-schema` lists the fields)"
        elif e["type"] == "missing":
            msg = "required field is missing"
        got = "" if e["type"] in {"missing", "value_error"} else f"; got {short_repr(e['input'])}"
        if len(got) > 80:
            got = got[:77] + "..."
        lines.append(f"{origin}: {loc + ': ' if loc else ''}{msg}{got}")
    more = len(err.errors()) - 6
    if more > 0:
        lines.append(f"... and {more} more problem(s)")
    return "\n".join(lines)


def load_scenario(
    name_or_path: str,
    policy: str | None = None,
    overrides: list[str] | tuple[str, ...] = (),
) -> LoadedScenario:
    """Read, apply a policy and overrides, and validate. Raises ``ScenarioError`` on any problem."""
    label, text = read_source(name_or_path)
    raw = parse_yaml(label, text)
    return build_scenario(label, text, raw, policy, overrides)


def build_scenario(
    label: str,
    text: str,
    raw: dict[str, Any],
    policy: str | None,
    overrides: list[str] | tuple[str, ...] = (),
) -> LoadedScenario:
    """Expand actor profiles, apply policy and overrides to a parsed mapping, and validate."""
    raw = copy.deepcopy(raw)
    expand_profiles(label, raw)
    policies = raw.get("policies") or {}
    if policy is None and isinstance(raw.get("default_policy"), str):
        policy = raw["default_policy"]
    origins: dict[str, str] = {}
    if policy is not None:
        if not isinstance(policies, dict) or policy not in policies:
            known = sorted(map(str, policies)) if isinstance(policies, dict) else []
            raise ScenarioError(f"{label}: unknown policy '{policy}'; expected one of {known}")
        spec = policies[policy] or {}
        if not isinstance(spec, dict):
            raise ScenarioError(f"{label}: policies.{policy}: expected a mapping, got {short_repr(spec)}")
        sets = spec.get("set") or {}
        if not isinstance(sets, dict):
            raise ScenarioError(f"{label}: policies.{policy}.set: expected a mapping of PATH: VALUE, "
                                f"got {short_repr(sets)}")
        for path, value in sets.items():
            at = set_path(raw, str(path), copy.deepcopy(value), f"{label}: policies.{policy}.set")
            origins[str(path)] = origins[at] = f"{label} (policy {policy})"
        extra = spec.get("injects") or []
        if not isinstance(extra, list) or not isinstance(raw.get("injects") or [], list):
            raise ScenarioError(f"{label}: policies.{policy}.injects and injects: expected lists of "
                                f"injects, got {short_repr(extra)} and {short_repr(raw.get('injects'))}")
        if extra:
            raw["injects"] = list(raw.get("injects") or []) + list(copy.deepcopy(extra))
    for text_override in overrides:
        path, value = parse_override(text_override)
        at = set_path(raw, path, value, "--set")
        origins[path] = origins[at] = f"--set {path}"
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError(format_validation_error(label, err, origins)) from None
    return LoadedScenario(scenario, label, policy, tuple(overrides), text)


def validate_file(name_or_path: str) -> list[str]:
    """Validate a file and each of its policies; return the names of the policies checked."""
    label, text = read_source(name_or_path)
    raw = parse_yaml(label, text)
    base = build_scenario(label, text, raw, None)
    for name in base.scenario.policies:
        build_scenario(label, text, raw, name)
    return sorted(base.scenario.policies)
