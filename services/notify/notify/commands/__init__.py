"""notify's command-line tools (``python -m notify.commands.<tool>``): ``webhooks`` lists dead
webhook deliveries and replays one. Templates are seeded by the migrations
(``adapters/seed_templates.py``); dead SMS/e-mail deliveries are listed and replayed through
the internal RPCs ``dead_deliveries`` / ``replay_delivery``."""
