"""reporting's own Ed25519 key for the monthly reports (the kit's ``timebank_common.signing``,
as the ledger's certificates): ``REPORT_PRIVATE_KEY_FILE``, ``REPORT_PUBLIC_KEY_FILE``,
retired public keys in ``REPORT_RETIRED_PUBLIC_KEY_FILES`` (made by
``deploy/local_platform.py`` and the test fixtures). Read at the first report, not at start:
a reporting without its key still serves the figures, and says ``report_key_missing``
(503) when asked for a report. The service never makes a key itself (a new one would stop
every earlier report from verifying)."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from nameko.extensions import DependencyProvider

from timebank_common.errors import Unavailable
from timebank_common.signing import SigningKeys, load_keys

log = logging.getLogger(__name__)
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"


class ReportKeys:
    def __init__(self, config: Mapping[str, Any]):
        self.config = config
        self.public_base_url = str(config.get("PUBLIC_BASE_URL") or DEFAULT_PUBLIC_BASE_URL)
        self._keys: SigningKeys | None = None

    @property
    def keys(self) -> SigningKeys:
        if self._keys is None:
            try:
                self._keys = load_keys(self.config["REPORT_PRIVATE_KEY_FILE"],
                                       self.config.get("REPORT_PUBLIC_KEY_FILE"),
                                       self.config.get("REPORT_RETIRED_PUBLIC_KEY_FILES") or [])
            except (KeyError, OSError, ValueError):
                log.exception("reporting's report key could not be read")
                raise Unavailable("report_key_missing", "月度报告签名密钥未配置，请联系管理员",
                                  "The monthly reports' signing key is not configured") from None
        return self._keys


class ReportSigner(DependencyProvider):
    def setup(self):
        self.value = ReportKeys(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.value
