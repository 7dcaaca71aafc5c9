"""The process's in-memory views as a nameko dependency: one ``IndexCache`` shared by all of
the process's workers, built at start-up and kept current by a follower green thread (with its
own small connection pool) every ``INDEX_FOLLOW_SECONDS``."""
from __future__ import annotations

import logging
from typing import Any

import eventlet
from nameko.extensions import DependencyProvider

from timebank_common.clock import Clock, clock_from_config
from timebank_common.db import UnitOfWork, make_engine

from .index_cache import FOLLOW_SECONDS, IndexCache

log = logging.getLogger("matching.index")


class SharedIndex(DependencyProvider):
    def setup(self) -> None:
        config = self.container.config
        self.cache = IndexCache()
        self.clock: Clock = clock_from_config(config)
        self.every = float(config.get("INDEX_FOLLOW_SECONDS", FOLLOW_SECONDS))
        self.engine = make_engine(config["DATABASE_URL"], pool_size=1)

    def start(self) -> None:
        self.container.spawn_managed_thread(self._follow, identifier="volunteer-index")

    def _follow(self) -> None:
        while True:
            try:
                with UnitOfWork(self.engine) as uow:
                    self.cache.current(uow, self.clock.now())
            except Exception:  # the database away: the next round (or a query) tries again
                log.exception("volunteer index: catch-up failed")
            eventlet.sleep(self.every)

    def stop(self) -> None:
        self.engine.dispose()

    def kill(self) -> None:
        self.engine.dispose()

    def get_dependency(self, worker_ctx: Any) -> IndexCache:
        return self.cache
