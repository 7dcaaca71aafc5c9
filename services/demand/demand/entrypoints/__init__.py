"""The demand service's nameko entrypoints, one mixin per feature: each RPC is declared
(``@rpc(args=..., returns=...)``) and only calls its use case (``demand.app``) with the unit
of work factory, the caller, the loaded data, the clock and the identity client; timers and
event handlers likewise. ``service.py`` composes them."""
