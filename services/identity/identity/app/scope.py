"""Which part of the province a listing shows: the caller's scope, narrowed by a filter."""
from __future__ import annotations

from timebank_common.caller import Caller
from timebank_common.errors import Forbidden
from timebank_common.regions import prefix_of


def listing_prefix(caller: Caller, region_code: str | None) -> str:
    """The region prefix to list: the filter's, narrowed to the caller's scope."""
    own = prefix_of(caller.scope) if caller.scope else None
    wanted = prefix_of(region_code) if region_code else own
    if own and wanted is not None and wanted.startswith(own):
        return wanted
    if own and wanted is not None and own.startswith(wanted):  # broader: the scope is seen
        return own
    raise Forbidden("out_of_scope", "该区域不在您的管辖范围内", "This region is outside your scope",
                    {"region_code": region_code, "scope": caller.scope})
