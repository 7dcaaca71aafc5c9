"""What every entrypoint mixin may use of the service (``reporting.service.ReportingService``
declares the dependencies)."""
from __future__ import annotations

from typing import Any

from timebank_common.db import UnitOfWorkFactory


class ReportingEntrypoints:
    db: UnitOfWorkFactory
    clock: Any  # the Clock ServiceBase injects: self.clock.now()
    config: Any
