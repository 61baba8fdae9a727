"""Tiny hand-made layers around Tongren (隆务镇): 4 venues, 2 counties, 2 townships, 3 villages."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo.schema import VENUE_COLUMNS

XSS_NAME = "<img src=x onerror=alert(1)>"


@pytest.fixture
def venues() -> gpd.GeoDataFrame:
    rows = [
        (
            "V1",
            XSS_NAME,
            None,
            "village_station",
            4,
            "632301",
            "632301100",
            "632301100001",
            "union;women",
            "<b>bold</b> & more",
            "隆务镇 <script>x</script>",
            "in_service",
            2021,
            "illustrative",
            "2022",
            Point(102.012844, 35.508935),
        ),
        (
            "V2",
            "隆务镇群团服务中心",
            "Longwu centre",
            "township_centre",
            3,
            "632301",
            "632301100",
            None,
            "youth_league",
            "政策宣传",
            "隆务镇",
            "in_service",
            2020,
            "surveyed",
            "2022",
            Point(102.05, 35.55),
        ),
        (
            "V3",
            "同仁市群团服务中心",
            "Tongren centre",
            "county_centre",
            2,
            "632301",
            None,
            None,
            "union",
            None,
            None,
            "planned",
            None,
            "surveyed",
            "2022",
            Point(102.10, 35.60),
        ),
        (
            "V4",
            "保安镇企业职工之家",
            None,
            "enterprise_home",
            4,
            "632301",
            "632301101",
            None,
            "union",
            None,
            None,
            "closed",
            None,
            "illustrative",
            "2022",
            Point(102.07, 35.62),
        ),
    ]
    # The rows hold the register's first columns; columns added to the schema later are empty.
    held = [*VENUE_COLUMNS[: len(rows[0]) - 1], "geometry"]
    gdf = gpd.GeoDataFrame(rows, columns=held, geometry="geometry", crs="EPSG:4326")
    return gdf.reindex(columns=[*VENUE_COLUMNS, "geometry"])


@pytest.fixture
def counties() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "county_code": ["632301", "632322"],
            "name": ["同仁市", "尖扎县"],
            "name_en": ["Tongren", "Jianzha"],
        },
        geometry=[box(101.9, 35.4, 102.2, 35.7), box(101.9, 35.7, 102.2, 36.0)],
        crs="EPSG:4326",
    )


@pytest.fixture
def townships() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "township_code": ["632301100", "632301101"],
            "name": ["隆务镇", "保安镇"],
            "county_code": ["632301", "632301"],
            "approximate": [True, False],
        },
        geometry=[box(101.9, 35.4, 102.05, 35.7), box(102.05, 35.4, 102.2, 35.7)],
        crs="EPSG:4326",
    )


@pytest.fixture
def villages() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "village_code": ["632301100001", "632301100002", "632301101001"],
            "name": ["<i>甲</i>村", "乙村", "丙村"],
            "township_name": ["隆务镇", "隆务镇", "保安镇"],
            "county_code": ["632301"] * 3,
            "township_code": ["632301100", "632301100", "632301101"],
            "population": [100, 250, 1226],
            "population_source": ["illustrative"] * 3,
        },
        geometry=[Point(101.95, 35.45), Point(101.95, 35.45), Point(102.15, 35.65)],
        crs="EPSG:4326",
    )
