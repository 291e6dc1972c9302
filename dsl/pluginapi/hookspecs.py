"""Hook specifications: what a series plugin may add to racepolicy, grouped by purpose."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from racepolicy.diff.compare import DiffSection
    from racepolicy.evaluation.model import Edition
    from racepolicy.evaluation.values import Sanction
    from racepolicy.language.errors import PolicyError
    from racepolicy.pluginapi.types import Function, QueryForm, Vocabulary

PROJECT = "racepolicy"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# ---------------------------------------------------------------------------
# Series and vocabulary
# ---------------------------------------------------------------------------


@hookspec
def racepolicy_series() -> list[str]:
    """Name the series this plugin speaks for (e.g. ``["utmb"]``).

    Used to list plugins and to tell a policy author that no plugin knows a
    series. Called for every plugin; results are collected.

    :returns: series names as written in an ``edition`` header.
    """
    raise NotImplementedError


@hookspec
def racepolicy_vocabulary(series: str) -> Vocabulary | None:
    """Give the words of a series: race names, infraction names, categories.

    Infractions in the vocabulary may be used in ``penalty`` statements without
    an ``infraction`` declaration; all words feed did-you-mean hints and REPL
    completion. Return ``None`` for a series that is not yours.

    :param series: the series of the edition being loaded.
    :returns: a :class:`racepolicy.Vocabulary` or ``None``.
    """
    raise NotImplementedError


@hookspec
def racepolicy_race_attributes(series: str) -> dict[str, str] | None:
    """Add race attributes (name → kind) that races of this series may declare.

    The core knows distance, elevation, start, finish, cutoff, fee, insurance,
    capacity, assistance and date. Kinds are the language's type names
    (``number``, ``money``, ``text``, ``list``, ...).

    :param series: the series of the edition being loaded.
    :returns: a mapping, or ``None`` for a series that is not yours.
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Domain functions and query forms
# ---------------------------------------------------------------------------


@hookspec
def racepolicy_functions(series: str) -> list[Function] | None:
    """Give the domain functions policies of this series may call.

    For example an age category from a birth date and a race date, or the
    Finals race for a distance category. Functions are pure.

    :param series: the series of the edition being loaded.
    :returns: a list of :class:`racepolicy.Function`, or ``None``.
    """
    raise NotImplementedError


@hookspec
def racepolicy_query_forms(series: str) -> list[QueryForm] | None:
    """Give word-led query forms (``refund UTMB cancelled 2022-05-15``).

    :param series: the series of the edition answering the query.
    :returns: a list of :class:`racepolicy.QueryForm`, or ``None``.
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Checking and evaluation
# ---------------------------------------------------------------------------


@hookspec
def racepolicy_validate(edition: Edition) -> list[PolicyError] | None:
    """Check an edition against the rules of its series, after the core checks passed.

    For example: every mandatory-gear infraction has a penalty on every race;
    refund tiers never rise nearer the race. Errors should carry the span of
    the statement at fault. Called for every plugin; results are collected.

    :param edition: the checked edition.
    :returns: the errors found (empty or ``None`` when all is well).
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def racepolicy_combine_sanctions(series: str, sanctions: list[Sanction]) -> Sanction | None:
    """Combine the sanctions of several infractions committed together.

    Called only when two or more infractions are asked about together (a lone
    sanction is its own combination). ``firstresult``: the first plugin that
    returns a sanction decides. When no
    plugin answers, the core adds time penalties, lets disqualification
    dominate and keeps discretion and doping visible.

    :param series: the series of the edition.
    :param sanctions: one sanction per infraction, in the order asked.
    :returns: the combined sanction, or ``None`` to leave it to the core.
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Regulation diffs
# ---------------------------------------------------------------------------


@hookspec
def racepolicy_diff_sections(old: Edition, new: Edition) -> list[DiffSection] | None:
    """Add a series' own sections to the diff of two editions (``racepolicy diff``).

    The core compares races, attributes, infractions, penalties, schedules,
    tables, bands and rules. A plugin adds what only its series knows: the
    mandatory-gear list, qualification thresholds, points tables. Each
    :class:`racepolicy.diff.compare.DiffSection` has a ``topic`` (a stable key for
    JSON, e.g. ``"utmb_mandatory_gear"``), a ``title`` and its
    :class:`racepolicy.diff.compare.Change` items, each citing the clause in both
    editions where it can. Sections are shown after the core's, sorted by
    topic. Called for every plugin; results are collected. Return ``None``
    (or an empty list) when either edition is not of your series.

    :param old: the earlier edition, checked.
    :param new: the later edition, checked.
    :returns: the plugin's sections, or ``None``.
    """
    raise NotImplementedError


@hookspec
def racepolicy_diff_renames(old: Edition, new: Edition) -> dict[str, str] | None:
    """Say which statements of a series were renamed between two editions, so the diff shows one change, not two.

    Keys and values are ``"kind:name"`` with kind ``rule``, ``table``,
    ``schedule``, ``infraction`` or ``item`` (a checklist item): ``{"rule:eco_participation":
    "rule:eco_fee", "infraction:missing_phone": "infraction:missing_smartphone"}``.
    A rule may become a table or schedule (``"rule:guarantee_covers": "table:insurance_cover"``):
    the diff shows the old body next to the new rows; a table may become a rule. Several old
    tables may name one new table: they are compared with it key by key. A value may also read
    ``"same as rule:b"`` (one clause each policy encodes its own way),
    ``"restated in rule:b"`` (one item of a bigger statement; also ``table:``,
    ``schedule:``, ``checklist:name#item``), ``"restated as rule:b"`` (``b`` holds
    nothing else) and, keyed by a new rule, ``"restates rule:a"``: shown as
    restated, never counted. Only names present in the
    editions are used. Called for every plugin; the mappings are merged.

    :param old: the earlier edition, checked.
    :param new: the later edition, checked.
    :returns: old ``kind:name`` → new ``kind:name``, or ``None`` when either edition is not of your series.
    """
    raise NotImplementedError
