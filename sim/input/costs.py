"""The ``costs:`` section: what an agent's paid hour and a workstation cost, with documented defaults.

Every default below is an assumption for a prefecture-level city in Anhui in
2024-2026, with where it comes from; a city puts its own contract figures in
its scenario (``costs:`` in the file, or in the base file all options share).
``DEFAULTS`` holds them with their sources, and the README's "Costs" section
prints the same table (a test keeps them in step).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.input import clock, limits
from sim.input.reader import Node
from sim.input.spec import Costs


@dataclass(frozen=True)
class Default:
    value: object
    unit: str
    source: str


DEFAULTS = {
    "currency": Default("CNY", "ISO 4217 code", "yuan: the tool is written for Chinese cities"),
    "pay_per_paid_hour": Default(
        25.0, "currency per paid hour",
        "about 4,350 yuan a month for 174 paid hours (21.75 days x 8 h, the monthly average of the Ministry of "
        "Human Resources and Social Security's 2008 notice on working days); an assumption for hotline agents "
        "hired in an Anhui prefecture city, about twice the province's monthly minimum wage: use the contract's figure"),
    "night_premium": Default(
        0.20, "share of pay",
        "extra pay for hours worked inside night_hours; there is no national statutory night premium, cities "
        "and contracts set a night allowance: an assumption"),
    "night_hours": Default(
        ("22:00", "06:00"), "clock times",
        "22:00 to 06:00, the night of Chinese labour practice (night-shift rules of the 2012 special "
        "provisions on female employees' labour protection use the same hours)"),
    "on_costs": Default(
        0.35, "share of pay",
        "the employer's social insurance and housing fund: pension 16% (State Council 2019 reduction), medical "
        "about 7%, unemployment 0.5%, work injury about 0.5%, housing fund 5-12%: about 30-36%; an "
        "outsourcing firm's fee comes on top where agents are dispatched"),
    "workstation_per_year": Default(
        12000.0, "currency per workstation per year",
        "equipment (computer, headset, desk: about 10,000 yuan written off over 5 years, 2,000 a year), "
        "contact-centre software and line licences (about 5,000 a year), space and power (about 6 m2 at "
        "2 yuan per m2 a day, 4,400 a year): an assumption"),
    "workstation_margin": Default(
        0.10, "share of the most agents at work at once",
        "spare positions for supervisors' monitoring, training, new hires and broken equipment: an assumption"),
}
_FIELDS = set(DEFAULTS) | {"source", "description"}


def defaults() -> Costs:
    """The costs when a scenario says nothing of them (``DEFAULTS``)."""
    return parse(None)


def parse(node: Node | None) -> Costs:
    """The ``costs:`` section (None: every default); each field falls back to its default."""
    def get(key, read):
        return read(key) if node is not None and node.has(key) else DEFAULTS[key].value

    if node is not None:
        node.unknown_keys(_FIELDS)
        node.free_text("source", "description")
    currency = get("currency", lambda k: node.raw(k))
    if not isinstance(currency, str) or not currency.strip() or len(currency) > CURRENCY_CHARACTERS \
            or not currency.isprintable():      # a number is no currency: 5 printed "1,322,304 5 a year"
        node.fail(f"must be a currency code such as CNY, got {currency!r}", "currency")
    night = get("night_hours", lambda k: node.raw(k))
    parsed = [clock.parse_clock(t) for t in night] if isinstance(night, (list, tuple)) and len(night) == 2 else None
    if not parsed or any(p is None or p[0] is not None for p in parsed):
        node.fail("must be two clock times, the night's start and end: ['22:00', '06:00']", "night_hours")
    if parsed[0][1] == parsed[1][1]:       # a night of no hours or of all 24: which was meant cannot be told
        node.fail(f"starts and ends at the same time ({night[0]}); give the night's start and end, e.g. "
                  "['22:00', '06:00'], and night_premium: 0 for no premium", "night_hours")

    def share(key: str) -> float:       # of pay or of workstations: 35 for 35% would be 3500%
        return node.number(key, minimum=0, maximum=1)

    yuan = currency.strip().upper() in YUAN
    if not yuan:
        # the defaults are yuan: 12,000 a workstation-year read as dollars is a tenth of what it says
        for key in ("pay_per_paid_hour", "workstation_per_year"):
            if not node.has(key):
                node.fail(f"is {currency.strip()}, and {key} is left to its default of {DEFAULTS[key].value:,g} "
                          f"yuan; give {key} in {currency.strip()}", "currency")

    return Costs(
        # one code for the yuan however it is written: options in CNY and in RMB are costed alike (``decide``)
        currency=YUAN_CODE if yuan else currency.strip(),
        pay_per_paid_hour=get("pay_per_paid_hour", lambda k: node.number(k, minimum=0, limit=MONEY)),
        night_premium=get("night_premium", share),
        night_hours=(parsed[0][1], parsed[1][1]),
        on_costs=get("on_costs", share),
        workstation_per_year=get("workstation_per_year", lambda k: node.number(k, minimum=0, limit=MONEY)),
        workstation_margin=get("workstation_margin", share),
    )


CURRENCY_CHARACTERS = 12
YUAN = {"CNY", "RMB", "元", "人民币", "YUAN"}     # the defaults' own currency, however it is written
YUAN_CODE = "CNY"                               # ... read as its ISO 4217 code
MONEY = limits.Limit(0, 1e9, "per unit")    # a paid hour or a workstation-year: a billion is a typo


def is_night(minute_of_day, costs: Costs):
    """True where a minute of the day (0-1439, an array) lies inside the night hours (which may cross midnight)."""
    minute_of_day = np.asarray(minute_of_day)
    start, end = costs.night_hours          # never equal (refused when read)
    if start < end:
        return (minute_of_day >= start) & (minute_of_day < end)
    return (minute_of_day >= start) | (minute_of_day < end)
