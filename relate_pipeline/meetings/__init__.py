"""Meetings: which days changed, their extraction into the raw store, and each day's tables flattened from it."""
