"""Placeholder while the import CLI is written (replaced within the hour)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register nothing yet."""
