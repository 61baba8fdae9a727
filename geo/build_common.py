"""What the reference-data build and the demo register share: the metric CRS and stable seeds.

Kept apart so that ``geo.reference_build`` can import ``geo.demo_register`` (which needs these
two) without the two modules importing each other.
"""

from __future__ import annotations

import hashlib
import tomllib

from geo.boundaries import DATA_DIR

#: Metres for the region the bundled sources describe: the metric CRS of its pack (data/regions).
METRIC_CRS = tomllib.loads((DATA_DIR / "regions" / "632300.toml").read_text("utf-8"))["metric_crs"]


def stable_seed(text: str) -> int:
    """Return a seed derived from ``text`` that is the same on every machine and run."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
