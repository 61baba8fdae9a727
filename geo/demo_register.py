"""The demo venue register of Huangnan's four-level network, as the seed report describes it.

The report gives the venues' counts and a few names, not which township or village holds each
one, nor any coordinates. So the counts and the named venues are from the report; the choice of
*which* 26 townships and 178 villages have a venue, the enterprise homes' names, and every
position are ILLUSTRATIVE, chosen by the deterministic rules below and marked so in the data
(``position = "illustrative"``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from geo.build_common import METRIC_CRS, stable_seed
from geo.placenames import short_village_name
from geo.schema import LEVEL_OF_KIND, LIST_SEPARATOR, VENUE_COLUMNS

#: The date the demo register describes: the 2021–2022 work report it is drawn from.
DEMO_AS_OF = "2022"
ALL_ORGANIZATIONS = (
    "union",
    "youth_league",
    "women",
    "science",
    "literature_art",
    "disabled",
    "red_cross",
    "commerce",
)
TOWNSHIP_CENTRES = 26
VILLAGE_STATIONS = 178
ENTERPRISE_HOMES = 20
SCENIC_VILLAGE_CODE = (
    "632322202206"  # 德吉村, 昂拉乡, 尖扎县: the prefecture's first scenic station
)

#: county code -> (venue name, seat township code, services) from the seed report.
COUNTY_VENUES = {
    "632301": ("同仁市群团协同化基地", "632301100", "群团协同办公；志愿服务；职工与青少年活动"),
    "632322": ('尖扎县滨河公园"群团之家"', "632322100", "群团活动阵地；滨河公园户外活动"),
    "632323": ("泽库县群团服务中心", "632323100", "一站式服务；群团事务代办"),
    "632324": (
        "河南县群团服务中心",
        "632324100",
        "与新时代文明实践中心合建共用；群团事务代办",
    ),
}


def _offset(point: Point, seed_text: str, min_m: float, max_m: float) -> Point:
    """Move a metric point by a deterministic distance in [min_m, max_m] and bearing."""
    rng = np.random.default_rng(stable_seed(seed_text))
    distance, bearing = rng.uniform(min_m, max_m), rng.uniform(0, 2 * np.pi)
    return Point(point.x + distance * np.cos(bearing), point.y + distance * np.sin(bearing))


def _row(**fields: object) -> dict[str, object]:
    row = {column: None for column in VENUE_COLUMNS}
    row.update(status="in_service", position="illustrative")
    row.update(fields)
    row["level"] = LEVEL_OF_KIND[row["kind"]]
    return row


def _pick_organizations(seed_text: str, core: tuple[str, ...], extra: int) -> str:
    rng = np.random.default_rng(stable_seed(seed_text))
    others = [org for org in ALL_ORGANIZATIONS if org not in core]
    chosen = list(core) + list(rng.choice(others, size=extra, replace=False))
    return LIST_SEPARATOR.join(org for org in ALL_ORGANIZATIONS if org in chosen)


def upper_level_venues(seats_m: gpd.GeoDataFrame) -> list[dict[str, object]]:
    """Return the prefecture centre and the four county venues, near their seat towns."""
    by_code = seats_m.set_index("township_code").geometry
    rows = [
        _row(
            id="HN-P-632300",
            name="黄南州党群服务中心",
            name_en="Huangnan Party-Masses Service Centre",
            kind="prefecture_centre",
            county_code="632301",
            township_code="632301100",
            organizations=LIST_SEPARATOR.join(ALL_ORGANIZATIONS),
            services="州级党群服务；八家群团组织集中办公",
            address="同仁市隆务镇",
            year_opened=2021,
            geometry=_offset(by_code["632301100"], "P", 300, 900),
        )
    ]
    for county_code, (name, seat_code, services) in COUNTY_VENUES.items():
        rows.append(
            _row(
                id=f"HN-C-{county_code}",
                name=name,
                kind="county_centre",
                county_code=county_code,
                township_code=seat_code,
                organizations=LIST_SEPARATOR.join(ALL_ORGANIZATIONS),
                services=services,
                address=seats_m.set_index("township_code").loc[seat_code, "name"],
                year_opened=2021,
                geometry=_offset(by_code[seat_code], "C" + county_code, 200, 800),
            )
        )
    return rows


def townships_with_centres(seats: pd.DataFrame) -> set[str]:
    """Return the codes of the 26 townships given a centre.

    Rule (illustrative): every town (镇) has one; of the townships (乡), the seven with the
    lowest stable hash of their code have none.
    """
    xiang = seats[seats["type"] == "乡"]["township_code"]
    without = sorted(xiang, key=lambda code: stable_seed("no-centre" + code))[
        : len(seats) - TOWNSHIP_CENTRES
    ]
    return set(seats["township_code"]) - set(without)


def township_centres(seats_m: gpd.GeoDataFrame) -> list[dict[str, object]]:
    """Return the 26 township service centres, placed near their township seat."""
    chosen = townships_with_centres(seats_m)
    rows = []
    for seat in seats_m[seats_m["township_code"].isin(chosen)].itertuples():
        rows.append(
            _row(
                id=f"HN-T-{seat.township_code}",
                name=f"{seat.name}群团服务中心",
                kind="township_centre",
                county_code=seat.county_code,
                township_code=seat.township_code,
                organizations=_pick_organizations(
                    seat.township_code, ("union", "youth_league", "women"), 2
                ),
                services="群团事务代办；职工、青年、妇女儿童服务；科普与文化活动",
                address=f"{seat.county_name}{seat.name}",
                year_opened=2021 + stable_seed(seat.township_code) % 2,
                geometry=_offset(seat.geometry, "T" + seat.township_code, 100, 600),
            )
        )
    return rows


def villages_with_stations(villages: pd.DataFrame) -> set[str]:
    """Return the codes of the 178 villages/communities given a station.

    Rule (illustrative): every community has one, 德吉村 has the scenic-area station, and the
    rest go to the villages with the lowest stable hash of their code.
    """
    communities = set(villages.loc[villages["kind"] == "community", "village_code"])
    rural = villages.loc[
        (villages["kind"] == "village") & (villages["village_code"] != SCENIC_VILLAGE_CODE),
        "village_code",
    ]
    ranked = sorted(rural, key=lambda code: stable_seed("station" + code))
    needed = VILLAGE_STATIONS - len(communities) - 1
    return communities | {SCENIC_VILLAGE_CODE} | set(ranked[:needed])


def village_stations(villages_m: gpd.GeoDataFrame) -> list[dict[str, object]]:
    """Return the 178 village/community stations, each beside its village point."""
    chosen = villages_with_stations(villages_m)
    rows = []
    for village in villages_m[villages_m["village_code"].isin(chosen)].itertuples():
        place = short_village_name(village.name)
        scenic = village.village_code == SCENIC_VILLAGE_CODE
        rows.append(
            _row(
                id=f"HN-V-{village.village_code}",
                name=f"{place}{'景区' if scenic else ''}群团服务站",
                kind="community_station" if village.kind == "community" else "village_station",
                county_code=village.county_code,
                township_code=village.township_code,
                village_code=village.village_code,
                organizations=_pick_organizations(
                    village.village_code, ("women", "youth_league"), 1
                ),
                services="全州首个景区群团服务站；游客与村民服务"
                if scenic
                else "政策宣传；便民代办；妇女儿童之家",
                address=f"{village.township_name}{place}",
                year_opened=2021 + stable_seed(village.village_code) % 2,
                geometry=_offset(village.geometry, "V" + village.village_code, 20, 150),
            )
        )
    return rows


def enterprise_homes(seats_m: gpd.GeoDataFrame) -> list[dict[str, object]]:
    """Return 20 enterprise workers' homes with ILLUSTRATIVE names in the towns (镇).

    Rule: homes are shared among the 12 towns, most in the county seats (where enterprises
    are), in the order of the town codes.
    """
    towns = seats_m[seats_m["type"] == "镇"].sort_values("township_code")
    seat_towns = {"632301100", "632322100", "632323100", "632324100"}
    slots = [code for code in towns["township_code"] if code in seat_towns] * 2
    slots += list(towns["township_code"]) + [
        code for code in towns["township_code"] if code in seat_towns
    ]
    by_code = towns.set_index("township_code")
    rows = []
    for number, code in enumerate(sorted(slots[:ENTERPRISE_HOMES]), start=1):
        town = by_code.loc[code]
        rows.append(
            _row(
                id=f"HN-E-{number:02d}",
                name=f"{town['name']}企业职工之家（示意{number:02d}）",
                kind="enterprise_home",
                county_code=town["county_code"],
                township_code=code,
                organizations="union",
                services="职工服务；劳动权益咨询；职工书屋",
                address=f"{town['county_name']}{town['name']}",
                year_opened=2022,
                geometry=_offset(town.geometry, f"E{number}", 400, 2500),
            )
        )
    return rows


def build_demo_register(
    counties: gpd.GeoDataFrame, seats: gpd.GeoDataFrame, villages: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Return the 229-venue demo register in the venue-register schema (EPSG:4326)."""
    seats_m = seats.to_crs(METRIC_CRS)
    villages_m = villages.to_crs(METRIC_CRS)
    rows = (
        upper_level_venues(seats_m)
        + township_centres(seats_m)
        + village_stations(villages_m)
        + enterprise_homes(seats_m)
    )
    register = gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS).to_crs("EPSG:4326")
    register["year_opened"] = register["year_opened"].astype("Int64")
    register["level"] = register["level"].astype("int64")
    register["as_of"] = DEMO_AS_OF
    counties_m = counties[["county_code", "geometry"]]
    inside = gpd.sjoin(register, counties_m, predicate="within", how="left")
    assert (inside["county_code_left"] == inside["county_code_right"]).all()
    return register[list(VENUE_COLUMNS) + ["geometry"]].reset_index(drop=True)
