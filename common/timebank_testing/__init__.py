"""What tests share: real PostgreSQL and RabbitMQ (``infra``), the pytest plugin with the
fixtures (``plugin``, loaded by the root ``conftest.py``), rolled-back units of work
(``database``), query-plan checks (``plans``) and local stand-ins for the SMS gateway and the
mail server (``fake_channels``).

Installed only with the tests (``deploy/install.sh``), never in the runtime image.
"""
from .database import outbox_events
from .infra import PG_BASE, EventBus, Listener, Rabbit, free_port, rpc_proxy, wait_for
from .plans import ExplainingUow, index_conditions, range_indexes

__all__ = ["PG_BASE", "EventBus", "ExplainingUow", "Listener", "Rabbit", "free_port",
           "index_conditions", "outbox_events", "range_indexes", "rpc_proxy", "wait_for"]
