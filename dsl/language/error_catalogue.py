"""The catalogue of errors: for each code, what it means, an input that triggers it, and how to fix it.

`racepolicy explain-error CODE` prints an entry; docs/errors.md is generated from
this module (`python -m racepolicy.language.error_catalogue > docs/errors.md`) and a test
checks that the two agree and that every example really raises its code.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import attrs
from racepolicy.language import errors
from racepolicy.language.errors import PolicyError, PolicyErrors

# Bases that are never raised themselves: they hold other errors or group them.
ABSTRACT = (PolicyError, PolicyErrors, errors.LimitError)

HEADER = 'edition utmb 2022 "UTMB Mont-Blanc 2022 regulations" currency EUR\n'


@attrs.frozen
class Entry:
    """One code of the catalogue."""

    code: str
    error: type[PolicyError]
    title: str
    example: str  # as shown to a person
    fix: str
    # policy: the example is a policy file; query: asked of the bundled policy; file: a path to load;
    # internal: no input causes it, it reports a bug of racepolicy itself (its test provokes it by breaking the code)
    kind: str = "policy"
    input: str | None = None  # the real input when the example shown is abridged
    edition: str = "utmb-2022"  # the bundled edition a query example is asked of

    @property
    def meaning(self) -> str:
        return (self.error.__doc__ or "").strip()

    def trigger(self) -> PolicyError | None:
        """Run the example; the error it raises (the first, if several), or None if it raises none."""
        from racepolicy.language.source import Source
        from racepolicy.pluginapi.manager import make_plugin_manager
        from racepolicy.query.policyset import PolicySet, compile_source

        text = self.example if self.input is None else self.input
        if self.kind == "internal":
            return None
        try:
            if self.kind == "policy":
                compile_source(Source("example.policy", text), make_plugin_manager())
            elif self.kind == "strict":
                from racepolicy.language.citations import uncited, unverified

                edition = compile_source(Source("example.policy", text), make_plugin_manager())
                missing = uncited(edition.policy, edition.source)
                return missing[0] if missing else unverified(edition.source)
            elif self.kind == "warning":  # reported by `check`, the policy loads
                warnings = compile_source(Source("example.policy", text), make_plugin_manager()).warnings
                return warnings[0] if warnings else None
            elif self.kind == "query":
                PolicySet.bundled().ask(text, edition=self.edition)
            else:
                PolicySet.load([text])
        except PolicyErrors as exc:
            return exc.errors[0] if exc.errors else exc
        except PolicyError as exc:
            return exc
        return None

    def render(self, message: str | None = None) -> str:
        """The entry as `racepolicy explain-error` prints it."""
        what = WHAT[self.kind].replace("utmb-2022", self.edition)
        lines = [f"{self.code}: {self.title} ({self.error.__name__})", "", _wrap(self.meaning), "", what, "", textwrap.indent(self.example, "    ")]
        if message:
            lines += ["", "gives:", "", textwrap.indent(message, "    ")]
        lines += ["", "How to fix it:", "", _wrap(self.fix)]
        return "\n".join(lines)


WHAT = {
    "policy": "A policy file holding:", "query": "Asking the bundled utmb-2022 policy:", "file": "Loading:",
    "internal": "No policy causes it on purpose; it shows when, for example:",
    "strict": "Checking with `racepolicy check --strict` a policy file holding:",
    "warning": "A policy file holding (it loads; `racepolicy check` prints the warning):",
}


def _wrap(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), width=88)


_DEEP = "rule too_deep = " + "(" * 101 + "1" + ")" * 101

ENTRIES: tuple[Entry, ...] = (
    Entry(
        "RP0101", errors.PolicySyntaxError, "unexpected word",
        HEADER + "race UTMB: fee 305 EUR\npenalty missing_jacket UTMB = disqualify",
        "Read the hint: it lists what may stand at that place. Here the word `on` is missing: "
        "`penalty missing_jacket on UTMB = disqualify`.",
    ),
    Entry(
        "RP0102", errors.UnexpectedCharacterError, "unexpected character",
        HEADER + "race UTMB: fee 305€",
        "Write amounts with the currency code (`305 EUR`). If the character is invisible (a zero-width space or a "
        "right-to-left mark pasted from a web page or a PDF), delete the text around the caret and type it again.",
    ),
    Entry(
        "RP0103", errors.UnexpectedEndError, "unexpected end of input",
        HEADER + "race UTMB: fee 305 EUR\npenalty missing_jacket on UTMB =",
        "Finish the statement: the hint says what may come next (here a sanction such as `disqualify` or `1h`). "
        "A quoted text that is never closed also ends the input early.",
    ),
    Entry(
        "RP0104", errors.InvalidDateError, "impossible date",
        HEADER + "rule medical_certificate_deadline = 2022-02-30",
        "Write a date that exists, as YYYY-MM-DD (or MM-DD in a schedule). Check the month and the day have not been swapped.",
    ),
    Entry(
        "RP0105", errors.MissingHeaderError, "missing edition header",
        'race UTMB "Ultra-Trail du Mont-Blanc": distance 171 km',
        'Start the file with its edition: `edition utmb 2022 "UTMB Mont-Blanc 2022 regulations" currency EUR`.',
    ),
    Entry(
        "RP0201", errors.UnknownNameError, "unknown name",
        HEADER + "race UTMB: fee 305 EUR, insurance 24 EUR\nrule total = fee + insurance",
        "Declare the name, fix its spelling (see the hint), or reach the attribute through its race: `UTMB.fee + UTMB.insurance`, "
        "or make it a parameter of the rule. In a query, give a missing fact with `given NAME = value`.",
    ),
    Entry(
        "RP0202", errors.DuplicateError, "declared twice",
        HEADER + "race UTMB: fee 305 EUR\nrace UTMB: fee 189 EUR",
        "Keep one declaration (the hint gives the line of the first) or rename one of them.",
    ),
    Entry(
        "RP0203", errors.UnknownRaceError, "unknown race",
        HEADER + "race UTMB: fee 305 EUR\npenalty missing_jacket on UTMBB = disqualify",
        "Use a race or group declared in this edition (the hint suggests the closest), or declare the race with `race NAME: ...`.",
    ),
    Entry(
        "RP0204", errors.UnknownInfractionError, "unknown infraction",
        HEADER + "race UTMB: fee 305 EUR\npenalty missing_jackett on UTMB = disqualify",
        'Fix the spelling (see the hint) or declare it first: `infraction NAME "what the regulation says"`.',
    ),
    Entry(
        "RP0205", errors.CycleError, "rule or group depends on itself",
        HEADER + "rule refund_share = fee_share * 2\nrule fee_share = refund_share / 2",
        "Break the cycle: one of the rules must be computed from facts, attributes or other rules, not from the rule that uses it. "
        "A group may list other groups, but never itself.",
    ),
    Entry(
        "RP0206", errors.UnknownWordError, "not one of the declared words",
        HEADER + 'words sex: "men" ("man", "m"), "women" ("woman", "w")\nrule is_men(sex: sex) = sex == "mne"',
        "Write one of the words the set declares, spelt as declared (`\"men\"`). Aliases and other cases (`\"Man\"`) are accepted "
        "in the facts a query gives, and turned into the word; a policy writes each word in its own spelling.",
    ),
    Entry(
        "RP0207", errors.UnreadFactWarning, "a declared fact no rule reads",
        HEADER + "facts runner: birth_year: number, nickname: text optional\nrule born_in_time(runner: record) = runner.birth_year <= 2002",
        "Read the field where the regulation uses it, or remove it from the `facts` declaration: a query that gives it "
        "would otherwise believe it counts.",
        kind="warning",
    ),
    Entry(
        "RP0301", errors.PolicyTypeError, "values that do not combine",
        HEADER + "race UTMB: distance 171 km, cutoff 46h30\nrule pace = UTMB.distance + UTMB.cutoff",
        "Combine values of kinds that mix: lengths with lengths, money with money in one currency; to take a share, "
        "multiply by a percentage (`fee * 50%`). The hint shows how to write the expected kind.",
    ),
    Entry(
        "RP0302", errors.ArityError, "wrong number of arguments",
        HEADER + "race UTMB: fee 305 EUR\nrule bank_charges(race: race) = race.fee * 5%\nrule charges = bank_charges(UTMB, UTMB)",
        "Give as many arguments as the rule, table or function has parameters; a rule with parameters is called with them, as `rule(...)`.",
    ),
    Entry(
        "RP0401", errors.ScheduleError, "schedule or band out of order",
        HEADER + "schedule cancellation_refund:\n  through 06-30 -> 50%\n  through 04-30 -> 60%\n  otherwise -> 0%",
        "List schedule tiers from the earliest date to the latest, each date once, and bands from the lowest to the highest without overlap.",
    ),
    Entry(
        "RP0402", errors.TableError, "table row repeated or of the wrong width",
        HEADER + 'race UTMB: fee 305 EUR\ntable free_entry_threshold(race, sex):\n  UTMB, "men" -> 880\n  UTMB, "men" -> 760',
        "Give each row one key per column, and each combination of keys once (the hint gives the line of the first).",
    ),
    Entry(
        "RP0420", errors.ChecklistError, "equipment checklist item that cannot hold",
        HEADER + 'race OCC: fee 115 EUR\ninfraction only_one_torch "only one torch"\npenalty only_one_torch on OCC = 30min\n'
        'checklist basic on OCC:\n  require torch "working torch" fewer only_one_torch',
        "Give the item the quantity the regulation asks for (require 2 torch) before tying a shortfall infraction to it; "
        "write quantities as whole numbers of items; tie infractions to mandatory items only; list an item once per race and kit.",
    ),
    Entry(
        "RP0501", errors.ConflictError, "conflicting penalties",
        HEADER + 'race UTMB: fee 305 EUR\ngroup long = UTMB\ninfraction littering "Discarding of rubbish"\n'
        "penalty littering on long = 1h\npenalty littering on long = 30min",
        "Make the two penalties agree, or name the race directly in one of them: a penalty for a named race overrides one for its group.",
    ),
    Entry(
        "RP0502", errors.ValidationError, "breaks a rule of its series",
        HEADER + 'race UTMB: fee 305 EUR\nrace CCC: fee 189 EUR\ninfraction littering "Discarding of rubbish"\npenalty littering on UTMB = 1h',
        "Do what the message asks: here the UTMB series requires every infraction to have a penalty on every race, "
        "so a jury never finds a hole in the chart.",
    ),
    Entry(
        "RP0601", errors.EvaluationError, "cannot be answered",
        "eligible ETC",
        "Give the facts the answer needs with `given`, e.g. `eligible ETC given runner = {birth_year: 1990}`; "
        "for a missing table row or schedule tier, ask about a case the regulation covers or add an `otherwise ->` row.",
        kind="query",
    ),
    Entry(
        "RP0602", errors.QueryError, "not a query of the edition",
        "refnud UTMB cancelled 2022-05-15",
        "Use one of the query words the message lists (here `refund`), or ask an expression such as `refund(UTMB, 2022-05-15)`.",
        kind="query",
    ),
    Entry(
        "RP0603", errors.FactShapeError, "facts that do not fit their declared shape",
        'eligible MCC given runner = {birth_yaer: 1980, profile: "volunteer"}',
        "Give the record the fields the policy declares with `facts NAME: ...`, spelt as declared, each of its kind; "
        "optional fields may be left out. A word field takes one of its set's words or aliases, in any case.",
        kind="query",
    ),
    Entry(
        "RP0701", errors.InputError, "cannot read the input",
        "no-such-file.policy",
        "Check the path; policy files are UTF-8 text ending in .policy; give a folder to load every policy in it.",
        kind="file",
    ),
    Entry(
        "RP0801", errors.NestingError, "nested too deeply",
        HEADER + "rule too_deep = ((((((( ... 101 parentheses ... 1 ... )))))))",
        "Split the expression into named rules, each with a few levels of brackets or conditions.",
        input=HEADER + _DEEP,
    ),
    Entry(
        "RP0802", errors.InputTooLargeError, "input too large",
        "1 + 1 + 1 + ... (a query of more than 10,000 characters)",
        "Ask a shorter question: put long computations in a rule of the policy and ask for the rule. Split a policy file over "
        "2,000,000 characters into one file per edition.",
        kind="query", input="1 + " * 2_600 + "1",
    ),
    Entry(
        "RP0803", errors.NumberRangeError, "number out of range",
        HEADER + "race UTMB: fee 3050000000000000000 EUR",
        "Numbers, amounts and durations are held exactly, so they are limited to 15 significant digits as written and to results "
        "below 10^18: check for a typo or a unit mistake (minutes written as hours, cents written as euros).",
    ),
    Entry(
        "RP0804", errors.StepLimitError, "answer needs too many steps",
        HEADER + "race UTMB: capacity r0\nrule r0 = r1 + r1\nrule r1 = r2 + r2\n... (each rule using the next twice, down to)\nrule r40 = 1",
        "Compute a shared value once, in its own rule, and use that rule; no regulation needs 200,000 steps to answer a question.",
        input=HEADER + "race UTMB: capacity r0\n" + "\n".join(f"rule r{i} = r{i + 1} + r{i + 1}" for i in range(40)) + "\nrule r40 = 1",
    ),
    Entry(
        "RP0901", errors.FormatError, "formatter could not keep the meaning",
        "racepolicy fmt utmb-2022.policy   # with a bug in the formatter",
        "Nothing to fix in the policy: the file was left as it was. Please report it with the policy file attached.",
        kind="internal",
    ),
    # ---- fidelity to the regulation text
    Entry(
        "RP1001", errors.CitationNotFoundError, "quote not in the regulation text",
        HEADER + 'source "../shared/seeds/003_03726955152b33cc.txt"\nrace CCC: fee 189 EUR § "ENTRY FEE: CCC: 189€"',
        "Quote the text word for word: copy the clause from the regulation text (the hint shows the closest sentence and its line). "
        "Spaces, line breaks, typographic quotes and ®/™ do not count; write `...` where you leave words out, for example between "
        "a table's heading and its row: `ENTRY FEE ... CCC®: 189€`. Notes of your own go in a comment, not in the quote.",
    ),
    Entry(
        "RP1002", errors.SourceTextNotFoundError, "regulation text not found",
        HEADER + 'source "regulation-2022.txt"\nrace CCC: fee 189 EUR § "CCC®: 189€"',
        "Put the text where the `source` line says (relative to the policy file), or say where it is with `--source FILE` "
        "(a file or a folder) or the RACEPOLICY_SOURCES environment variable (places separated by ':'). A policy that names no "
        "text gets a `source` line after its edition header.",
        kind="strict",
    ),
    Entry(
        "RP1003", errors.MissingInputError, "declared input not given",
        'base_points("Trail Half", 2)',
        "Give the figure with the query, as the hint shows (`given last_stepped_place = 21`): the regulation does not give it, "
        "so the answer depends on the value you supply, and says so. A policy author who finds the figure in the text replaces "
        "the `input` with a rule that quotes it.",
        kind="query", edition="xterra-2023",
    ),
    Entry(
        "RP1004", errors.AssertionFailedError, "assertion does not hold",
        HEADER + 'race UTMB: capacity 2030\nassert UTMB.capacity == 2300 § "Around 2300 runners"',
        "The policy contradicts a fact its regulation states: correct the statement the assertion checks (here the capacity, "
        "mistyped as 2030), or the assertion if it misreads the text. The hint quotes the clause.",
    ),
    Entry(
        "RP1005", errors.MissingCitationError, "statement without a citation",
        HEADER + 'source "../shared/seeds/003_03726955152b33cc.txt"\nrule bank_charges_share = 5%',
        "Quote the clause the statement encodes: `rule bank_charges_share = 5% § \"5% bank charges to be paid at the time of "
        "registration\"`. `check` warns; `check --strict` (CI) refuses it.",
        kind="strict",
    ),
)

BY_CODE: dict[str, Entry] = {e.code: e for e in ENTRIES}


def error_classes() -> list[type[PolicyError]]:
    """Every concrete error class a user can meet, in code order."""
    found: list[type[PolicyError]] = []
    pending: list[type[PolicyError]] = [PolicyError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls not in ABSTRACT and cls.__module__ == errors.__name__:
            found.append(cls)
    return sorted(found, key=lambda c: c.code)


def lookup(code: str) -> Entry | None:
    """An entry by its code, written RP0203, rp0203 or 0203."""
    key = code.strip().upper()
    if not key.startswith("RP"):
        key = "RP" + key
    return BY_CODE.get(key)


def markdown() -> str:
    """docs/errors.md: every entry with its example and the message it gives."""
    out = [
        "# Errors",
        "",
        "Every error racepolicy reports has a stable code. `racepolicy explain-error CODE` prints the entry below.",
        "This page is generated from `dsl/language/error_catalogue.py` by `python -m racepolicy.language.error_catalogue > docs/errors.md`;",
        "a test checks that it is up to date and that every example gives its code.",
        "",
        "| code | error | meaning |",
        "|---|---|---|",
    ]
    out += [f"| [{e.code}](#{e.code.lower()}) | {e.title} | {' '.join(e.meaning.split())} |" for e in ENTRIES]
    for e in ENTRIES:
        what = WHAT[e.kind].replace("utmb-2022", e.edition)
        error = e.trigger()
        out += ["", f"## {e.code}", "", f"**{e.title}** (`{e.error.__name__}`): {' '.join(e.meaning.split())}", "", what, "", "```", e.example, "```"]
        if error is not None:
            out += ["", "gives:", "", "```", error.render(), "```"]
        out += ["", f"How to fix it: {e.fix}"]
    return "\n".join(out) + "\n"


def write_docs(path: Path) -> None:
    path.write_text(markdown(), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - exercised through the docs test
    sys.stdout.write(markdown())
