"""Prepare a platform without starting it: keys, databases (provisioned as the PostgreSQL
superuser ``TIMEBANK_PG``, then migrated as their owner roles), the broker's queues, and the
demo data **only when asked**: ``TIMEBANK_DEMO=true`` in the environment (compose's `setup`
passes ``${TIMEBANK_DEMO:-false}``) or ``--demo``. Without it nothing with a published
password exists, and the province's first admin is made with
``identity.commands.bootstrap_admin`` (a one-time password, printed once). docker-compose's
`setup` container runs this; run_local.py does the same through LocalPlatform.prepare(demo=True).

The role passwords come from ``TIMEBANK_DB_PASSWORD`` (none with trust authentication); the
service containers are given the matching ``<SERVICE>_DATABASE_URL`` (application role)."""
import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

TRUE = {"1", "true", "yes", "on"}
BOOTSTRAP_HINT = (
    "未加载演示数据（TIMEBANK_DEMO 未设为 true）。创建首位省级管理员（打印一次性密码）：\n"
    "No demo data (TIMEBANK_DEMO is not true). Create the province's first admin (a one-time "
    "password is printed):\n"
    "  docker compose run --rm identity identity.commands.bootstrap_admin "
    "--phone <手机号 phone> --name <姓名 name> --id-number <身份证号 ID number>\n"
    "  (outside compose: python -m identity.commands.bootstrap_admin ... "
    "[--config deploy/config/identity.yaml])")


def wants_demo(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """``--demo``, or ``TIMEBANK_DEMO`` set to true/1/yes/on (anything else: no demo)."""
    parser = argparse.ArgumentParser(description="Prepare the platform (keys, databases, "
                                                 "migrations, queues; demo data when asked)")
    parser.add_argument("--demo", action="store_true",
                        help="load the demo data (published logins): never in production")
    args = parser.parse_args(list(argv))
    return args.demo or environ.get("TIMEBANK_DEMO", "").strip().lower() in TRUE


def main(argv: Sequence[str] | None = None) -> None:
    from databases import ServiceDatabases  # noqa: PLC0415

    from local_platform import LocalPlatform  # noqa: PLC0415

    demo = wants_demo(sys.argv[1:] if argv is None else argv, os.environ)
    LocalPlatform(databases=ServiceDatabases()).prepare(demo=demo)
    if demo:
        print("platform prepared: keys, databases (roles, migrations), queues, demo data")
    else:
        print("platform prepared: keys, databases (roles, migrations), queues; no demo data")
        print(BOOTSTRAP_HINT)


if __name__ == "__main__":
    main()
