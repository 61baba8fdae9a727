"""The map's Chinese and English strings, as ``ui.i18n`` merges them.

The strings live in :mod:`geo.layers.labels` (the layers render them, and ``geo`` must not
depend on ``ui``); this module re-exports them for the interface side.
"""

from __future__ import annotations

from geo.layers.labels import MAP_STRINGS

__all__ = ["MAP_STRINGS"]
