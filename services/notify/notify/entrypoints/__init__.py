"""notify's nameko entrypoints, one mixin per feature (composed in ``notify.service``): each
RPC, event handler and timer loads its input, calls its use case in ``notify.app`` with the
service's dependencies (``db``, ``clock``, identity and demand), and dumps the answer."""
