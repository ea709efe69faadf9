"""Event tables: code tables, the CAMEO → rung rule, the loader's checks, profiles, the curve."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest

from escalade.errors import UserError
from escalade.events import (
    EventsError,
    EventTable,
    bundled_profiles,
    cameo_info,
    escalation_curve,
    is_ceasefire,
    load_events,
    rung_for,
)
from escalade.events import table as table_module
from escalade.events.cameo import cameo_table
from escalade.scenario.load import load_scenario
from escalade.scenario.schema import LadderRung

DATA = Path(__file__).parent / "data" / "events"
SMALL = DATA / "levant_small.csv"
HEADER = "date,source,target,cameo,description"
D = dt.date


@pytest.fixture(scope="module")
def levant():
    return load_scenario("levant-2024").scenario


def rung(n: int, code: str) -> LadderRung:
    return LadderRung(rung=n, name=f"rung {n}", cameo=code, goldstein=-5.0, damage=0, cost=0)


# --- code tables ---------------------------------------------------------------------------


def test_cameo_table_is_gdelt_plus_five_codebook_codes():
    table = cameo_table()
    assert len(table) == 316
    assert {"155", "176", "1834", "1951", "1952"} <= set(table)
    assert all(c.isdigit() and 2 <= len(c) <= 4 for c in table)


@pytest.mark.parametrize(
    ("code", "weight"),
    [("13", -6.0), ("130", -4.4), ("138", -7.0), ("154", -7.2), ("163", -8.0), ("18", -9.0),
     ("182", -9.5), ("186", -10.0), ("19", -10.0), ("192", -9.5), ("195", -10.0), ("0871", 9.0),
     ("0874", 10.0), ("045", 5.0), ("046", 7.0), ("072", 8.3), ("074", 8.5), ("011", -0.1),
     ("1952", -10.0), ("155", -7.2)],
)
def test_goldstein_weights_as_published(code, weight):
    assert cameo_info(code).goldstein == weight


@pytest.mark.parametrize(
    ("code", "plover"),
    [("0871", "RETREAT/ceasefire"), ("186", "ASSAULT/targeted"), ("195", "ASSAULT/aerial"),
     ("1951", "ASSAULT/aerial"), ("1952", "ASSAULT/drone"), ("154", "MOBILIZE/troops"),
     ("190", "ASSAULT"), ("163", "COERCE/restrict"),
     ("155", "MOBILIZE"),      # no crosswalk row: inherits its parent 15
     ("176", "COERCE"),        # inherits 17
     ("010", "")],             # root 01 has no PLOVER equivalent
)
def test_plover_map_and_inheritance(code, plover):
    assert cameo_info(code).plover == plover


@pytest.mark.parametrize(
    ("code", "message"),
    [("999", "not in the CAMEO table"), ("871", "leading zero from '0871'"),
     ("abc", "expected a CAMEO code of 2 to 4 digits"), ("12345", "2 to 4 digits")],
)
def test_unknown_codes_are_clear_user_errors(code, message):
    with pytest.raises(EventsError, match=message) as info:
        cameo_info(code)
    assert isinstance(info.value, UserError)


def test_is_ceasefire():
    assert is_ceasefire("0871") and is_ceasefire("RETREAT/ceasefire")
    assert not is_ceasefire("087") and not is_ceasefire("196")


# --- CAMEO → rung --------------------------------------------------------------------------

SMALL_LADDER = [rung(0, "01"), rung(1, "138"), rung(2, "154"), rung(3, "190"), rung(4, "195"),
                rung(5, "186"), rung(7, "195")]


@pytest.mark.parametrize(
    ("code", "expected"),
    [("195", 4), ("186", 5), ("190", 3),            # exact; 195 is ambiguous: the lowest
     ("1951", 4), ("1384", 1), ("010", 0),          # longest ladder code that is a prefix
     ("131", 1), ("13", 1), ("150", 2),             # 13 and 15 roots: the rung of that root
     ("181", 5), ("185", 5), ("193", 3),            # 18/19: the lowest rung sharing the root
     ("20", 3), ("204", 3),                         # 20: no rung of its root, lowest force rung
     ("045", None), ("0871", None), ("112", None), ("14", None), ("163", None), ("172", None)],
)
def test_rung_for_branches(code, expected):
    assert rung_for(code, SMALL_LADDER) == expected


def test_rung_for_prefers_the_longest_prefix():
    ladder = [rung(2, "19"), rung(4, "195")]
    assert rung_for("1952", ladder) == 4
    assert rung_for("193", ladder) == 2


def test_rung_for_without_the_root_on_the_ladder():
    no_threat = [rung(0, "01"), rung(3, "190")]
    assert rung_for("131", no_threat) is None           # 13 with no 13x rung: off the ladder
    assert rung_for("154", no_threat) is None
    assert rung_for("186", no_threat) == 3              # force falls back to the lowest force rung
    assert rung_for("204", [rung(0, "01"), rung(1, "138")]) is None   # no force rung at all


def test_rung_for_is_order_independent_and_checks_codes():
    assert rung_for("195", list(reversed(SMALL_LADDER))) == 4
    with pytest.raises(EventsError, match="not in the CAMEO table"):
        rung_for("999", SMALL_LADDER)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("01", 0), ("138", 1), ("154", 2), ("190", 3), ("195", 4), ("1951", 4), ("1952", 4),
     ("186", 5), ("183", 6), ("1831", 6), ("192", 9), ("193", 3), ("045", None)],
)
def test_rung_for_on_the_default_ladder(levant, code, expected):
    assert rung_for(code, levant.ladder) == expected


# --- loader: the happy path ----------------------------------------------------------------


def test_load_native_table(levant):
    t = load_events(SMALL, actors=list(levant.actors), ladder=levant.ladder)
    assert isinstance(t, EventTable) and t.label == str(SMALL) and t.dropped == 0
    assert [e.line for e in t.events] == [2, 3, 4, 5, 6, 6, 6, 7, 8]
    assert [e.date for e in t.events] == sorted(e.date for e in t.events)
    assert (t.start, t.end) == (D(2024, 4, 1), D(2024, 4, 26))
    assert t.actors == {"ISR", "IRN", "HEZ", "QAT", "HAM"}
    by_line = {e.line: e for e in t.events}
    kill = by_line[2]
    assert (kill.rung, kill.rung_explicit, kill.killed, kill.leader) == (5, True, 7, "Mohammad Reza Zahedi")
    assert (kill.goldstein, kill.plover) == (-10.0, "ASSAULT/targeted")      # filled from the tables
    vow = by_line[3]
    assert (vow.rung, vow.rung_explicit, vow.goldstein, vow.plover) == (1, False, -7.0, "THREATEN/violence")
    barrage = by_line[4]
    assert (barrage.rung, barrage.plover) == (7, "ASSAULT/drone")
    assert (barrage.launched, barrage.intercepted) == (320, 310)
    assert by_line[5].rung == 4 and not by_line[5].rung_explicit          # 1951 → 195's rung
    fire = [e for e in t.events if e.line == 6]
    assert [e.date for e in fire] == [D(2024, 4, 20), D(2024, 4, 21), D(2024, 4, 22)]
    assert all(e.rung == 3 and e.cameo == "190" for e in fire)
    assert by_line[7].rung is None and by_line[7].goldstein == 5.0            # mediation: off the ladder
    assert by_line[8].goldstein == 8.0 and is_ceasefire(by_line[8])          # explicit goldstein kept
    assert by_line[3].launched is None and by_line[3].citation == ""


def test_without_a_ladder_only_explicit_rungs():
    t = load_events(SMALL)
    assert {e.line: e.rung for e in t.events} == {2: 5, 3: None, 4: 7, 5: None, 6: None, 7: None, 8: None}


def test_before_between_and_frame():
    t = load_events(SMALL)
    assert [e.date for e in t.before(D(2024, 4, 13)).events] == [D(2024, 4, 1), D(2024, 4, 2)]
    mid = t.between(D(2024, 4, 13), D(2024, 4, 20))
    assert [e.line for e in mid.events] == [4, 5, 6]
    assert mid.label == t.label
    with pytest.raises(EventsError, match="no events"):
        _ = t.before(D(2024, 1, 1)).start
    frame = t.to_frame()
    assert len(frame) == 9
    assert list(frame.columns[:6]) == ["line", "date", "source", "target", "cameo", "description"]
    assert str(frame["launched"].dtype) == "Int64" and frame["launched"].isna().sum() == 8
    assert frame["cameo"].tolist()[:2] == ["186", "138"]      # codes stay text


def test_escalation_curve():
    t = load_events(SMALL)
    dates, daily = escalation_curve(t, D(2024, 4, 19), D(2024, 4, 25))
    assert dates.dtype == np.dtype("datetime64[D]") and len(dates) == 7
    assert dates[0] == np.datetime64("2024-04-19") and dates[-1] == np.datetime64("2024-04-25")
    # 19th: 1951 (-10); 20-22: the expanded border fire (190, -10); 23-24: nothing; 25th: mediation (+5)
    assert daily.tolist() == [10.0, 10.0, 10.0, 10.0, 0.0, 0.0, -5.0]
    with pytest.raises(EventsError, match="before first day"):
        escalation_curve(t, D(2024, 4, 25), D(2024, 4, 19))


# --- loader: every problem is a message with file, line and column -------------------------


def write(tmp_path: Path, text: str, name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = "2024-04-01,ISR,IRN,186,strike"

ROW_ERRORS = [
    ("2024-02-30,ISR,IRN,186,x", "date", "expected a date YYYY-MM-DD, got '2024-02-30'"),
    ("01/04/2024,ISR,IRN,186,x", "date", "expected a date YYYY-MM-DD, got '01/04/2024'"),
    ("2024-04-02,ISR,IRN,999,x", "cameo", "'999' is not in the CAMEO table"),
    ("2024-04-02,ISR,IRN,1a9,x", "cameo", "expected a CAMEO code of 2 to 4 digits, got '1a9'"),
    ("2024-04-02,XYZ,IRN,186,x", "source", "expected one of the scenario's actors (HAM, HEZ, HOU, IRN, "
     "ISR, QAT, SHP, USA), got 'XYZ'"),
    ("2024-04-02,ISR,,186,x", "target", "expected an actor id, got ''"),
    ("2024-04-02,ISR,ISR,186,x", "target", "expected an actor other than the source 'ISR', got 'ISR'"),
]


@pytest.mark.parametrize(("row", "column", "message"), ROW_ERRORS)
def test_row_errors_name_line_and_column(tmp_path, levant, row, column, message):
    path = write(tmp_path, f"{HEADER}\n{GOOD}\n{row}\n")
    with pytest.raises(EventsError) as info:
        load_events(path, actors=list(levant.actors), ladder=levant.ladder)
    text = str(info.value)
    assert text.startswith(f"{path}:3: ")
    assert f"column '{column}'" in text and message in text
    assert "Traceback" not in text


OPTIONAL_HEADER = f"{HEADER},rung,goldstein,plover,launched,intercepted,killed,until"
OPTIONAL_ERRORS = [
    ("x,,,,,,", "rung", "expected a whole number from 0 to the ladder's top, 9, got 'x'"),
    ("12,,,,,,", "rung", "expected a whole number from 0 to the ladder's top, 9, got '12'"),
    ("-1,,,,,,", "rung", "got '-1'"),
    (",11,,,,,", "goldstein", "expected a number from -10 to 10, got '11'"),
    (",abc,,,,,", "goldstein", "got 'abc'"),
    (",nan,,,,,", "goldstein", "got 'nan'"),
    (",,assault/Aerial,,,,", "plover", "expected a PLOVER type or type/mode"),
    (",,,-1,,,", "launched", "expected a whole number of 0 or more (blank if unknown), got '-1'"),
    (",,,,,1.5,", "killed", "got '1.5'"),
    (",,,5,6,,", "intercepted", "expected at most the 5 launched, got '6'"),
    (",,,,,,2024-03-31", "until", "expected a date on or after the row's date 2024-04-02, got '2024-03-31'"),
    (",,,,,,2024-13-01", "until", "expected a date YYYY-MM-DD, got '2024-13-01'"),
]


@pytest.mark.parametrize(("tail", "column", "message"), OPTIONAL_ERRORS)
def test_optional_column_errors(tmp_path, levant, tail, column, message):
    path = write(tmp_path, f"{OPTIONAL_HEADER}\n{GOOD},,,,,,,\n2024-04-02,ISR,IRN,186,x,{tail}\n")
    with pytest.raises(EventsError) as info:
        load_events(path, actors=list(levant.actors), ladder=levant.ladder)
    assert str(info.value).startswith(f"{path}:3: column '{column}': ")
    assert message in str(info.value)


def test_rung_bound_without_a_ladder(tmp_path):
    path = write(tmp_path, f"{HEADER},rung\n{GOOD},16\n")
    with pytest.raises(EventsError, match=r":2: column 'rung': expected a whole number from 0 to 15"):
        load_events(path)


def test_rows_out_of_date_order(tmp_path):
    path = write(tmp_path, f"{HEADER}\n2024-04-03,ISR,IRN,186,a\n\n2024-04-01,ISR,IRN,186,b\n")
    with pytest.raises(EventsError) as info:
        load_events(path)
    assert str(info.value) == (
        f"{path}:4: column 'date': expected a date on or after 2024-04-03 (line 2, the previous row): "
        "rows must be in date order, got '2024-04-01'"
    )


def test_physical_lines_count_quoted_newlines(tmp_path):
    path = write(tmp_path, f'{HEADER}\n2024-04-01,ISR,IRN,186,"two\nlines"\n2024-04-02,ISR,IRN,999,x\n')
    with pytest.raises(EventsError, match=rf"^{re.escape(str(path))}:4: column 'cameo'"):
        load_events(path)


def test_errors_are_collected_one_per_line_up_to_ten(tmp_path):
    rows = "\n".join(f"2024-04-{d:02d},ISR,IRN,999,x" for d in range(1, 15))
    path = write(tmp_path, f"{HEADER}\n{rows}\n")
    with pytest.raises(EventsError) as info:
        load_events(path)
    lines = str(info.value).splitlines()
    assert len(lines) == 11 and lines[-1] == "(stopped after 10 errors)"
    assert [line.split(":")[1] for line in lines[:10]] == [str(n) for n in range(2, 12)]


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "the file is empty"),
     ("\n  \n", "the file is empty"),
     (f"{HEADER}\n", "no events: there are no event rows after the header"),
     ("date,source,target,description\n2024-04-01,ISR,IRN,x\n",
      ":1: missing required column 'cameo' (the header has: date, source, target, description)"),
     (f"{HEADER},descripton\n{GOOD},x\n", ":1: unknown column 'descripton' (known columns: date, source"),
     (f"{HEADER},date\n", ":1: column 'date' appears twice in the header"),
     (f"{HEADER}\n{GOOD},extra\n", ":2: expected 5 fields (as in the header), got 6"),
     (f'{HEADER}\n2024-04-01,ISR,IRN,186,"unterminated\n', "not readable as CSV"),
     (f'{HEADER}\n2024-04-01,ISR,IRN,186,"a"b\n', ":2: not readable as CSV")],
)
def test_file_level_errors(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(EventsError) as info:
        load_events(path)
    assert str(info.value).startswith(str(path)) and message in str(info.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(EventsError, match=r"nope\.csv: no such file"):
        load_events(tmp_path / "nope.csv")
    with pytest.raises(EventsError, match="not a file"):
        load_events(tmp_path)


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"{HEADER}\n{GOOD}\n2024-04-02,ISR,IRN,186,caf\xe9\n".encode("latin-1"))
    with pytest.raises(EventsError, match=rf"^{re.escape(str(path))}:3: expected UTF-8 text, got byte 0xe9"):
        load_events(path)


def test_bom_and_spaces_are_tolerated(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(f"\ufeff{HEADER.replace(',', ', ')}\n{GOOD.replace(',', ' , ')}\n".encode())
    t = load_events(path)
    assert (t.events[0].source, t.events[0].cameo) == ("ISR", "186")


def test_size_and_row_bounds(tmp_path, monkeypatch):
    path = write(tmp_path, f"{HEADER}\n{GOOD}\n{GOOD}\n{GOOD}\n")
    monkeypatch.setattr(table_module, "MAX_ROWS", 2)
    with pytest.raises(EventsError, match=":4: expected at most 2 rows"):
        load_events(path)
    monkeypatch.setattr(table_module, "MAX_BYTES", 10)
    with pytest.raises(EventsError, match="expected an event table of at most"):
        load_events(path)


def test_until_span_is_bounded(tmp_path):
    path = write(tmp_path, f"{HEADER},until\n{GOOD},2035-04-01\n")
    with pytest.raises(EventsError, match=":2: column 'until': expected a date less than 3660 days"):
        load_events(path)


# --- profiles and column maps --------------------------------------------------------------


def test_bundled_profiles():
    assert bundled_profiles() == ["gdelt", "icews", "polecat"]


def test_gdelt_profile(levant):
    t = load_events(DATA / "gdelt_sample.tsv", profile="gdelt", actors=list(levant.actors),
                    ladder=levant.ladder)
    assert t.dropped == 2                    # Syria, and Hezbollah (no group codes in the bundled map)
    assert [(e.line, e.date, e.source, e.target, e.cameo) for e in t.events] == [
        (2, D(2024, 4, 13), "USA", "IRN", "0874"),         # sorted by date, not file order
        (1, D(2024, 4, 14), "IRN", "ISR", "195"),
        (4, D(2024, 4, 19), "ISR", "IRN", "190"),
    ]
    strike = t.events[1]
    assert (strike.rung, strike.goldstein, strike.citation) == (4, -10.0, "https://example.org/a")
    assert strike.description == "Employ aerial weapons"     # no description column: the CAMEO name


def test_user_profile_extends_a_bundled_one(tmp_path, levant):
    prof = write(tmp_path, "base: gdelt\nactors:\n  HEZ: HEZ\n", "mine.yaml")
    t = load_events(DATA / "gdelt_sample.tsv", profile=prof, actors=list(levant.actors))
    assert t.dropped == 1
    hez = [e for e in t.events if e.source == "HEZ"]
    assert [(e.line, e.target) for e in hez] == [(5, "ISR")]      # the known group beats LBN
    assert {"ISR", "IRN", "USA"} <= t.actors                       # the base map still applies


def test_profile_actor_not_in_the_scenario_is_dropped(levant):
    t = load_events(DATA / "gdelt_sample.tsv", profile="gdelt", actors=["ISR", "IRN"])
    assert t.dropped == 3 and t.actors == {"ISR", "IRN"}


def test_icews_profile(levant):
    t = load_events(DATA / "icews_sample.tab", profile="icews", actors=list(levant.actors),
                    ladder=levant.ladder)
    assert t.dropped == 1
    first = t.events[0]
    assert (first.line, first.source, first.target) == (2, "ISR", "HAM")   # name, else country
    assert (first.description, first.citation, first.rung) == ("Employ aerial weapons", "Test Wire", 4)
    assert [(e.source, e.target, e.cameo, e.goldstein) for e in t.events[1:]] == [
        ("HEZ", "ISR", "190", -10.0), ("QAT", "HAM", "045", 5.0)]


def test_polecat_profile(levant):
    t = load_events(DATA / "polecat_sample.tsv", profile="polecat", actors=list(levant.actors),
                    ladder=levant.ladder)
    assert t.dropped == 1                    # the French protest
    got = [(e.line, e.source, e.target, e.cameo, e.plover, e.rung) for e in t.events]
    assert got == [
        (2, "ISR", "HEZ", "186", "ASSAULT/targeted", 5),
        (3, "HOU", "USA", "1952", "ASSAULT/drone", 4),
        (5, "HAM", "ISR", "0871", "RETREAT/ceasefire", None),
        (6, "IRN", "ISR", "130", "THREATEN", 1),        # mode "None" is blank: the type's code
    ]
    assert is_ceasefire(t.events[2])


def test_polecat_type_missing_from_the_map(tmp_path):
    prof = write(tmp_path, "base: polecat\nplover_to_cameo: {}\n", "p.yaml")
    text = (DATA / "polecat_sample.tsv").read_text().replace("\tASSAULT\ttargeted\t", "\tBOGUS\tx\t")
    path = write(tmp_path, text, "p.tsv")
    with pytest.raises(EventsError, match=r":2: column 'plover_type': expected a PLOVER .* got 'BOGUS/x'"):
        load_events(path, profile=prof)


def test_columns_map_renames(tmp_path):
    path = write(tmp_path, "Event Date,From,To,Code,What\n2024-04-01,ISR,IRN,186,x\n")
    cols = {"date": "Event Date", "source": "From", "target": "To", "cameo": "Code", "description": "What"}
    t = load_events(path, columns=cols)
    assert (t.events[0].date, t.events[0].source, t.events[0].cameo) == (D(2024, 4, 1), "ISR", "186")
    with pytest.raises(EventsError, match=r":1: unknown column 'What'"):
        load_events(path, columns={k: v for k, v in cols.items() if k != "description"})
    with pytest.raises(EventsError, match=r":1: column 'date' is mapped to 'Day', which is not in the"):
        load_events(path, columns={**cols, "date": "Day"})
    with pytest.raises(EventsError, match="columns map: expected our column names"):
        load_events(path, columns={"when": "Event Date"})


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [("colums: {}\n", "key 'colums': expected one of description, base"),
     ("header: false\n", "key 'names': expected the column names in order"),
     ("header: maybe\n", "key 'header': expected true or false"),
     ("delimiter: ';;'\n", "key 'delimiter': expected one character"),
     ("date_format: '%Y'\n", "key 'date_format': expected a strptime format"),
     ("columns: {when: X}\n", "key 'columns.when': expected one of our columns"),
     ("columns: {cameo: [A, B]}\n", "key 'columns.cameo': expected a column name, got"),
     ("actors: {NO: NOR}\n", "quote codes such as 'NO'"),
     ("plover_to_cameo: {CONSULT: 045}\n", "quote codes such as 'NO', 'ON' or '045'"),
     ("plover_to_cameo: {ASSAULT: '999'}\n", "key 'plover_to_cameo.ASSAULT': CAMEO code '999' is not"),
     ("base: acled\n", "key 'base': expected a bundled profile (gdelt, icews, polecat), got 'acled'"),
     ("- a list\n", "expected a mapping of profile keys, got list"),
     ("columns: {date: [\n", "YAML syntax error")],
)
def test_profile_errors(tmp_path, yaml_text, message):
    prof = write(tmp_path, yaml_text, "bad.yaml")
    with pytest.raises(EventsError) as info:
        load_events(SMALL, profile=prof)
    assert str(info.value).startswith(str(prof)) and message in str(info.value)


def test_unknown_profile_name():
    with pytest.raises(EventsError, match=r"profile 'acled': expected a bundled profile \(gdelt, icews"):
        load_events(SMALL, profile="acled")


def test_all_rows_dropped_is_an_error(tmp_path):
    prof = write(tmp_path, "delimiter: tab\nheader: false\nnames: [d, s, t, c]\n"
                 "columns: {date: d, source: s, target: t, cameo: c}\nactors: {ISR: ISR}\n", "p.yaml")
    path = write(tmp_path, "2024-04-01\tSYR\tLBN\t190\n", "x.tsv")
    with pytest.raises(EventsError, match="no events: all 1 rows were dropped"):
        load_events(path, profile=prof)


def test_a_profile_cannot_exhaust_the_machine(tmp_path: Path) -> None:
    """Event profiles are read with the scenarios' bounded YAML loader: deep nesting and alias
    bombs are clear errors, never a crash or a hang."""
    deep = tmp_path / "deep.yaml"
    deep.write_text("columns:\n  date: " + "[" * 100_000 + "\n")
    bomb = tmp_path / "bomb.yaml"
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]"
              for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    bomb.write_text("\n".join(lines) + "\ncolumns: {date: *i}\n")
    for path, word in ((deep, "deep"), (bomb, "alias")):
        with pytest.raises(EventsError, match=word):
            load_events(DATA / "levant_small.csv", profile=path)


def test_mutated_event_files_load_or_fail_cleanly(tmp_path: Path) -> None:
    """A seeded fuzz of the event loader: deleted, duplicated and swapped cells, bad bytes, huge
    and non-finite numbers, extra columns, reordered and truncated rows. Every case loads or
    raises EventsError with the file's name in its message; nothing else escapes."""
    import random

    from escalade.scenario.load import load_scenario

    sc = load_scenario("levant-2024").scenario
    lines = (DATA / "levant_small.csv").read_text(encoding="utf-8").splitlines()
    junk = ["", "nan", "inf", "-1", "1e309", "9" * 400, "2024-02-30", "99999", "ISR", "XXX",
            '"', "\x00", "é", "0871", "195", "1.5", "true", ",", "\\n", "2024-13-01"]
    rng = random.Random(0)
    outcomes = {"ok": 0, "error": 0}
    for case in range(300):
        rows = [line.split(",") for line in lines]
        for _ in range(rng.randint(1, 4)):
            kind = rng.randrange(6)
            r = rng.randrange(len(rows))
            if kind == 0 and rows[r]:  # a cell replaced by junk
                rows[r][rng.randrange(len(rows[r]))] = rng.choice(junk)
            elif kind == 1 and len(rows) > 2:  # a row dropped or duplicated
                rows.insert(rng.randrange(len(rows)), rows.pop(rng.randrange(1, len(rows))))
            elif kind == 2:  # a row truncated or padded
                rows[r] = rows[r][: rng.randrange(len(rows[r]) + 1)] + [""] * rng.randrange(3)
            elif kind == 3 and len(rows) > 2:  # two data rows swapped (date order)
                a, b = rng.sample(range(1, len(rows)), 2)
                rows[a], rows[b] = rows[b], rows[a]
            elif kind == 4:  # a column name changed
                rows[0][rng.randrange(len(rows[0]))] = rng.choice(["dat", "cameo", "extra", ""])
            else:  # bad bytes somewhere
                rows[r].append("\udcff" if rng.random() < 0.5 else "\x00\x01")
        path = tmp_path / f"case{case}.csv"
        text = "\n".join(",".join(row) for row in rows) + "\n"
        path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
        try:
            load_events(path, actors=list(sc.actors), ladder=sc.ladder)
            outcomes["ok"] += 1
        except EventsError as exc:
            assert path.name in str(exc), str(exc)
            outcomes["error"] += 1
    assert outcomes["ok"] > 0 and outcomes["error"] > 0, outcomes
