"""What identity publishes for the gateway and the other services: its RPCs' inputs and
answers, the events it produces (``EVENTS``), and the kinds, categories and role sets callers
need. Imports only marshmallow and the kit's pure core (DESIGN.md §2).

    from identity.contracts import ElderOut, RELATION_KINDS, VOLUNTEER_ELIGIBLE
"""
from __future__ import annotations

from . import (
           accounts,
           common,
           contacts,
           events,
           imports,
           interchange,
           interest,
           moves,
           people,
           places,
           relations,
           staff,
           statistics,
           vocabulary,
           volunteers,
)
from .accounts import *  # noqa: F403
from .common import *  # noqa: F403
from .contacts import *  # noqa: F403
from .events import *  # noqa: F403
from .imports import *  # noqa: F403
from .interchange import *  # noqa: F403
from .interest import *  # noqa: F403
from .moves import *  # noqa: F403
from .people import *  # noqa: F403
from .places import *  # noqa: F403
from .relations import *  # noqa: F403
from .staff import *  # noqa: F403
from .statistics import *  # noqa: F403
from .vocabulary import *  # noqa: F403
from .volunteers import *  # noqa: F403

__all__ = [*accounts.__all__, *common.__all__, *contacts.__all__, *events.__all__,
           *interest.__all__, *moves.__all__,
           *people.__all__, *places.__all__, *relations.__all__, *staff.__all__,
           *statistics.__all__, *vocabulary.__all__, *volunteers.__all__,
           *imports.__all__, *interchange.__all__]
