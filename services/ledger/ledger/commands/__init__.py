"""Command-line tools: ``python -m ledger.commands.reconcile`` (credits against demand's
records), ``python -m ledger.commands.verify_journal`` (the hash chain) and
``ledger.commands.make_font_subset`` (rebuilds the certificates' embedded font)."""
