"""Runtime values of the language: exact money, durations, lengths, percentages, sanctions."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

import attrs

CENT = Decimal("0.01")


def fmt_decimal(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 5, 2.5, 0.25."""
    if not value.is_finite():
        return str(value)
    if value == value.to_integral_value():
        # format() rather than quantize(): quantize fails past the context precision.
        return format(value.to_integral_value(), "f")
    text = format(value.normalize(), "f")
    return text


@attrs.frozen(order=False)
class Money:
    """An amount in one currency, always held to the cent (half-up rounding)."""

    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: Decimal, currency: str) -> Money:
        return cls(amount.quantize(CENT, ROUND_HALF_UP), currency)  # rounding given by position: a keyword costs as much as the rounding

    def __str__(self) -> str:
        return f"{self.amount.quantize(CENT)} {self.currency}"


@attrs.frozen(order=False)
class Duration:
    """An exact duration in minutes (a decimal, so 1/2 of 15min is 7.5 minutes, not a float)."""

    minutes: Decimal

    def __str__(self) -> str:
        total = self.minutes
        sign = "-" if total < 0 else ""
        total = abs(total)
        whole = int(total)
        frac = total - whole
        days, rem = divmod(whole, 24 * 60)
        hours, minutes = divmod(rem, 60)
        minute_text = fmt_decimal(Decimal(minutes) + frac)
        if days and not hours and not minutes and not frac:
            return f"{sign}{days}d"
        hours += days * 24
        if hours and (minutes or frac):
            pad = minute_text if Decimal(minutes) + frac >= 10 else "0" + minute_text
            return f"{sign}{hours}h{pad}"
        if hours:
            return f"{sign}{hours}h"
        return f"{sign}{minute_text}min"


@attrs.frozen(order=False)
class Length:
    """A distance or an elevation, held in metres; `unit` only says how it was written."""

    metres: Decimal
    unit: str = attrs.field(default="m", eq=False)

    def __str__(self) -> str:
        if self.unit == "km":
            return f"{fmt_decimal(self.metres / 1000)} km"
        if self.unit == "cm":
            return f"{fmt_decimal(self.metres * 100)} cm"
        return f"{fmt_decimal(self.metres)} m"


@attrs.frozen(order=False)
class Percent:
    """An exact percentage: Percent(Decimal(50)) is 50 %."""

    value: Decimal

    @property
    def ratio(self) -> Decimal:
        return self.value / 100

    def __str__(self) -> str:
        return f"{fmt_decimal(self.value)}%"


# ---- time of day and date-times (issue #11 item 5) ----------------------------


@attrs.frozen(order=False)
class TimeOfDay:
    """A time of day, `08:30`, in whole minutes after midnight (0 to 1439)."""

    minutes: int

    def __str__(self) -> str:
        return f"{self.minutes // 60:02}:{self.minutes % 60:02}"


# Currencies races use: ISO 4217 codes, and the other names they go by (RMB is the yuan's CNY).
CURRENCIES = (
    "EUR", "USD", "CHF", "GBP", "CAD", "AUD", "NZD", "JPY", "CNY", "HKD", "ZAR", "SEK", "NOK", "DKK", "BRL", "MXN", "ARS", "CLP",
    "THB", "SGD", "INR", "KRW", "TWD", "PLN", "CZK", "ISK", "TRY", "AED", "MAD", "PEN", "COP", "MYR", "IDR", "PHP", "VND", "HUF",
    "RON", "BGN", "ILS", "NPR", "KES", "UYU", "CRC",
)
CURRENCY_ALIASES = {"RMB": "CNY"}

# ---- end time of day


# Sanction severities, mildest first. Discretion and doping are not ranked
# against time penalties: they stay visible rather than being guessed.
@attrs.frozen
class Sanction:
    """What a jury imposes: time penalties add up, disqualification dominates."""

    minutes: Decimal = Decimal(0)
    disqualified: bool = False
    for_life: bool = False
    discretion: tuple[str, ...] = ()  # infractions left to someone's discretion
    doping: tuple[str, ...] = ()  # infractions sanctioned as for doping
    immediate: bool = False  # a disqualification served at once ("Immediate disqualification")
    ban_months: int = 0  # a disqualification with a fixed-term ban ("disqualify for 2 years")
    # Who decides, for each discretion infraction whose decider the regulation names
    # (the others are left to the race direction, the default).
    deciders: tuple[tuple[str, str], ...] = ()

    @classmethod
    def time(cls, minutes: Decimal) -> Sanction:
        return cls(minutes=minutes)

    @property
    def kind(self) -> str:
        if self.for_life:
            return "disqualify for life"
        if self.ban_months:
            return "disqualify for a term"
        if self.disqualified:
            return "disqualify"
        if self.doping:
            return "as doping"
        if self.discretion:
            return "discretion"
        if not self.minutes:
            return "no penalty"
        return "time"

    def decider(self, infraction: str) -> str:
        """Who decides a discretion sanction for this infraction."""
        return dict(self.deciders).get(infraction, DEFAULT_DECIDER)

    def __str__(self) -> str:
        parts: list[str] = []
        immediate = "immediate " if self.immediate else ""
        if self.for_life:
            parts.append(f"{immediate}disqualification for life")
        elif self.ban_months:
            parts.append(f"{immediate}disqualification for {ban_text(self.ban_months)}")
        elif self.disqualified:
            parts.append(f"{immediate}disqualification")
        elif self.minutes:
            parts.append(f"{Duration(self.minutes)} time penalty")
        if self.doping:
            parts.append(f"sanctioned as for doping ({', '.join(self.doping)})")
        by_decider: dict[str, list[str]] = {}
        for infraction in self.discretion:
            by_decider.setdefault(self.decider(infraction), []).append(infraction)
        for who, infractions in by_decider.items():
            words = "at the race direction's discretion" if who == DEFAULT_DECIDER else f"at the discretion of {who}"
            parts.append(f"{words} ({', '.join(infractions)})")
        if not parts:
            return "no penalty"
        return " + ".join(parts)


DEFAULT_DECIDER = "the race direction"


def ban_text(months: int) -> str:
    """A fixed-term ban as the regulation says it: 2 years, 18 months."""
    if months % 12 == 0:
        years = months // 12
        return f"{years} year{'s' if years != 1 else ''}"
    return f"{months} month{'s' if months != 1 else ''}"


def combine_sanctions(sanctions: list[Sanction]) -> Sanction:
    """The default combination: add time, let disqualification dominate, keep the rest visible."""
    minutes = sum((s.minutes for s in sanctions), Decimal(0))
    life = any(s.for_life for s in sanctions)
    dq = life or any(s.disqualified for s in sanctions)
    ban = 0 if life else max((s.ban_months for s in sanctions), default=0)  # the longest ban stands
    discretion = tuple(dict.fromkeys(i for s in sanctions for i in s.discretion))
    doping = tuple(dict.fromkeys(i for s in sanctions for i in s.doping))
    deciders = tuple(dict.fromkeys(d for s in sanctions for d in s.deciders))
    return Sanction(
        minutes=Decimal(0) if dq else minutes,
        disqualified=dq,
        for_life=life,
        discretion=discretion,
        doping=doping,
        immediate=dq and any(s.immediate for s in sanctions),
        ban_months=ban,
        deciders=deciders,
    )


@attrs.frozen
class RaceValue:
    """A declared race as a value: `UTMB.fee`, `race in long`."""

    name: str
    title: str = attrs.field(default="", eq=False)
    attributes: Mapping[str, Any] = attrs.field(factory=dict, eq=False, hash=False)

    def __str__(self) -> str:
        return self.name


@attrs.frozen
class GroupValue:
    """A named set of races."""

    name: str
    members: frozenset[str] = frozenset()

    def __str__(self) -> str:
        return self.name


@attrs.frozen
class Record:
    """Facts about a runner, a result or a case: `runner.birth_year`."""

    fields: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, mapping: Mapping[str, Any]) -> Record:
        return cls(tuple(sorted(mapping.items())))

    def get(self, name: str) -> Any:
        for key, value in self.fields:
            if key == name:
                return value
        raise KeyError(name)

    def keys(self) -> list[str]:
        return [k for k, _ in self.fields]

    def __str__(self) -> str:
        return "{" + ", ".join(f"{k}: {render(v)}" for k, v in self.fields) + "}"


# Kinds by exact Python type: one dict probe on the evaluator's hot path.
# (datetime.datetime is a date subclass and falls to the isinstance chain.)
_KIND_OF_TYPE: dict[type, str] = {
    bool: "bool", Decimal: "number", int: "number", Money: "money", Duration: "duration", Length: "length",
    Percent: "percent", datetime.date: "date", str: "text", Sanction: "sanction", RaceValue: "race",
    GroupValue: "group", Record: "record", tuple: "list",
    TimeOfDay: "time", datetime.datetime: "datetime",  # issue #11 item 5
}


def type_name(value: Any) -> str:
    """The language's name for the kind of a value (used in messages and by the checker)."""
    kind = _KIND_OF_TYPE.get(type(value))
    if kind is not None:
        return kind
    for cls, name in _KIND_OF_TYPE.items():
        if isinstance(value, cls):
            return name
    return "any"


def render(value: Any) -> str:
    """A value as a jury reads it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return fmt_decimal(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return "[" + ", ".join(_item(v) for v in value) + "]"
    return str(value)


def _item(value: Any) -> str:
    """A list item as a jury reads it: a text holding the list's own separator is quoted, so that
    ["general, man", "general, woman"] does not read as four items."""
    if isinstance(value, str) and ("," in value or value != value.strip() or not value):
        return '"' + value.replace('"', '\\"') + '"'
    return render(value)


def to_json(value: Any) -> Any:
    """A JSON form with stable keys: exact values are strings, never floats."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return {"type": "number", "value": fmt_decimal(value)}
    if isinstance(value, Money):
        return {"type": "money", "amount": str(value.amount.quantize(CENT)), "currency": value.currency}
    if isinstance(value, Duration):
        return {"type": "duration", "minutes": fmt_decimal(value.minutes), "text": str(value)}
    if isinstance(value, Length):
        return {"type": "length", "metres": fmt_decimal(value.metres), "text": str(value)}
    if isinstance(value, Percent):
        return {"type": "percent", "value": fmt_decimal(value.value)}
    if isinstance(value, datetime.datetime):
        return {"type": "datetime", "value": value.strftime("%Y-%m-%dT%H:%M")}
    if isinstance(value, TimeOfDay):
        return {"type": "time", "value": str(value)}
    if isinstance(value, datetime.date):
        return {"type": "date", "value": value.isoformat()}
    if isinstance(value, str):
        return value
    if isinstance(value, Sanction):
        return {
            "type": "sanction",
            "kind": value.kind,
            "minutes": fmt_decimal(value.minutes),
            "disqualified": value.disqualified,
            "for_life": value.for_life,
            "discretion": list(value.discretion),
            "doping": list(value.doping),
            "immediate": value.immediate,
            "ban_months": value.ban_months,
            "deciders": {i: value.decider(i) for i in value.discretion},
            "text": str(value),
        }
    if isinstance(value, RaceValue | GroupValue):
        return {"type": type_name(value), "name": value.name}
    if isinstance(value, Record):
        return {"type": "record", "fields": {k: to_json(v) for k, v in value.fields}}
    if isinstance(value, tuple):
        return [to_json(v) for v in value]
    if callable(getattr(value, "as_json", None)):  # values of a construct that say their own JSON (an equipment list)
        return value.as_json()
    return str(value)


def ceil(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_CEILING)


def floor(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_FLOOR)


def round_half_up(value: Decimal, places: int = 0) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
