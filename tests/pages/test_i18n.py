"""Labels: every key used exists in both languages; numbers are written as agreed."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from ui import i18n
from ui.data_ops import CRS_OPTIONS, LAYER_CHOICES
from ui.i18n import STRINGS, fmt_count, fmt_pct, t, vocab_label

ROOT = Path(__file__).resolve().parents[2]
OWN_FILES = [
    "app.py",
    "ui/chrome.py",
    "ui/loaders.py",
    "ui/data_ops.py",
    "pages/overview.py",
    "pages/gaps.py",
    "pages/data.py",
    "pages/about.py",
]
#: Keys built at run time (f-strings) from these lists.
DYNAMIC = (
    [f"crs.{c}" for c in CRS_OPTIONS]
    + [f"layer.{name}" for name in LAYER_CHOICES]
    + [f"gaps.model_{m}" for m in ("mclp", "lscp", "pmedian")]
    + [f"data.fmt_{f}" for f in ("geojson", "gpkg", "csv")]
    + [f"data.col_{c}" for c in ("row", "column", "value", "message")]
    + [
        f"check.{c}"
        for c in (
            "townships_with_centre",
            "villages_with_station",
            "stations_near_township",
            "centres_near_county",
            "stations_other_township",
            "orphans",
        )
    ]
    + [
        f"col.{c}"
        for c in (
            "id",
            "name",
            "name_en",
            "county_code",
            "township_code",
            "village_code",
            "services",
            "address",
            "kind",
            "status",
            "position",
            "organizations",
            "level",
            "year_opened",
            "lon",
            "lat",
        )
    ]
    + [f"unit.{u}" for u in ("people", "venues", "sites")]
)


def used_keys() -> set[str]:
    pattern = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")
    keys = set(DYNAMIC)
    for name in OWN_FILES:
        keys |= set(pattern.findall((ROOT / name).read_text(encoding="utf-8")))
    keys |= {
        key
        for file in OWN_FILES
        for key in re.findall(
            r'"((?:about|edit)\.[a-z_]+)"', (ROOT / file).read_text(encoding="utf-8")
        )
    }
    return keys


def test_every_key_used_exists_in_both_languages() -> None:
    missing = sorted(key for key in used_keys() if key not in STRINGS)
    assert missing == []
    for key in used_keys():
        assert t(key, "zh") and t(key, "en") if "{" not in STRINGS[key][0] else True


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_both_languages_filled_with_the_same_placeholders(key: str) -> None:
    zh, en = STRINGS[key]
    assert zh and en, key
    fields = [{f for _, f, _, _ in string.Formatter().parse(text) if f} for text in (zh, en)]
    assert fields[0] == fields[1], key


def test_english_labels_hold_no_chinese() -> None:
    offenders = [k for k, (_, en) in STRINGS.items() if re.search(r"[\u4e00-\u9fff]", en)]
    assert offenders == []


def test_missing_key_fails_loudly() -> None:
    with pytest.raises(KeyError, match="no label 'ov.nope'"):
        t("ov.nope", "zh")
    with pytest.raises(ValueError, match="language should be one of"):
        t("ov.title", "fr")


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [(0.853, "zh", "85.3%"), (0.853, "en", "85.3%"), (1.0, "zh", "100.0%"), (None, "en", "—")],
)
def test_fmt_pct(value, lang: str, expected: str) -> None:  # noqa: ANN001
    assert fmt_pct(value, lang) == expected


def test_fmt_count() -> None:
    assert fmt_count(1226, "people", "zh") == "1,226 人"
    assert fmt_count(1226, "people", "en") == "1,226 people"
    assert fmt_count(1225.6, "venues", "zh") == "1,226 个"


def test_vocabulary_labels_come_from_the_schema() -> None:
    assert vocab_label("kinds", "township_centre", "zh") == "乡镇群团服务中心"
    assert vocab_label("organizations", "union;women", "en") == "Trade union; Women's Federation"
    assert vocab_label("levels", "4", "zh") == "村（社区）级"


def test_map_strings_are_merged_when_present() -> None:
    from ui.i18n_map import MAP_STRINGS

    assert set(MAP_STRINGS) <= set(i18n.STRINGS)
    key = next(iter(MAP_STRINGS))
    assert t(key, "en") == MAP_STRINGS[key]["en"]
