"""Command-line tools: ``python -m ledger.commands.reconcile`` (credits against demand's
records), ``python -m ledger.commands.verify_journal`` (the hash chain). The
certificates' embedded font is the kit's (``common/timebank_common/fonts/make_font_subset.py``)."""
