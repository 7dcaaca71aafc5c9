"""``python -m demand.commands.<tool>``: the demand service's command-line tools (none yet;
its catalogue is seeded by migration ``0001`` from ``adapters/catalogue.yaml``)."""
