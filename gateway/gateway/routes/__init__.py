"""HTTP routes by resource (DESIGN.md §9). Each module is a mixin of GatewayService."""
