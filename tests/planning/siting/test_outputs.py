"""Catchments, table rows, map bytes, the curve, the CSV reader and the command line."""

from __future__ import annotations

import numpy as np
import pytest

from sharingcity.planning.siting import (
    SitingError,
    SitingFileError,
    catchments,
    curve_chart,
    maximal_covering,
    p_median,
    read_travel_csv,
    site_map,
    site_table,
    siting_curve,
    synthetic_city,
)
from sharingcity.planning.siting.__main__ import main


@pytest.fixture(scope="module")
def city():
    return synthetic_city(150, 25, seed=7)


def test_catchments_and_table(city):
    r = p_median(city.demand, city.travel, 4)
    parts = catchments(r)
    assert sorted(parts) == list(r.sites)
    assert sorted(z for zones in parts.values() for z in zones) == list(range(150))
    for site, zones in parts.items():
        # every zone is in the catchment of its nearest chosen site
        assert np.all(city.travel[zones, site] == city.travel[zones][:, list(r.sites)].min(axis=1))
    rows = site_table(r, city.demand, city.travel, site_names=[f"hub {j}" for j in range(25)])
    assert sum(row["demand"] for row in rows) == pytest.approx(city.demand.sum())
    assert sum(row["mean_travel"] * row["demand"] for row in rows) == pytest.approx(r.objective)
    assert rows[0]["name"] == f"hub {rows[0]['site']}"
    with pytest.raises(SitingError, match="site_names has 2 names for 25 sites"):
        site_table(r, city.demand, city.travel, site_names=["a", "b"])


def test_map_png_and_svg(city):
    r = maximal_covering(city.demand, city.travel, 3, 4000.0)
    png = site_map(r, city.demand_xy, city.site_xy, demand=city.demand)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    svg = site_map(r, city.demand_xy, city.site_xy, fmt="svg", links=False)
    assert b"<svg" in svg[:500]
    with pytest.raises(SitingError, match="fmt must be"):
        site_map(r, city.demand_xy, city.site_xy, fmt="gif")
    with pytest.raises(SitingError, match="zone_xy must have shape"):
        site_map(r, city.demand_xy[:5], city.site_xy)


def test_curve_pmedian_is_optimal_and_decreasing(city):
    rows = siting_curve("p-median", city.demand, city.travel, 5)
    assert [r["p"] for r in rows] == [1, 2, 3, 4, 5]
    objs = [r["objective"] for r in rows]
    assert all(a >= b for a, b in zip(objs, objs[1:], strict=False))
    for r in rows:
        assert r["status"] == "optimal"
        assert r["objective"] == p_median(city.demand, city.travel, r["p"]).objective
    assert curve_chart(rows)[:4] == b"\x89PNG"


def test_curve_mclp_matches_single_solves(city):
    rows = siting_curve("maximal covering", city.demand, city.travel, 4, standard=4000.0)
    for r in rows:
        single = maximal_covering(city.demand, city.travel, r["p"], 4000.0)
        assert r["objective"] == single.objective and r["status"] == "optimal"
        assert 0 < r["share"] <= 1
    with pytest.raises(SitingError, match="needs a standard"):
        siting_curve("maximal covering", city.demand, city.travel, 3)
    with pytest.raises(SitingError, match="model must be"):
        siting_curve("p-centre", city.demand, city.travel, 3)


CSV = "zone,demand,Hall A,Hall B,Library\nJongno-1,10,1,5,\nJongno-2,20,4,1,9\nMapo-1,5,inf,8,2\n"


def test_read_csv(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(CSV)
    tm = read_travel_csv(path)
    assert tm.sites == ("Hall A", "Hall B", "Library")
    assert tm.zones == ("Jongno-1", "Jongno-2", "Mapo-1")
    assert np.isinf(tm.travel[0, 2]) and np.isinf(tm.travel[2, 0])
    assert tm.demand.tolist() == [10, 20, 5]


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("", "empty file", None),
        ("zone,demand\n", "header needs a zone column", 1),
        ("zone,demand,A,A\nz,1,1,1\n", "duplicate site names", 1),
        ("zone,demand,A\nz,1,1,2\n", "row has 4 cells, the header has 3", 2),
        ("zone,demand,A\n,1,1\n", "zone name is empty", 2),
        ("zone,demand,A\nz,1,1\nz,2,2\n", "zone 'z' already given on line 2", 3),
        ("zone,demand,A\nz,,1\n", "demand of zone 'z' is missing", 2),
        ("zone,demand,A\nz,inf,1\n", "demand of zone 'z' is infinite", 2),
        ("zone,demand,A\nz,-1,1\n", "demand of zone 'z' is negative", 2),
        ("zone,demand,A\nz,1,far\n", "travel from 'z' to 'A' 'far' is not a number", 2),
        ("zone,demand,A\nz,1,nan\n", "travel from 'z' to 'A' is NaN", 2),
        ("zone,demand,A\nz,1,-3\n", "travel from 'z' to 'A' is negative", 2),
        ("zone,demand,A\n\n", "no zone rows", None),
    ],
)
def test_bad_csv(tmp_path, text, message, line):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(SitingFileError, match=message) as info:
        read_travel_csv(path)
    assert info.value.line == line and str(path) in str(info.value)


def test_cli_pmedian_orlib(shared_data, capsys):
    folder = shared_data("pmedian")
    assert main(["pmedian", str(folder / "pmed1.txt"), "--time-limit", "60"]) == 0
    out = capsys.readouterr().out
    assert "objective: 5819" in out and "status: optimal" in out
    medians = out.splitlines()[0].split(":")[1].split()
    assert len(medians) == 5 and all(1 <= int(v) <= 100 for v in medians)


def test_cli_csv_models(tmp_path, capsys):
    path = tmp_path / "m.csv"
    path.write_text(CSV)
    assert main(["mclp", str(path), "--p", "1", "--standard", "4"]) == 0
    out = capsys.readouterr().out
    assert "sites: Hall A" in out and "covered demand: 30 of 35" in out
    assert "zones not covered (1): Mapo-1" in out
    assert main(["lscp", str(path), "--standard", "2"]) == 0
    out = capsys.readouterr().out
    assert "objective: 3" in out
    assert main(["pmedian", str(path), "--p", "2"]) == 2  # unreachable pairs: clear error
    assert "infinite" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["pmedian", "missing.txt"], "no such file"),
        (["lscp", "{csv}", "--standard", "0.5"], "no candidate site within 0.5"),
        (["mclp", "{csv}", "--p", "9", "--standard", "3"], "p must be between 1 and 3"),
    ],
)
def test_cli_errors_exit_2(tmp_path, capsys, argv, message):
    path = tmp_path / "m.csv"
    path.write_text(CSV)
    argv = [a.replace("{csv}", str(path)) for a in argv]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["pmedian", "x.txt", "--time-limit", "0"],
        ["pmedian", "x.txt", "--time-limit", "soon"],
        ["mclp", "x.csv", "--standard", "3"],
        ["mclp", "x.csv", "--p", "0", "--standard", "3"],
        ["lscp", "x.csv", "--standard", "-1"],
        ["optimise", "x"],
    ],
)
def test_cli_bad_arguments(argv):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2


def test_cli_csv_pmedian_needs_p(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("zone,demand,A,B\nz,1,1,2\ny,1,2,1\n")
    with pytest.raises(SystemExit):
        main(["pmedian", str(path)])
    assert main(["pmedian", str(path), "--p", "2"]) == 0
