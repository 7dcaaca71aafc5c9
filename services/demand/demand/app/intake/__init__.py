"""Intake: a demand from submission (any channel, or a recurring series) to its review, with
adjustments and the escalation of demands nobody reviewed in time."""
