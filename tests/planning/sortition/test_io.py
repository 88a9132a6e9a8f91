"""CSV readers: the shared formats, and line-numbered errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from sharingcity.planning.sortition import (
    Quota,
    SortitionInputError,
    read_pool_csv,
    read_quotas_csv,
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


QUOTAS = [Quota("gender", "female", 1, 2), Quota("gender", "male", 1, 2)]


def test_flanigan_and_sortition_algorithms_formats_agree(shared_data):
    folder = shared_data("sortition") / "flanigan2021_replication" / "example_small_20"
    old = read_quotas_csv(folder / "categories.csv")
    new = read_quotas_csv(folder / "features_sortition_algorithms_format.csv")
    assert old == new
    assert old[0] == Quota("gender", "female", 9, 20)
    pool_old = read_pool_csv(folder / "respondents.csv", old)
    pool_new = read_pool_csv(folder / "people_sortition_algorithms_format.csv", new)
    assert [(v.id, dict(v.features)) for v in pool_old] == [
        (v.id, dict(v.features)) for v in pool_new
    ]
    assert len(pool_old) == 200 and pool_old[0].id == "r0"
    assert (
        sum(dict(v.features) == {"gender": "female", "leaning": "conservative"} for v in pool_old)
        == 1
    )


def test_fixture_with_flex_columns_id_and_households(shared_data):
    folder = shared_data("sortition") / "sortition_algorithms_fixtures"
    quotas = read_quotas_csv(folder / "features.csv")
    assert len(quotas) == 20 and quotas[0] == Quota("Gender", "Female", 11, 12)
    pool = read_pool_csv(
        folder / "candidates.csv",
        quotas,
        id_column="nationbuilder_id",
        household_columns=["primary_address1", "primary_zip"],
    )
    assert len(pool) == 150 and pool[0].id == "p0"
    assert pool[0].household is not None and len({v.household for v in pool}) == 150


def test_old_sortition_foundation_header(tmp_path):
    path = write(
        tmp_path, "q.csv", "category,name,min,max,min_flex,max_flex\ngender,female,1,2,0,3\n"
    )
    assert read_quotas_csv(path) == [Quota("gender", "female", 1, 2)]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "empty"),
        ("feature,value,minimum,max\n", 1, "header must have"),
        ("feature,value,min,max\n", 1, "no quota rows"),
        ("feature,value,min,max\ngender,female,1,2\ngender,male,x,2\n", 3, "not a whole number"),
        ("feature,value,min,max\ngender,female,-1,2\n", 2, "negative"),
        ("feature,value,min,max\ngender,female,3,2\n", 2, "larger than max"),
        (
            "feature,value,min,max\ngender,female,1,2\ngender,female,1,2\n",
            3,
            "already given on line 2",
        ),
        ("feature,value,min,max\ngender,,1,2\n", 2, "empty feature or value"),
        ("feature,value,min,max\ngender,female,1\n", 2, "3 fields, but the header has 4"),
        ("feature,value,min,min\ngender,female,1,2\n", 1, "duplicate column"),
    ],
)
def test_bad_quota_files(tmp_path, text, line, words):
    path = write(tmp_path, "quotas.csv", text)
    with pytest.raises(SortitionInputError, match=words) as caught:
        read_quotas_csv(path)
    assert caught.value.line == line
    assert caught.value.path == str(path)
    assert f"quotas.csv, line {line}" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("id,age\n1,30\n", 1, "missing column"),
        ("id,gender\n", 1, "no volunteers"),
        ("id,gender\na,female\na,male\n", 3, "already used on line 2"),
        ("id,gender\n,female\n", 2, "empty id"),
        ("id,gender\na,female\nb,\n", 3, "no value for 'gender'"),
        ("id,gender\na,female\nb,Female\n", 3, "has no quota row"),
        ("id,gender\na,female,extra\n", 2, "3 fields"),
    ],
)
def test_bad_pool_files(tmp_path, text, line, words):
    path = write(tmp_path, "people.csv", text)
    with pytest.raises(SortitionInputError, match=words) as caught:
        read_pool_csv(path, QUOTAS)
    assert caught.value.line == line


def test_named_columns_must_exist(tmp_path):
    path = write(tmp_path, "people.csv", "id,gender\na,female\n")
    with pytest.raises(SortitionInputError, match="no column named 'address'"):
        read_pool_csv(path, QUOTAS, household_columns=["address"])
    with pytest.raises(SortitionInputError, match="no column named 'pid'"):
        read_pool_csv(path, QUOTAS, id_column="pid")


def test_missing_file_and_binary_file(tmp_path):
    with pytest.raises(SortitionInputError, match="cannot open"):
        read_quotas_csv(tmp_path / "absent.csv")
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(SortitionInputError, match="not a readable UTF-8 CSV"):
        read_quotas_csv(binary)


def test_households_from_columns_and_blank_addresses(tmp_path):
    path = write(
        tmp_path, "people.csv", "id,gender,address\na,female,1 Main St\nb,male,1 Main St\nc,male,\n"
    )
    pool = read_pool_csv(path, QUOTAS, household_columns=["address"])
    assert [v.household for v in pool] == ["1 Main St", "1 Main St", None]
