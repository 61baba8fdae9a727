"""What the reference-data build and the demo register share: the metric CRS and stable seeds.

Kept apart so that ``geo.reference_build`` can import ``geo.demo_register`` (which needs these
two) without the two modules importing each other.
"""

from __future__ import annotations

import hashlib

METRIC_CRS = "EPSG:4543"  # CGCS2000 / 3-degree Gauss-Kruger CM 102E: metres for Huangnan


def stable_seed(text: str) -> int:
    """Return a seed derived from ``text`` that is the same on every machine and run."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
