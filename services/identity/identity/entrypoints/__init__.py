"""The nameko side of identity: one mixin per feature, composed by ``service.IdentityService``.
Each RPC is declared (``@rpc(args=..., returns=...)``: its arguments arrive loaded, its answer
is checked against the contract in tests) and only calls the use case in ``app`` with
``self.db``, the caller, the data and ``self.clock``."""
