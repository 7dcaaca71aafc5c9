"""Matching's rules: who may serve a demand, how candidates, feeds and dispatch are ranked, the in-memory views they run on. Pure: no framework, database or clock."""
