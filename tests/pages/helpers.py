"""Shared helpers of the page tests: the tiny world and what a screen shows.

The reference layers are replaced by a 20 km x 10 km county in EPSG:4543 (metres, CM 102°E)
split into two townships, with four villages and four venues, so every KPI can be worked out
on paper (see ``test_overview.py``).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
METRIC = "EPSG:4543"
T1, T2 = "632301100", "632301101"
V1, V2, V3, V4 = "632301100001", "632301100002", "632301101001", "632301101002"
#: Village -> (township, x, y in EPSG:4543, population): total population 2000.
VILLAGES = {
    V1: (T1, 505_000, 3_935_000, 1000),
    V2: (T1, 508_000, 3_935_000, 500),
    V3: (T2, 515_000, 3_935_000, 300),
    V4: (T2, 519_000, 3_939_000, 200),
}


def _gdf(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=METRIC).to_crs("EPSG:4326")


def fixture_layers(venue_name: str = "隆务镇乡镇群团服务中心") -> dict[str, gpd.GeoDataFrame]:
    """Return the tiny reference layers and demo register, in EPSG:4326."""
    county = box(500_000, 3_930_000, 520_000, 3_940_000)
    towns = {
        T1: box(500_000, 3_930_000, 510_000, 3_940_000),
        T2: box(510_000, 3_930_000, 520_000, 3_940_000),
    }
    town_names = {T1: "隆务镇", T2: "保安镇"}
    layers = {
        "prefecture": _gdf(
            [
                {
                    "adcode": "632300",
                    "name": "黄南藏族自治州",
                    "name_en": "Huangnan",
                    "area_km2": 200.0,
                }
            ],
            [county],
        ),
        "counties": _gdf(
            [
                {
                    "county_code": "632301",
                    "name": "同仁市",
                    "name_en": "Tongren",
                    "population_2020": 2000,
                    "area_km2": 200.0,
                }
            ],
            [county],
        ),
        "townships": _gdf(
            [
                {
                    "township_code": c,
                    "township_code12": c + "000",
                    "name": town_names[c],
                    "type": "镇",
                    "county_code": "632301",
                    "county_name": "同仁市",
                    "approximate": True,
                    "area_km2": 100.0,
                }
                for c in towns
            ],
            list(towns.values()),
        ),
        "township_seats": _gdf(
            [
                {
                    "township_code": c,
                    "township_code12": c + "000",
                    "name": town_names[c],
                    "type": "镇",
                    "county_code": "632301",
                    "county_name": "同仁市",
                    "coord_source": "test",
                    "coord_confidence": "high",
                }
                for c in towns
            ],
            [Point(505_000, 3_935_000), Point(515_000, 3_935_000)],
        ),
        "villages": _gdf(
            [
                {
                    "village_code": v,
                    "name": f"村{i}",
                    "kind": "village",
                    "township_code": t,
                    "township_name": town_names[t],
                    "county_code": "632301",
                    "ur_code_2016": "220",
                    "population": p,
                    "population_source": "illustrative",
                    "position": "illustrative",
                }
                for i, (v, (t, _, _, p)) in enumerate(VILLAGES.items(), start=1)
            ],
            [Point(x, y) for (_, x, y, _) in VILLAGES.values()],
        ),
    }
    venue = {
        "name_en": None,
        "county_code": "632301",
        "organizations": "union;women",
        "services": "活动",
        "address": "隆务镇",
        "status": "in_service",
        "year_opened": 2021,
        "position": "illustrative",
        "as_of": "2022",
    }
    rows = [
        {
            **venue,
            "id": "HN-C-1",
            "name": "同仁市群团协同化基地",
            "kind": "county_centre",
            "level": 2,
            "township_code": T1,
            "village_code": None,
        },
        {
            **venue,
            "id": "HN-T-1",
            "name": venue_name,
            "kind": "township_centre",
            "level": 3,
            "township_code": T1,
            "village_code": None,
        },
        {
            **venue,
            "id": "HN-V-1",
            "name": "村1群团服务站",
            "kind": "village_station",
            "level": 4,
            "township_code": T1,
            "village_code": V1,
        },
        {
            **venue,
            "id": "HN-E-1",
            "name": "职工之家",
            "kind": "enterprise_home",
            "level": 4,
            "township_code": T1,
            "village_code": None,
        },
    ]
    points = [Point(505_000, 3_935_000)] * 3 + [Point(506_000, 3_935_000)]
    layers["venues_demo"] = _gdf(rows, points)
    return layers


def texts(at: AppTest) -> list[str]:
    """Return every label-like text on screen (headers, captions, metrics, widgets, buttons)."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "caption", "info", "warning", "success", "error"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [m.label for m in at.metric]
    for kind in (
        "button",
        "selectbox",
        "slider",
        "radio",
        "number_input",
        "text_input",
        "file_uploader",
        "download_button",
        "tabs",
        "expander",
    ):
        out += [str(getattr(w, "label", "")) for w in getattr(at, kind)]
    return out


def has_cjk(text: str) -> bool:
    """Return True if ``text`` holds a Chinese character."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
