"""Every JSON answer of the demand, matching, notify and ledger routes is declared (issue 15):
the OpenAPI document types it, the console reads it without casts, and the gateway's strict
mode can check it. The services prove each schema exact on their real answers
(``CHECK_CONTRACTS: strict``)."""
from gateway.routing import ROUTES
from gateway.service import GatewayService  # noqa: F401  (registers every route)

OWNED_BY_THESE_SERVICES = {"demands", "matching", "notify", "ledger", "records", "disputes",
                           "catalog", "statistics"}


def test_every_json_answer_of_these_services_declares_its_schema():
    undeclared = [f"{r.method} {r.path}" for r in ROUTES
                  if set(r.tags) & OWNED_BY_THESE_SERVICES
                  and r.content_type == "application/json" and r.response is None]
    assert undeclared == []
