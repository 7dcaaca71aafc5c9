"""Matching's nameko entrypoints, one mixin per feature: each RPC loads (its declaration),
calls the use case with the service's dependencies and dumps the answer; event handlers and
timers likewise. ``service.MatchingService`` composes them."""
