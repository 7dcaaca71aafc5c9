"""Service-record certificates (服务记录证明): issue (``issue.py``), download as PDF
(``read.py``) and public verification (``verify.py``).

Kept apart from the ledger's core: the service lines come from ``adapters/service_lines.py``
(the one module that knows how service credits are stored), the volunteer's data from
identity's masked view, the signature from ``adapters/certificate_keys.py``. The stored row
holds the signed content itself, so verification needs nothing but the row, the public key
and the ledger's credits it names.
"""
