"""Use cases: what the CLI and the pages do, as plain functions over plain values."""
