"""Tests of analysis/ (coverage, gaps, siting) and its CLI subcommands."""
