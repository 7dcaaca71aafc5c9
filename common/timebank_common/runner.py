"""Run one service as its own process.

    python -m timebank_common.runner ledger [--config deploy/config/ledger.yaml]

Checks that the service's database (if it has one) is at the migration head — it does not
migrate: that is ``python -m timebank_common.migrations <service>``, run as the database's
owner role; a process connects as the application role, which cannot change the schema —
configures JSON logs, then runs the nameko service class ``<service>.service`` until SIGTERM or
Ctrl-C, which stop it cleanly (in-flight workers finish).
"""
import warnings

warnings.filterwarnings("ignore", message=".*Eventlet is deprecated.*")

import eventlet  # noqa: E402

eventlet.monkey_patch()  # noqa: E402  -- must precede every other import

import argparse  # noqa: E402
import importlib  # noqa: E402
import inspect  # noqa: E402
import signal  # noqa: E402

from nameko.cli.run import run  # noqa: E402

from . import broker, logs, migrations, stacks  # noqa: E402
from . import config as config_mod  # noqa: E402


def service_class(service: str):
    module = importlib.import_module(f"{service}.service")
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if getattr(obj, "name", None) == service and obj.__module__ == module.__name__:
            return obj
    raise SystemExit(f"no nameko service named {service!r} in {module.__name__}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Run one Time Bank service")
    parser.add_argument("service")
    parser.add_argument("--config", default=None)
    args = parser.parse_args(argv)
    cfg = config_mod.load(args.config or f"deploy/config/{args.service}.yaml")
    logs.configure(args.service, cfg.get("LOG_LEVEL", "INFO"))
    stacks.install()  # kill -USR1 <pid>: where every green thread is, on standard error
    if cfg.get("DATABASE_URL"):
        migrations.require_head(args.service, cfg["DATABASE_URL"])
    broker.apply(cfg)  # failover across the cluster's nodes within a bounded round
    cls = service_class(args.service)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        run([cls], cfg)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
