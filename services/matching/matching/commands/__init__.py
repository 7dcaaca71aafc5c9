"""Matching's command-line tools (``python -m matching.commands.<tool>``). There are none yet:
the read models are rebuilt with the internal RPC ``rebuild_read_models``, and matching has no
demo data of its own (the demo's volunteers set their preferences through the API)."""
