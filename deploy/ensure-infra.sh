#!/usr/bin/env bash
# Make sure PostgreSQL and RabbitMQ (with its management plugin) are running on
# this machine; install them from Debian packages where missing. Idempotent.
set -euo pipefail

need_apt_update=1
apt_install() {
  if [ "$need_apt_update" = 1 ]; then apt-get update -qq; need_apt_update=0; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# --- PostgreSQL -------------------------------------------------------------
installed_pg=0
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "installing PostgreSQL ..."
  apt_install postgresql
  installed_pg=1
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "starting PostgreSQL ..."
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
# the platform connects as postgres over TCP without a password (trust, as on this machine kind);
# a cluster this script just installed is set up that way, for loopback only
if [ "$installed_pg" = 1 ]; then
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -1)
  sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main reload
fi
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
  echo "cannot connect to PostgreSQL as postgres@127.0.0.1 without a password;" \
       "set TIMEBANK_PG (the superuser URL deploy/databases.py provisions with) or allow trust for 127.0.0.1 in pg_hba.conf" >&2
  exit 1
fi

# --- RabbitMQ ---------------------------------------------------------------
if ! command -v rabbitmq-server >/dev/null 2>&1; then
  echo "installing RabbitMQ ..."
  apt_install rabbitmq-server
fi
if ! rabbitmqctl -q status >/dev/null 2>&1; then
  echo "starting RabbitMQ ..."
  rabbitmq-server -detached || true
  rabbitmqctl -q wait --timeout 60 /var/lib/rabbitmq/mnesia/rabbit@$(hostname -s).pid >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do rabbitmqctl -q status >/dev/null 2>&1 && break; sleep 1; done
fi
# Every quorum queue and connection holds file descriptors: with the suite's platforms side by
# side a broker started under the default limit of 1024 runs out (handshake timeouts, RPCs that
# never answer). A broker running under a lower limit is restarted under a raised one.
# (The broker runs as the user rabbitmq, started through su, whose PAM session applies
# /etc/security/limits.d.)
LIMITS=/etc/security/limits.d/rabbitmq-timebank.conf
if [ -w /etc/security/limits.d ] && [ ! -f "$LIMITS" ]; then
  printf 'rabbitmq soft nofile 20000\nrabbitmq hard nofile 20000\n' > "$LIMITS"
fi
BROKER_FDS=$(rabbitmqctl eval 'file_handle_cache:get_limit().' 2>/dev/null | tail -1 | tr -dc 0-9)
if [ -f "$LIMITS" ] && [ -n "$BROKER_FDS" ] && [ "$BROKER_FDS" -lt 8000 ]; then
  echo "restarting RabbitMQ with a file-descriptor limit above its $BROKER_FDS ..."
  rabbitmqctl -q stop >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do rabbitmqctl -q status >/dev/null 2>&1 || break; sleep 1; done
  rabbitmq-server -detached || true
  for _ in $(seq 1 90); do rabbitmqctl -q status >/dev/null 2>&1 && break; sleep 1; done
fi
if ! rabbitmq-plugins list -e -m 2>/dev/null | grep -qx rabbitmq_management; then
  rabbitmq-plugins enable -q rabbitmq_management >/dev/null
fi
# RabbitMQ's own Prometheus exporter on :15692 (deploy/monitoring/prometheus.yml scrapes it)
if ! rabbitmq-plugins list -e -m 2>/dev/null | grep -qx rabbitmq_prometheus; then
  rabbitmq-plugins enable -q rabbitmq_prometheus >/dev/null \
    || echo "warning: could not enable rabbitmq_prometheus; the rabbitmq scrape job will be down" >&2
fi
for _ in $(seq 1 60); do
  curl -fsS -u guest:guest http://127.0.0.1:15672/api/overview >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS -u guest:guest http://127.0.0.1:15672/api/overview >/dev/null \
  || { echo "RabbitMQ management API is not reachable on 127.0.0.1:15672" >&2; exit 1; }
# --- Redis: the gateway's shared rate-limit counters (RATE_LIMIT_STORAGE_URL) and the test
# that two gateway processes share them; the platform itself runs without it (memory://)
if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing Redis ..."
  apt_install redis-server
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis ..."
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no >/dev/null
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }

# --- tools the certificate tests use to look at a rendered PDF (optional) ----
# pdftoppm renders a certificate page to PNG, zbarimg reads its QR code back; the test
# that needs them is skipped without them, so a failed install only warns.
if ! command -v pdftoppm >/dev/null 2>&1 || ! command -v zbarimg >/dev/null 2>&1; then
  apt_install poppler-utils zbar-tools >/dev/null 2>&1 \
    || echo "warning: poppler-utils/zbar-tools not installed; the QR read-back test will be skipped" >&2
fi

# --- promtool: checks the alert rules and runs their unit tests (deploy/monitoring/, run by
# tests/unit/test_monitoring.py, which fails without it). Debian's prometheus package ships it;
# without its recommends (node exporter)
if ! command -v promtool >/dev/null 2>&1; then
  echo "installing promtool (Debian's prometheus package) ..."
  apt_install --no-install-recommends prometheus >/dev/null
fi

# --- jq: the README's first path picks fields with it, and a test runs that path verbatim ----
if ! command -v jq >/dev/null 2>&1; then
  apt_install jq >/dev/null 2>&1 || echo "warning: jq not installed; the README path test will be skipped" >&2
fi

echo "infrastructure ready: PostgreSQL 127.0.0.1:5432, RabbitMQ 127.0.0.1:5672 (management :15672), Redis 127.0.0.1:6379"
