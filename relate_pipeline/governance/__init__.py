"""Data governance: retention of old meetings, erasure of a person, and transcripts kept without their words."""
