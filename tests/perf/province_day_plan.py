"""The plan of a simulated Hebei day (issue 17, item 3): who serves whom, where, through which
channel, and what happens to each service. Pure and seeded: the same ``(services, seed)``
gives the same plan, so a run that failed can be replayed and a check can compare the ledger
with what the plan recorded.

Scale. The default day has 20,000 services:

    Nanjing's time bank, the model the policy cites, records on the order of 85,000 services
    a year among its ~1.75 million residents over 60 (2020 census: 18.98 % of 9.31 M), i.e.
    85,000 / 365 / 1.75 M ≈ 1.3 services per 10,000 elders per day. Ten times that rate
    (a province that has made the scheme ordinary) is 13 per 10,000 per day; Hebei has about
    14.8 million residents over 60 (2020 census: 19.85 % of 74.6 M), so
    14.8 M × 13 / 10,000 ≈ 19,700 ≈ 20,000 services in a day.

Where. The 14 city-level units (11 cities, 辛集 and 定州 directly administered, 雄安新区) get
stations, elders, volunteers and demands in proportion to their residents over 60
(``CITY_UNITS``: the 2020 census bulletins, rounded to thousands; only the proportions matter).
Each unit has one township (街道) with one community (社区) per station, made up for the day
under a real county of the unit (the shipped division tree ends at county level); 雄安新区 has
no county codes of its own (its three counties keep their 保定 codes), so its stations count
under 保定 by code.

What. Demands come through every channel the demand service accepts (``CHANNELS``): the
elder's phone call taken by the station (``phone``), the station itself (``station``), the
elder in the app (``app``, elders who have a login) and the city's municipal system (``api``).
A few are rejected at review. Volunteers claim most, the station assigns the rest; each
volunteer serves in *waves* (one service at a time: a volunteer holds one live assignment,
then checks out and takes the next), at most ``SERVICES_PER_VOLUNTEER`` a day, so their
recorded minutes stay under the daily maximum (480). Most records are confirmed by phone
and go straight to the ledger; the app elders confirm theirs in the app; a share is recorded
with more minutes than presence allows (``minutes_exceed_presence``) and held for a second
look, most of them then released by the township, some rejected, some left held. Elders
evaluate, a few volunteers dispute a record (the township upholds it), some volunteers give
hours to a verified relative (an elder of their station) and some donate to the city's pool.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from timebank_common.regions import city_unit_of

# code, name, residents over 60 (thousands), the county the day's township hangs from,
# longitude, latitude of that county (stations sit around it)
CITY_UNITS: tuple[tuple[str, str, int, str, float, float], ...] = (
    ("130100000000", "石家庄市", 1950, "130102000000", 114.539, 38.036),
    ("130181000000", "辛集市", 120, "130181000000", 115.220, 37.940),
    ("130200000000", "唐山市", 1640, "130203000000", 118.200, 39.630),
    ("130300000000", "秦皇岛市", 680, "130302000000", 119.600, 39.935),
    ("130400000000", "邯郸市", 1750, "130402000000", 114.482, 36.610),
    ("130500000000", "邢台市", 1440, "130502000000", 114.505, 37.068),
    ("130600000000", "保定市", 1530, "130602000000", 115.465, 38.874),
    ("130682000000", "定州市", 210, "130682000000", 114.990, 38.520),
    ("130700000000", "张家口市", 960, "130702000000", 114.886, 40.768),
    ("130800000000", "承德市", 720, "130802000000", 117.963, 40.953),
    ("130900000000", "沧州市", 1340, "130902000000", 116.839, 38.304),
    ("131000000000", "廊坊市", 890, "131002000000", 116.684, 39.538),
    ("131100000000", "衡水市", 950, "131102000000", 115.670, 37.739),
    # 雄安新区's counties keep their 保定 codes in the division tree (identity's data README):
    # its stations sit in 雄县 and, by code, under 保定's management unit
    ("133100000000", "雄安新区", 220, "130638000000", 116.109, 38.995),
)
OVER_60_TOTAL = sum(row[2] for row in CITY_UNITS)

DEFAULT_SERVICES = 20_000
SERVICES_PER_STATION = 125  # a busy community station's day
SERVICES_PER_VOLUNTEER = 10  # waves: at most 10 × 45 min recorded = 450 ≤ 480 a day
DEMANDS_PER_ELDER = 2  # each in its own category (no duplicate demand)

# the channels the demand service accepts, and their share of the day's demands
CHANNELS = {"phone": 0.35, "station": 0.35, "app": 0.12, "api": 0.18}
# the catalogue's non-professional categories (the professional ones need qualifications)
CATEGORIES = {"emotional_comfort": 0.30, "assistance": 0.25, "outing_companion": 0.12,
              "health_education": 0.10, "culture_sports": 0.09, "fraud_prevention": 0.08,
              "lectures_training": 0.06}
REJECTED_AT_REVIEW = 0.02
ASSIGNED_BY_STATION = 0.25  # the rest are claimed by the volunteer
FLAGGED = 0.04  # recorded beyond presence: held for a second look
FLAGGED_RELEASED, FLAGGED_REJECTED = 0.75, 0.15  # the rest stays held at the end of the day
EVALUATED = 0.6  # of the app elders' services
DISPUTED = 0.003
GIVING = 0.05  # of the volunteers: a gift to a relative
DONATING = 0.05  # of the volunteers: a donation to the city's pool

RECORDED_MINUTES = (15, 30)  # within check-in..out + the 30 minutes' tolerance: not flagged
FLAGGED_MINUTES = 45  # beyond it (check-in and out are seconds apart in a compressed day)


@dataclass(frozen=True)
class Station:
    index: int
    city: str  # the city-level management unit its codes belong to (scope of the city's staff)
    city_name: str
    township: str
    community: str
    longitude: float
    latitude: float


@dataclass(frozen=True)
class Elder:
    index: int
    station: int
    app: bool  # has a login and submits in the app


@dataclass(frozen=True)
class Volunteer:
    index: int
    station: int


@dataclass(frozen=True)
class Service:
    """One demand and, unless rejected at review, the service that follows it."""
    index: int
    station: int
    elder: int
    category: str
    channel: str
    expected_minutes: int
    rejected: bool = False
    volunteer: int | None = None
    wave: int = 0
    assigned_by_station: bool = False
    minutes: int = 0  # recorded
    confirmation: str = "phone"  # "app": the elder confirms in the app
    outcome: str = "sent"  # sent | released | rejected | held (a flagged record's end)
    score: int | None = None
    disputed: bool = False

    @property
    def credited(self) -> bool:
        """The record reaches the ledger by the end of the day."""
        return not self.rejected and self.outcome in ("sent", "released")


@dataclass(frozen=True)
class Gift:
    volunteer: int
    elder: int  # the volunteer's verified parent, an elder of the same station
    minutes: int


@dataclass(frozen=True)
class Donation:
    volunteer: int
    minutes: int


@dataclass
class DayPlan:
    services_target: int
    seed: int
    stations: list[Station] = field(default_factory=list)
    elders: list[Elder] = field(default_factory=list)
    volunteers: list[Volunteer] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    gifts: list[Gift] = field(default_factory=list)
    donations: list[Donation] = field(default_factory=list)

    @classmethod
    def at_scale(cls, services: int = DEFAULT_SERVICES, seed: int = 1) -> DayPlan:
        if services < len(CITY_UNITS):
            raise ValueError(f"at least {len(CITY_UNITS)} services (one per city-level unit)")
        rng = random.Random(seed)
        plan = cls(services, seed)
        for code, name, count in _split_by_city(services):
            plan._add_city(rng, code, name, count)
        plan._add_transfers(rng)
        return plan

    # -- figures the run and its checks read ---------------------------------------------
    @property
    def waves(self) -> int:
        return 1 + max((s.wave for s in self.services if s.volunteer is not None), default=0)

    def credited_minutes(self) -> dict[int, int]:
        """Minutes each volunteer's records bring to the ledger (before gifts and donations)."""
        out: dict[int, int] = {v.index: 0 for v in self.volunteers}
        for s in self.services:
            if s.credited and s.volunteer is not None:
                out[s.volunteer] += s.minutes
        return out

    def summary(self) -> dict[str, int]:
        served = [s for s in self.services if not s.rejected]
        return {"services": len(self.services), "stations": len(self.stations),
                "elders": len(self.elders), "app_elders": sum(e.app for e in self.elders),
                "volunteers": len(self.volunteers), "waves": self.waves,
                "rejected_at_review": len(self.services) - len(served),
                "held": sum(s.outcome != "sent" for s in served),
                "credited": sum(s.credited for s in served),
                "evaluations": sum(s.score is not None for s in served),
                "disputes": sum(s.disputed for s in served),
                "gifts": len(self.gifts), "donations": len(self.donations)}

    # -- generation ----------------------------------------------------------------------
    def _add_city(self, rng: random.Random, code: str, name: str, count: int) -> None:
        row = next(r for r in CITY_UNITS if r[0] == code)
        county, lon, lat = row[3], row[4], row[5]
        per_station = _even_split(count, math.ceil(count / SERVICES_PER_STATION))
        for n, station_services in enumerate(per_station, start=1):
            township = county[:6] + "901000"  # a made-up 街道 (9xx: not an official code)
            station = Station(len(self.stations), city_unit_of(county), name, township,
                              township[:9] + f"{n:03d}",
                              round(lon + 0.01 * (n % 7), 4), round(lat + 0.01 * (n // 7), 4))
            self.stations.append(station)
            self._add_station_day(rng, station, station_services)

    def _add_station_day(self, rng: random.Random, station: Station, count: int) -> None:
        channels = [_pick(rng, CHANNELS) for _ in range(count)]
        n_app = channels.count("app")
        elders = [Elder(len(self.elders) + i, station.index, i < n_app_elders)
                  for n_app_elders in [math.ceil(n_app / DEMANDS_PER_ELDER)]
                  for i in range(n_app_elders + math.ceil((count - n_app) / DEMANDS_PER_ELDER))]
        self.elders.extend(elders)
        pools = {True: [e for e in elders if e.app], False: [e for e in elders if not e.app]}
        demands: list[Service] = []
        load: dict[int, set[str]] = {e.index: set() for e in elders}  # categories asked for
        for channel in channels:
            pool = pools[channel == "app"]
            elder = min(rng.sample(pool, min(3, len(pool))), key=lambda e: len(load[e.index]))
            if len(load[elder.index]) >= DEMANDS_PER_ELDER:  # the least busy one instead
                elder = min(pool, key=lambda e: len(load[e.index]))
            categories = [c for c in CATEGORIES if c not in load[elder.index]]
            category = _pick(rng, {c: CATEGORIES[c] for c in categories})
            load[elder.index].add(category)
            demands.append(Service(len(self.services) + len(demands), station.index, elder.index,
                                   category, channel, rng.choice(RECORDED_MINUTES),
                                   rejected=rng.random() < REJECTED_AT_REVIEW))
        served = [d for d in demands if not d.rejected]
        volunteers = [Volunteer(len(self.volunteers) + i, station.index)
                      for i in range(max(1, math.ceil(len(served) / SERVICES_PER_VOLUNTEER)))]
        self.volunteers.extend(volunteers)
        app_of = {e.index: e.app for e in elders}
        for n, demand in enumerate(served):
            volunteer = volunteers[n % len(volunteers)]
            demands[demand.index - demands[0].index] = self._serve(
                rng, demand, volunteer.index, n // len(volunteers), app_of[demand.elder])
        self.services.extend(demands)

    @staticmethod
    def _serve(rng: random.Random, demand: Service, volunteer: int, wave: int,
               app_elder: bool) -> Service:
        flagged = rng.random() < FLAGGED
        outcome = "sent"
        if flagged:
            roll = rng.random()
            outcome = ("released" if roll < FLAGGED_RELEASED else
                       "rejected" if roll < FLAGGED_RELEASED + FLAGGED_REJECTED else "held")
        minutes = FLAGGED_MINUTES if flagged else demand.expected_minutes
        confirmation = "app" if app_elder and rng.random() < 0.5 else "phone"
        # a service is evaluated once recorded: not a record rejected or still held
        evaluated = app_elder and outcome in ("sent", "released") and rng.random() < EVALUATED
        score = rng.choice((5, 5, 5, 4, 4, 3)) if evaluated else None
        return Service(**{**demand.__dict__, "volunteer": volunteer, "wave": wave,
                          "assigned_by_station": rng.random() < ASSIGNED_BY_STATION,
                          "minutes": minutes, "confirmation": confirmation, "outcome": outcome,
                          "score": score,
                          "disputed": outcome == "sent" and rng.random() < DISPUTED})

    def _add_transfers(self, rng: random.Random) -> None:
        """Gifts and donations out of what each volunteer is sure to have earned."""
        earned = self.credited_minutes()
        elders_of: dict[int, list[int]] = {}
        for e in self.elders:
            elders_of.setdefault(e.station, []).append(e.index)
        served: dict[int, set[int]] = {}
        for s in self.services:
            if s.volunteer is not None:
                served.setdefault(s.volunteer, set()).add(s.elder)
        for v in self.volunteers:
            have = earned[v.index]
            # the parent is someone the volunteer does not serve (that would flag the record)
            parents = [e for e in elders_of[v.station] if e not in served.get(v.index, ())]
            if have >= 30 and parents and rng.random() < GIVING:
                gift = Gift(v.index, rng.choice(parents), 15)
                self.gifts.append(gift)
                have -= gift.minutes
            if have >= 15 and rng.random() < DONATING:
                self.donations.append(Donation(v.index, 15))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    names = list(weights)
    return rng.choices(names, weights=[weights[n] for n in names])[0]


def _split_by_city(services: int) -> list[tuple[str, str, int]]:
    """The day's services per city-level unit, by residents over 60 (largest remainder; at
    least one each)."""
    shares = [(code, name, services * over60 / OVER_60_TOTAL)
              for code, name, over60, *_ in CITY_UNITS]
    counts = {code: max(1, int(share)) for code, _, share in shares}
    by_remainder = sorted(shares, key=lambda s: s[2] - int(s[2]), reverse=True)
    i = 0
    while sum(counts.values()) < services:
        counts[by_remainder[i % len(by_remainder)][0]] += 1
        i += 1
    while sum(counts.values()) > services:  # the "at least one" floors overshot
        largest = max(counts, key=lambda c: counts[c])
        counts[largest] -= 1
    return [(code, name, counts[code]) for code, name, _ in shares]


def _even_split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]
