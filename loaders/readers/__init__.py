"""Readers of one part of a report's text each (sections, …): pure functions from lines to rows."""
