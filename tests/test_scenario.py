"""Scenario files: the default loads, policies and overrides apply, bad input gets a clear error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from escalade.compile import compile_scenario
from escalade.errors import ScenarioError
from escalade.scenario.load import bundled_scenarios, load_scenario, profiles_file, validate_file

DEFAULT = bundled_scenarios()["levant-2024"]


def test_default_scenario_and_every_policy_validate() -> None:
    policies = validate_file("levant-2024")
    assert {"informal", "formal-pact", "formal-no-void", "informal-red-line", "no-guarantee",
            "aid-cut"} <= set(policies)
    sc = load_scenario("levant-2024").scenario
    assert set(sc.actors) == {"ISR", "HAM", "HEZ", "IRN", "HOU", "USA", "QAT", "SHP"}
    assert sc.start_date.isoformat() == "2024-08-01"


# Numbers have sources: the rule, and the scanner that applies it to the bundled files.
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
# Not parameters: a ladder entry's `rung` is its index (the schema requires rung i at position i).
_NOT_PARAMETERS = re.compile(r"^ladder\[\d+\]\.rung$")


def _comments(text: str) -> dict[int, tuple[int, str]]:
    """Line index -> (column, text) of the line's comment: a `#` at the start of the line or
    after a blank, outside any scalar (so `note: "a # b"` holds no comment)."""
    inside: dict[int, list[tuple[int, int]]] = {}
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, yaml.ScalarToken):
            start, end = token.start_mark, token.end_mark
            for line in range(start.line, end.line + 1):
                inside.setdefault(line, []).append(
                    (start.column if line == start.line else 0,
                     end.column if line == end.line else 1 << 30))
    found = {}
    for i, line in enumerate(text.splitlines()):
        for m in re.finditer("#", line):
            c = m.start()
            if (c == 0 or line[c - 1] in " \t") and not any(a <= c < b for a, b in inside.get(i, [])):
                found[i] = (c, line[c + 1:].strip())
                break
    return found


def _numbers(node, path: str = "", key: str = "", entry=None):
    """(path, key, scalar node, outermost flow collection holding it or None) for each number."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag in _NUMBER_TAGS:
            yield path, key, node, entry
    elif isinstance(node, yaml.SequenceNode):
        entry = entry or (node if node.flow_style else None)
        for i, item in enumerate(node.value):
            yield from _numbers(item, f"{path}[{i}]", key, entry)
    elif isinstance(node, yaml.MappingNode):
        entry = entry or (node if node.flow_style else None)
        for k, v in node.value:
            yield from _numbers(v, f"{path}.{k.value}" if path else k.value, k.value, entry)


def unsourced_numbers(text: str, name: str = "<text>") -> list[str]:
    """Each number in a YAML text that carries no comment, as 'name:line: path = value'.

    A number is a scalar YAML resolves as int or float (not a date, a quoted code like
    cameo: "195", a boolean). It is sourced when

    1. its own line carries a comment; or
    2. it sits in a flow entry (``{...}`` or ``[...]``, on one line or several) that carries a
       comment - on one of the entry's lines, or on the comment-only lines directly below its
       last line (no blank line between) indented deeper than the entry's opening bracket, as
       the ladder and relation entries write it - and the key it sets is named (as a word) in
       that comment or in its section's header, the comment lines directly above the top-level
       key (``ladder:``, ``relations:``) that say what each field is and where its values come
       from.

    Naming the key keeps rule 2 strict: a field added to a commented entry fails until the
    entry's comment or the section's header says where it comes from. A header comment alone
    never sources a number: its entry must carry a comment too. The only exemption is a ladder
    entry's ``rung``, its index, which is not a parameter. Horizons, ``days``, the rungs that
    define outcomes and an inject's day and rung are the modeller's choices and carry a comment
    like any other number; dates are not numbers to YAML.
    """
    lines = text.splitlines()
    comments = _comments(text)
    missing = []
    for path, key, node, entry in _numbers(yaml.compose(text, Loader=yaml.SafeLoader)):
        line = node.start_mark.line
        if line in comments or _NOT_PARAMETERS.match(path):
            continue
        if entry is not None:
            first, last = entry.start_mark.line, entry.end_mark.line
            said = [comments[i][1] for i in range(first, last + 1) if i in comments]
            below = last + 1
            while (below in comments and lines[below].lstrip().startswith("#")
                   and comments[below][0] > entry.start_mark.column):
                said.append(comments[below][1])
                below += 1
            section = re.split(r"[.\[]", path)[0]
            top = next(i for i, t in enumerate(lines) if t.startswith(f"{section}:"))
            header = []
            while top > 0 and lines[top - 1].startswith("#"):
                top -= 1
                header.append(lines[top])
            if said and re.search(rf"\b{re.escape(key)}\b", " ".join(said + header), re.I):
                continue
        missing.append(f"{name}:{line + 1}: {path} = {node.value}")
    return missing


def test_every_number_in_the_bundled_files_carries_a_comment() -> None:
    """Numbers have sources: every number in each bundled scenario and in the shared actor
    profiles carries a comment that names its source or says it is a judgement and why (the
    rule is ``unsourced_numbers``'s)."""
    files = [*bundled_scenarios().values(), profiles_file()]
    assert len(files) >= 8
    missing = [m for f in files for m in unsourced_numbers(f.read_text(encoding="utf-8"), f.name)]
    assert not missing, "numbers without a source comment:\n" + "\n".join(missing)
    text = DEFAULT.read_text(encoding="utf-8")
    assert "judgement" in text and "CENTCOM" in text and "IDF" in text


_SOURCED = """\
# damage: people killed a day (judgement)
ladder:
  - {rung: 0, damage: 0}          # restraint
  - {rung: 1, damage: 5,
     cost: 1.5}
     # cost: judgement
model:
  a: 1                            # judgement
  b: [1, 2]                       # judgement
  when: 2024-08-01
  code: "195"
  note: "a # b"                   # quoted: not a comment
"""


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        (_SOURCED, []),
        (_SOURCED + "  c: 2\n", ["model.c = 2"]),                             # a new bare number
        (_SOURCED + "  d: [1, 2]\n", ["model.d[0] = 1", "model.d[1] = 2"]),   # in a list
        (_SOURCED + '  e: "3 # x"\n', []),                                    # a quoted string
        (_SOURCED + '  f: 4  # judgement\n  g: "4 # x"\n  h: 5\n', ["model.h = 5"]),
        # a field added to a commented entry, named neither by its comment nor the header
        (_SOURCED.replace("cost: 1.5}", "cost: 1.5, lead_days: 3}"), ["ladder[1].lead_days = 3"]),
        # the entry's comment is what counts: a header alone does not source it
        (_SOURCED.replace("     # cost: judgement\n", ""), ["ladder[1].damage = 5", "ladder[1].cost = 1.5"]),
        # a comment below the entry counts only directly below it and indented under it
        (_SOURCED.replace("     # cost", "\n     # cost"), ["ladder[1].damage = 5", "ladder[1].cost = 1.5"]),
        (_SOURCED.replace("     # cost", "  # cost"), ["ladder[1].damage = 5", "ladder[1].cost = 1.5"]),
    ],
)
def test_the_source_rule_catches_a_number_added_without_a_comment(text: str, missing: list[str]) -> None:
    assert [m.split(": ", 1)[1] for m in unsourced_numbers(text)] == missing


def test_policy_and_overrides_apply() -> None:
    formal = load_scenario("levant-2024", "formal-pact").scenario
    assert formal.commitments[0].type == "formal"
    sc = load_scenario("levant-2024", None, ["actors.IRN.resolve=0.3",
                                              "relations.ISR>IRN.belief_bias=-0.5"]).scenario
    assert sc.actors["IRN"].resolve == 0.3
    assert next(r for r in sc.relations if r.key == "ISR>IRN").belief_bias == -0.5


def test_scenario_hash_changes_with_overrides() -> None:
    a = load_scenario("levant-2024")
    b = load_scenario("levant-2024", None, ["actors.IRN.resolve=0.3"])
    assert a.hash != b.hash and a.hash == load_scenario("levant-2024").hash


def _write(tmp_path: Path, text: str) -> str:
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    return str(p)


def _mutated(tmp_path: Path, edit) -> str:
    raw = yaml.safe_load(DEFAULT.read_text())
    edit(raw)
    return _write(tmp_path, yaml.safe_dump(raw))


@pytest.mark.parametrize(
    ("edit", "fragments"),
    [
        (lambda r: r["actors"]["IRN"].__setitem__("resolve", "high"),
         ["actors.IRN.resolve", "valid number", "'high'"]),
        (lambda r: r["actors"]["IRN"].__setitem__("resolv", 0.5),
         ["actors.IRN.resolv", "unknown field"]),
        (lambda r: r["actors"]["IRN"].__setitem__("resolve", 1.5),
         ["actors.IRN.resolve", "less than or equal to 1", "1.5"]),
        (lambda r: r["relations"][0].__setitem__("target", "XYZ"),
         ["relations.0.target", "unknown actor id 'XYZ'", "expected one of"]),
        (lambda r: r["ladder"][3].__setitem__("rung", 7),
         ["ladder", "rung 3 must have rung: 3"]),
        (lambda r: r.pop("outcomes"), ["outcomes", "required field is missing"]),
    ],
)
def test_bad_file_names_file_path_expected_and_got(tmp_path: Path, edit, fragments) -> None:
    path = _mutated(tmp_path, edit)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    message = str(exc.value)
    assert path in message
    for f in fragments:
        assert f in message, message


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: x\nactors: [unclosed\n")
    with pytest.raises(ScenarioError, match=r"bad\.yaml:\d+:\d+: YAML syntax error"):
        load_scenario(path)


def test_yaml_is_data_not_code(tmp_path: Path) -> None:
    path = _write(tmp_path, "!!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(ScenarioError, match="YAML syntax error"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("relations.ISR>HOU.kill_post=military",
         "relations.3.kill_post: HOU has no post 'military'; expected one of ['head']"),
        ("injects=[{type: attack, day: 3, actor: ISR, target: QAT, rung: 5, post: political}]",
         "injects.0.post: QAT has no post 'political'"),
        ("actors.HEZ.leaders=[x]", "actors.HEZ.leaders: give leaders or posts, not both"),
        ("actors.HEZ.posts={}", "actors.HEZ.posts: at least one post"),
        ("actors.HEZ.posts.chief={holders: [x]}", "actors.HEZ.posts.chief"),
        ("actors.HEZ.posts.military.exposure=-1", "actors.HEZ.posts.military.exposure"),
    ],
)
def test_bad_posts_are_named(override: str, fragment: str) -> None:
    """Leadership posts: a kill aimed at a post the target lacks, leaders given with posts, an
    unknown kind of post or a bad value is refused with the field's path."""
    with pytest.raises(ScenarioError) as exc:
        load_scenario("levant-2024", None, [override])
    assert fragment in str(exc.value), str(exc.value)


def test_an_actor_without_posts_has_one_head_post_from_its_single_post_fields() -> None:
    sc = load_scenario("levant-2024").scenario
    qatar = sc.actors["QAT"].post_table()
    assert list(qatar) == ["head"] and qatar["head"].holders == ["Tamim bin Hamad Al Thani"]
    hez = sc.actors["HEZ"]
    table = hez.post_table()
    assert list(table) == ["head", "military"]  # the order kills aim at by default
    assert table["head"].protection == hez.leader_protection  # unset: the actor's (profile's)
    assert table["military"].protection == 0.5 and table["military"].vacant_days == 4


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("relations.ISR>IRN.rungs=[1, 4, 4]", "relations.2.rungs.2: rung 4 is listed twice"),
        ("relations.ISR>IRN.rungs=[1, 12]", "relations.2.rungs.1: rung 12 is above the ladder's top"),
        ("relations.ISR>IRN.actions={3: {name: fire, cameo: '190'}}",
         "relations.2.actions.3: rung 3 is not one the actor can use on IRN"),
        ("relations.ISR>IRN.actions={5: {name: a killing, cameo: 'x1'}}",
         "relations.2.actions.5.cameo: String should match pattern"),
        ("commitments.USA>ISR.type=ally", "commitments.USA>ISR.type"),
        ("commitments.USA>ISR.joins_on=fired", "commitments.USA>ISR.joins_on"),
        ("commitments.USA>ISR.void_rung=2", "commitments.0.void_rung: 2 is below force_rung 3"),
    ],
)
def test_bad_means_and_commitment_terms_are_named(override: str, fragment: str) -> None:
    """Rungs an actor has the means for, a pair's own words for a rung, and a commitment's terms
    are refused with the field's path when they are wrong."""
    with pytest.raises(ScenarioError) as exc:
        load_scenario("levant-2024", None, [override])
    assert fragment in str(exc.value), str(exc.value)


def test_a_pair_names_and_codes_a_rung_in_its_own_words() -> None:
    """The Houthis' attacks on shipping are the ladder's fire and strike, called and coded as
    the declared blockade at sea; other pairs keep the ladder's words."""
    c = compile_scenario(load_scenario("levant-2024").scenario)
    hou, shp, isr, ham = (c.index(a) for a in ("HOU", "SHP", "ISR", "HAM"))
    assert c.rung_code(hou, shp, 3) == "191" and "blockade" in c.rung_name(hou, shp, 3)
    assert (c.rung_name(isr, ham, 3), c.rung_code(isr, ham, 3)) == (c.rung_names[3], c.rung_cameo[3])


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("actors.XXX.resolve=0.5", "no field 'XXX' at actors; expected one of: HAM"),
        ("relations.ISR>ZZZ.hostility=1", "no item 'ISR>ZZZ' in relations"),
        ("actors.IRN.resolve", "expected PATH=VALUE"),
        ("actors.IRN.resolve=2", "--set actors.IRN.resolve: actors.IRN.resolve"),
        ("actors.IRN.resolv=0.2", "unknown field"),
    ],
)
def test_bad_override_is_named(override: str, fragment: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario("levant-2024", None, [override])
    assert fragment in str(exc.value), str(exc.value)


def test_unknown_policy_lists_the_known_ones() -> None:
    with pytest.raises(ScenarioError, match=r"unknown policy 'treaty'.*formal-pact"):
        load_scenario("levant-2024", "treaty")


def test_missing_file_is_clear() -> None:
    with pytest.raises(ScenarioError, match="no such file, and not a bundled scenario"):
        load_scenario("nowhere.yaml")
