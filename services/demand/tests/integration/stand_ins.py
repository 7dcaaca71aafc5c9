"""The ``identity`` stand-ins demand's tests run beside the demand service, gathered in one
place (each as the test module it came from needs it; to be replaced by one identity fake
built on identity's contracts). Each is a nameko service (run it in a container) and a plain
object (give an instance to an in-process demand worker as its ``identity``)."""
import eventlet

from timebank_common.errors import NotFound
from timebank_common.service import rpc as rpc_method

REGION = "130102001001"  # a community in 长安区, 石家庄: where every plain elder lives
VOLUNTEER_REGION = "130102002003"


class PlainIdentity:
    """Every elder lives in ``REGION`` with no station, every volunteer is eligible, nobody
    is related to anybody and nobody acts for an elder."""
    name = "identity"

    @rpc_method
    def get_elder(self, caller, person_id):
        return {"person_id": person_id, "name": "张大爷", "region_code": REGION,
                "carrier_id": None}

    @rpc_method
    def check_volunteer(self, person_id):
        return {"person_id": person_id, "name": "志愿者", "region_code": VOLUNTEER_REGION,
                "eligible": True, "reasons": []}

    @rpc_method
    def are_direct_relatives(self, person_a, person_b):
        return {"related": False, "kind": None}

    @rpc_method
    def may_act_for(self, person_id, elder_id):
        return False


# --- demands: visibility, claims and lists ------------------------------------------------
NOBODY = "nobody"  # has no elder profile
INELIGIBLE = "ineligible-volunteer"
RELATIVE = "vol-relative"  # a direct relative of every elder
PROXY = "proxy-1"  # may act for every elder


class DemandsIdentity:
    """Elders in ``REGION`` (phone-only, no station) but ``NOBODY``; volunteers eligible but
    ``INELIGIBLE``; ``RELATIVE`` related to everybody; ``PROXY`` acting for every elder;
    ``elders_acted_for`` from ``acting_for`` (set by a test)."""
    name = "identity"
    acting_for: dict[str, list[str]] = {}

    @rpc_method
    def get_elder(self, caller, person_id):
        if person_id == NOBODY:
            raise NotFound("elder_not_found", "老人不存在", "No such elder")
        return {"person_id": person_id, "name": "张大爷", "region_code": REGION,
                "carrier_id": None, "phone_only": True}

    @rpc_method
    def check_volunteer(self, person_id):
        if person_id == INELIGIBLE:
            return {"person_id": person_id, "name": "李四", "region_code": REGION,
                    "eligible": False, "reasons": [{"code": "training_incomplete",
                                                    "zh": "培训未完成", "en": "training incomplete"}]}
        return {"person_id": person_id, "name": "志愿者", "region_code": VOLUNTEER_REGION,
                "eligible": True, "reasons": []}

    @rpc_method
    def are_direct_relatives(self, person_a, person_b):
        related = RELATIVE in (person_a, person_b)
        return {"related": related, "kind": "child" if related else None}

    @rpc_method
    def may_act_for(self, person_id, elder_id):
        return person_id == PROXY

    @rpc_method
    def elders_acted_for(self, person_id):
        return sorted(self.acting_for.get(person_id, []))


# --- intake: channels, ages, regions, a slow identity --------------------------------------
STATS_REGION = "130105001002"  # 新华区: elders "stats-…" live there
INTAKE_PROXY = "proxy-relative-1"  # acts for the elders "proxied-…"
NOT_AN_ELDER = "volunteer-not-elder"


class IntakeIdentity:
    """Elders "slow-…" take 3 s to answer; ``NOBODY`` and ``NOT_AN_ELDER`` have no elder
    profile; "stats-…" live in ``STATS_REGION``; "young-…" are 45; ``INTAKE_PROXY`` acts for
    the elders "proxied-…"; ``get_elder`` shows the caller it was asked for."""
    name = "identity"

    @rpc_method
    def get_elder(self, caller, person_id):
        if person_id.startswith("slow-"):
            eventlet.sleep(3)
        if person_id in (NOBODY, NOT_AN_ELDER):
            raise NotFound("elder_not_found", "此人没有老年人档案", "This person has no elder profile")
        region = STATS_REGION if person_id.startswith("stats-") else REGION
        age = 45 if person_id.startswith("young-") else 78
        return {"person_id": person_id, "region_code": region, "carrier_id": None, "age": age,
                "seen_caller": caller}

    @rpc_method
    def may_act_for(self, person_id, elder_id):
        return person_id == INTAKE_PROXY and elder_id.startswith("proxied-")

    @rpc_method
    def check_volunteer(self, person_id):
        return {"person_id": person_id, "region_code": REGION, "eligible": True, "reasons": []}

    @rpc_method
    def are_direct_relatives(self, person_a, person_b):
        return {"related": False, "kind": None}


# --- assignment: a slow volunteer check -------------------------------------------------------
class AssignmentIdentity:
    """Elders in ``REGION``; volunteers "slow-…" take ``slow_seconds`` to be checked; nobody
    is related to anybody or acts for an elder."""
    name = "identity"
    slow_seconds = 2.0

    @rpc_method
    def get_elder(self, caller, person_id):
        return {"person_id": person_id, "name": "张大爷", "region_code": REGION,
                "carrier_id": None, "phone_only": True}

    @rpc_method
    def check_volunteer(self, person_id):
        if person_id.startswith("slow-"):
            eventlet.sleep(self.slow_seconds)  # longer than IDENTITY_RPC_TIMEOUT_SECONDS
        return {"person_id": person_id, "name": "志愿者", "region_code": VOLUNTEER_REGION,
                "eligible": True, "reasons": []}

    @rpc_method
    def are_direct_relatives(self, person_a, person_b):
        return {"related": False, "kind": None}

    @rpc_method
    def may_act_for(self, person_id, elder_id):
        return False


# --- recording: two cities' thresholds, a relative, a proxy ----------------------------------
XINGTAI_REGION = "130503001001"  # elders "xt-…" live here (邢台: its own thresholds)


class RecordingIdentity:
    """Elders "xt-…" in ``XINGTAI_REGION``, the others in ``REGION``; ``RELATIVE`` related
    to everybody; ``PROXY`` acting for every elder."""
    name = "identity"

    @rpc_method
    def get_elder(self, caller, person_id):
        region = XINGTAI_REGION if person_id.startswith("xt-") else REGION
        return {"person_id": person_id, "name": "张大爷", "region_code": region,
                "carrier_id": None}

    @rpc_method
    def check_volunteer(self, person_id):
        return {"person_id": person_id, "name": "志愿者", "region_code": VOLUNTEER_REGION,
                "eligible": True, "reasons": []}

    @rpc_method
    def are_direct_relatives(self, person_a, person_b):
        return {"related": RELATIVE in (person_a, person_b), "kind": None}

    @rpc_method
    def may_act_for(self, person_id, elder_id):
        return person_id == PROXY
