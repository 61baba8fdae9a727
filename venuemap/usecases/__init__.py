"""Use cases shared by the CLI and the dashboard."""
