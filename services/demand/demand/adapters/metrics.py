"""The demand service's own counters (exported at its ``/metrics``): a rising escalation count
means stations fall behind on review; skipped occurrences mean series clash with demands;
expired demands are elders nobody served in time."""
from prometheus_client import Counter

ESCALATIONS = Counter("timebank_demand_review_escalations_total",
                      "Demands escalated to their township for want of review")
OCCURRENCES = Counter("timebank_demand_series_occurrences_total",
                      "Occurrences of recurring demands taken, by outcome", ["outcome"])
EXPIRED = Counter("timebank_demand_expired_total",
                  "Demands closed unserved: still submitted or published when their window ended")
