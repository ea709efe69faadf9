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
        return str(path), path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{name_or_path}: cannot be read ({exc})") from None


# libyaml's safe loader when PyYAML was built with it (20x faster; the same safe subset of YAML).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(label: str, text: str) -> dict[str, Any]:
    """Parse YAML safely (data, never code) and insist on a mapping at the top.

    A sweep loads the same file once per cell, so the parse is cached by text; callers get a
    deep copy and may change it freely.
    """
    return copy.deepcopy(_parse_yaml(label, text))


@functools.lru_cache(maxsize=16)
def _parse_yaml(label: str, text: str) -> dict[str, Any]:
    try:
        raw = yaml.load(text, Loader=_SAFE_LOADER)  # a safe loader: data only, never code
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark else label
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{where}: YAML syntax error: {problem}") from None
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
    try:
        return path, yaml.safe_load(value) if value.strip() else ""
    except yaml.YAMLError:
        return path, value


def set_path(raw: dict[str, Any], path: str, value: Any, origin: str) -> None:
    """Set a dotted path inside the raw scenario; every step but the last must exist."""
    parts = path.split(".")
    node: Any = raw
    walked: list[str] = []
    for k, part in enumerate(parts):
        last = k == len(parts) - 1
        where = ".".join(walked) or "the top level"
        if isinstance(node, dict):
            if last:
                node[part] = value
                return
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
                return
            node = node[index]
        else:
            raise ScenarioError(
                f"{origin} {path}: {where} is a value ({node!r}), it has no field '{part}'"
            )
        walked.append(part)


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
    if part.lstrip("-").isdigit():
        i = int(part)
        return i if 0 <= i < len(items) else None
    labels = _list_labels(items, list_name)
    return labels.index(part) if part in labels else None


def format_validation_error(label: str, err: ValidationError, overrides: dict[str, str]) -> str:
    """One line per problem: where (file or --set), field path, what was expected, what was got."""
    lines = []
    for e in err.errors()[:6]:
        loc = ".".join(str(p) for p in e["loc"])
        origin = overrides.get(loc, label)
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; `escalade scenario-schema` lists the fields)"
        elif e["type"] == "missing":
            msg = "required field is missing"
        got = "" if e["type"] in {"missing", "value_error"} else f"; got {e['input']!r}"
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
            known = sorted(policies) if isinstance(policies, dict) else []
            raise ScenarioError(f"{label}: unknown policy '{policy}'; expected one of {known}")
        spec = policies[policy] or {}
        if not isinstance(spec, dict):
            raise ScenarioError(f"{label}: policies.{policy}: expected a mapping, got {spec!r}")
        for path, value in (spec.get("set") or {}).items():
            set_path(raw, str(path), copy.deepcopy(value), f"{label}: policies.{policy}.set")
            origins[str(path)] = f"{label} (policy {policy})"
        extra = spec.get("injects") or []
        if extra:
            raw["injects"] = list(raw.get("injects") or []) + list(copy.deepcopy(extra))
    for text_override in overrides:
        path, value = parse_override(text_override)
        set_path(raw, path, value, "--set")
        origins[path] = f"--set {path}"
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
