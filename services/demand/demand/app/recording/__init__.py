"""A service record from the station's recording to the ledger (items 6 and 7): recording
with the evidence flags (``record``), the elder's confirmation (``confirm``), the second look
at a held record (``review``), the records as each caller may see them (``reads``), the
evidence thresholds as policy data (``policy``) and the chase of unconfirmed records
(``chase``). ``service_recorded`` is emitted in ONE place: ``publish.publish_record``."""
