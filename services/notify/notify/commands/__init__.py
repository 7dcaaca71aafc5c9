"""notify's command-line tools (``python -m notify.commands.<tool>``). None yet: its
templates are seeded by its migrations (``adapters/seed_templates.py``), and dead deliveries
are listed and replayed through the internal RPCs ``dead_deliveries`` / ``replay_delivery``."""
