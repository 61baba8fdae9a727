"""Everyday place names from official names: one rule for the demo register and planned sites."""

from __future__ import annotations

#: Committee endings of NBS village names and what the place itself is called.
COMMITTEE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("社区居民委员会", "社区"),
    ("居民委员会", "社区"),
    ("村民委员会", "村"),
    ("村委会", "村"),
)


def short_village_name(official: str) -> str:
    """Turn an NBS committee name into the everyday place name (德吉村委会 -> 德吉村)."""
    for suffix, replacement in COMMITTEE_SUFFIXES:
        if official.endswith(suffix):
            base = official[: -len(suffix)]
            return base if base.endswith(replacement) else base + replacement
    return official
