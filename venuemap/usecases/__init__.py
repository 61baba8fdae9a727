"""Use cases: plain functions the CLI and the pages call."""
