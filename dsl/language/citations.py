"""Citations checked against the regulation text: find each `§` quote in the policy's `source` files and say where it stands."""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import attrs
from racepolicy.language import ast
from racepolicy.language.errors import CitationNotFoundError, MissingCitationError, PolicyError, SourceTextNotFoundError
from racepolicy.language.source import Source, Span

# The environment variable that lists extra places to look for regulation texts (files or folders, os.pathsep apart).
ENV_VAR = "RACEPOLICY_SOURCES"
# Regulation texts are web pages copied as text: far below this; a larger file is not one.
MAX_TEXT_BYTES = 5_000_000
# The hint shows this much of the closest sentence.
MAX_HINT_CHARS = 160

# Characters a copy of a web page spells in several ways: dropped or unified on both sides before comparing.
_DROPPED = set("\"'“”„‟‘’‚‛«»`´®™©•")
_DASHES = set("‐‑‒–—―−")
_ELLIPSIS = re.compile(r"\.\.\.")

# Places given on the command line (`--source FILE`): looked at before the environment variable.
_search_paths: list[Path] = []


def add_search_paths(paths: Iterable[str | os.PathLike[str]]) -> None:
    """Look for regulation texts in these files or folders too (the CLI's `--source`)."""
    for path in paths:
        candidate = Path(path)
        if candidate not in _search_paths:
            _search_paths.append(candidate)


def clear_search_paths() -> None:
    _search_paths.clear()


@attrs.frozen
class TextLocation:
    """Where a quote stands in a regulation text: the file's name, the line of its main part, and all the lines it spans."""

    file: str
    line: int  # where the last piece of the quote starts: the clause itself, past any heading quoted before `...`
    first_line: int
    end_line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"

    def as_json(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "first_line": self.first_line, "end_line": self.end_line}


def _normal_chars(text: str, first_line: int = 1) -> Iterator[tuple[str, int, int]]:
    """The text as compared, character by character with the line and the index in `text` each came from:
    typographic variants unified, whitespace runs made one space."""
    line = first_line
    space = False
    for index, raw in enumerate(text):
        if raw == "\n":
            line += 1
        if raw in _DROPPED:
            continue
        for ch in unicodedata.normalize("NFKC", "-" if raw in _DASHES else raw):
            if ch in _DROPPED:
                continue
            if ch.isspace():
                space = True
                continue
            if space:
                yield " ", line, index
                space = False
            yield ch, line, index


# ---- normalise: the same result as `_normal_chars` (tests/test_normalise.py compares them), without a generator per
# character: a policy has a thousand quotes to normalise at every load.
_DROP = str.maketrans("", "", "".join(_DROPPED))
_DROP_AND_DASH = str.maketrans({**{ch: None for ch in _DROPPED}, **{ch: "-" for ch in _DASHES}})


def normalise(text: str) -> str:
    """A quote or a text as compared: see `_normal_chars`."""
    text = text.translate(_DROP_AND_DASH)
    if not text.isascii():
        # NFKC one character at a time, as `_normal_chars` does (a whole-text NFKC would also join combining marks),
        # then drop what it produced that is dropped; dashes it produced are kept, as there.
        text = "".join(ch if ch.isascii() else unicodedata.normalize("NFKC", ch) for ch in text).translate(_DROP)
    return " ".join(text.split())
# ---- end normalise


@attrs.frozen
class RegulationText:
    """One regulation text, read once: its normalised form and the line of each normalised character."""

    path: Path
    name: str
    raw: str
    text: str = attrs.field(repr=False)
    lines: tuple[int, ...] = attrs.field(repr=False)  # the line of each character of `text`
    offsets: tuple[int, ...] = attrs.field(repr=False)  # the index in `raw` of each character of `text`

    @classmethod
    def from_text(cls, path: Path, raw: str) -> RegulationText:
        triples = list(_normal_chars(raw))
        return cls(path, path.name, raw, "".join(t[0] for t in triples), tuple(t[1] for t in triples), tuple(t[2] for t in triples))

    def location(self, start: int, end: int, main: int) -> TextLocation:
        return TextLocation(self.name, self.lines[main], self.lines[start], self.lines[max(start, end - 1)])

    @functools.cached_property
    def sentences(self) -> list[tuple[int, str]]:
        """(line, sentence) for every sentence of every line: what a hint may point to."""
        found = []
        for number, row in enumerate(self.raw.split("\n"), start=1):
            for piece in re.split(r"(?<=[.!?;])\s+", row.strip()):
                if len(piece) > 3:
                    found.append((number, piece))
        return found

    @functools.cached_property
    def compared_sentences(self) -> list[tuple[str, Counter[str]]]:
        """Each of `sentences` as compared (normalised), with the count of each character: worked out once, not per hint."""
        return [(compared, Counter(compared)) for compared in (normalise(sentence) for _, sentence in self.sentences)]


@functools.lru_cache(maxsize=32)
def _read(path: Path, mtime: float) -> RegulationText:
    return RegulationText.from_text(path, path.read_text(encoding="utf-8", errors="replace"))


def read_text(path: Path) -> RegulationText | None:
    """The regulation text at `path`, or None when there is none to read."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_TEXT_BYTES:
            return None
        return _read(path.resolve(), path.stat().st_mtime)
    except OSError:
        return None


def _bundled_folder() -> Path | None:
    from racepolicy.tools.package_data import files  # cold start: importlib.resources only for a zip

    try:
        folder = files("racepolicy.policies")
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - the package always ships its policies
        return None
    return folder if isinstance(folder, Path) else None


def _candidates(policy_name: str, ref: str) -> Iterator[Path]:
    """Where a `source` line may point: next to the policy, next to a bundled policy of that name,
    then in the `--source` and environment places, matched by file name."""
    relative = Path(ref)
    if relative.is_absolute():
        yield relative
    else:
        policy = Path(policy_name)
        yield policy.parent / relative
        bundled = _bundled_folder()
        if bundled is not None and policy.parent == Path(".") and (bundled / policy.name).is_file():
            yield bundled / relative
    extra = list(_search_paths) + [Path(p) for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p]
    for place in extra:
        if place.is_dir():
            yield place / relative.name
        elif place.name == relative.name:
            yield place


def find_text(policy_name: str, ref: str) -> RegulationText | None:
    """The regulation text a `source "ref"` line of the policy `policy_name` names, if it can be found."""
    for candidate in _candidates(policy_name, ref):
        found = read_text(candidate)
        if found is not None:
            return found
    return None


# ---- matching ---------------------------------------------------------------------


def _pieces(quote: str) -> list[str]:
    """The parts of a quote that must appear in order: `...` (or `…`, normalised to it) stands for any text."""
    return [p.strip() for p in _ELLIPSIS.split(normalise(quote)) if p.strip(" ,;:")]


def _occurrences(text: str, piece: str, start: int) -> Iterator[int]:
    # A piece that starts or ends inside a word must not match inside a longer one: "10 EUR" is not in "110 EUR".
    begin_word, end_word = piece[0].isalnum(), piece[-1].isalnum()
    at = text.find(piece, start)
    while at != -1:
        before_ok = not begin_word or at == 0 or not text[at - 1].isalnum()
        after = at + len(piece)
        after_ok = not end_word or after == len(text) or not text[after].isalnum()
        if before_ok and after_ok:
            yield at
        at = text.find(piece, at + 1)


def quote_spans(quote: str, text: RegulationText) -> list[tuple[int, int]] | None:
    """The stretches of `text` (normalised) that a quote's pieces match, in order and as close together as possible; None if not found."""
    pieces = _pieces(quote)
    if not pieces:
        return None
    best: list[tuple[int, int]] | None = None
    for tries, first in enumerate(_occurrences(text.text, pieces[0], 0)):
        spans = [(first, first + len(pieces[0]))]
        for piece in pieces[1:]:
            following = next(_occurrences(text.text, piece, spans[-1][1]), None)
            if following is None:
                return best  # a later start cannot find it either
            spans.append((following, following + len(piece)))
        if best is None or spans[-1][1] - spans[0][0] < best[-1][1] - best[0][0]:
            best = spans
        if len(pieces) == 1 or tries >= 50:
            break  # one piece: the first place is the place; many: enough tries for a tight window
    return best


def all_spans(quote: str, text: RegulationText) -> list[tuple[int, int]]:
    """Every place a one-piece quote stands (a repeated line), or the one place of a quote with `...`."""
    pieces = _pieces(quote)
    if len(pieces) == 1:
        return [(at, at + len(pieces[0])) for at in _occurrences(text.text, pieces[0], 0)]
    return quote_spans(quote, text) or []


def find_quote(quote: str, text: RegulationText) -> TextLocation | None:
    """Where `quote` stands in `text`, or None."""
    spans = quote_spans(quote, text)
    return text.location(spans[0][0], spans[-1][1], spans[-1][0]) if spans else None


def closest_sentence(quote: str, texts: Sequence[RegulationText]) -> tuple[RegulationText, int, str] | None:
    """The sentence of the texts most like the quote (difflib's ratio; of equals, the first), for the hint of a quote that is not found.

    The sentences are tried most promising first, by an upper bound of the ratio from character counts (difflib's
    quick_ratio), and the search stops when none left can reach the best found: the answer is a scan in order's."""
    import difflib  # cold start: only a hint needs it
    wanted = " ".join(_pieces(quote)) or normalise(quote)
    counts = Counter(wanted)
    bounded: list[tuple[float, int, RegulationText, int, str, str]] = []
    for text in texts:
        for (line, sentence), (compared, chars) in zip(text.sentences, text.compared_sentences, strict=True):
            length = len(wanted) + len(compared)
            bound = 2.0 * sum(min(n, chars[ch]) for ch, n in counts.items()) / length if length else 1.0
            bounded.append((bound, len(bounded), text, line, sentence, compared))
    bounded.sort(key=lambda item: (-item[0], item[1]))
    best: tuple[float, int, RegulationText, int, str] | None = None
    for bound, order, text, line, sentence, compared in bounded:
        if best is not None and (bound < best[0] or (bound == best[0] and order > best[1])):
            if bound < best[0]:
                break  # sorted by bound: no sentence left can reach the best score
            continue  # at best a tie, and the earlier sentence wins ties
        score = difflib.SequenceMatcher(None, wanted, compared, autojunk=False).ratio()
        if best is None or score > best[0] or (score == best[0] and order < best[1]):
            best = (score, order, text, line, sentence)
    return best[2:] if best else None


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_HINT_CHARS else text[: MAX_HINT_CHARS - 1] + "…"


# ---- a policy's citations -----------------------------------------------------------


@attrs.frozen(eq=False)
class VerifiedSource(Source):
    """A policy's source once its citations were checked: where each quote stands in the regulation text."""

    locations: dict[str, TextLocation] = attrs.field(factory=dict)
    texts: tuple[RegulationText, ...] = ()
    missing: tuple[ast.SourceRef, ...] = ()  # `source` lines whose text could not be found


def location_of(source: Source, quote: str) -> TextLocation | None:
    """Where a quote of this policy stands in its regulation text, once verified."""
    return source.locations.get(quote) if isinstance(source, VerifiedSource) else None


def verify(policy: ast.Policy, source: Source) -> tuple[VerifiedSource, list[PolicyError]]:
    """Check every `§` quote of the policy against its `source` texts; the located errors of those not found.

    A policy with no `source` line, or whose texts cannot all be found, is not verified (`missing` says which)."""
    refs = policy.header.sources if policy.header is not None else ()
    texts: list[RegulationText] = []
    missing: list[ast.SourceRef] = []
    for ref in refs:
        found = find_text(source.name, ref.path)
        if found is None:
            missing.append(ref)
        else:
            texts.append(found)
    verified = VerifiedSource(source.name, source.text, texts=tuple(texts), missing=tuple(missing))
    errors: list[PolicyError] = []
    if not texts or missing:
        return verified, errors
    for citation in policy.find_all(ast.Citation):
        assert isinstance(citation, ast.Citation)
        if citation.text in verified.locations:
            continue
        where, hint = _looked_up(citation.text, tuple(texts))
        if where is not None:
            verified.locations[citation.text] = where
            continue
        errors.append(CitationNotFoundError(f"the quote is not in the regulation text ({', '.join(t.name for t in texts)})",
                                            citation.span, verified, hint))
    return verified, errors


# ---- quotes already looked up (issue #17): an editor checks the same quotes again on every keystroke ------------------

# Bounded: far more than the quotes of any one policy, small beside the regulation texts themselves.
MAX_LOOKED_UP = 8192
_LOOKED_UP: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[TextLocation | None, str]] = {}


def _looked_up(quote: str, texts: tuple[RegulationText, ...]) -> tuple[TextLocation | None, str]:
    """Where a quote stands in the first text that holds it, else None and the hint naming the closest sentence.

    Keyed by the texts' names and contents (a text changed on disk is read again as a new string), not by object."""
    key = (quote, tuple((t.name, t.text) for t in texts))
    known = _LOOKED_UP.get(key)
    if known is not None:
        return known
    where = next((loc for text in texts if (loc := find_quote(quote, text)) is not None), None)
    hint = ""
    if where is None:
        close = closest_sentence(quote, texts)
        hint = f'closest in {close[0].name}:{close[1]}: "{_shorten(close[2])}"' if close else "quote the regulation text word for word"
    if len(_LOOKED_UP) >= MAX_LOOKED_UP:
        del _LOOKED_UP[next(iter(_LOOKED_UP))]
    _LOOKED_UP[key] = (where, hint)
    return where, hint


def unverified(source: Source) -> SourceTextNotFoundError | None:
    """The error `check --strict` reports for a policy whose citations could not be verified, or None."""
    verified = source if isinstance(source, VerifiedSource) else VerifiedSource(source.name, source.text)
    if verified.missing:
        ref = verified.missing[0]
        return SourceTextNotFoundError(
            f"regulation text not found: {ref.path}", ref.span, verified,
            f"give its place with --source FILE or the {ENV_VAR} environment variable",
        )
    if not verified.texts:
        return SourceTextNotFoundError(
            "the policy names no regulation text, so its citations cannot be verified", Span(1, 1, 1, 2), verified,
            'add a line such as source "regulation.txt" after the edition header',
        )
    return None


# ---- statements without a citation of their own ------------------------------------------


def uncited(policy: ast.Policy, source: Source) -> list[MissingCitationError]:
    """Each rule, table, schedule, band, race attribute and penalty that cites no clause (a warning; an error with --strict).

    A table, schedule or band is cited by its own `§` or by one on every row; a race attribute by its own or its race's."""
    found: list[MissingCitationError] = []

    def missing(what: str, span: Span) -> None:
        found.append(MissingCitationError(f"{what} has no § citation of its own", span, source,
                                          'quote the clause it encodes: § "..." (see docs/language.md#sections-and-citations)'))

    for st in policy.statements:
        if isinstance(st, ast.RuleDecl | ast.PenaltyDecl) and st.citation is None:
            missing(f"rule '{st.name}'" if isinstance(st, ast.RuleDecl) else f"penalty {', '.join(st.infractions)} on {', '.join(st.targets)}",
                    st.span)
        elif isinstance(st, ast.TableDecl | ast.ScheduleDecl | ast.BandDecl) and st.citation is None:
            parts: list[ast.TableRow | ast.Tier | ast.BandRow | ast.Otherwise] = list(
                st.rows if isinstance(st, ast.TableDecl | ast.BandDecl) else st.tiers)
            if not isinstance(st, ast.BandDecl) and st.otherwise is not None:
                parts.append(st.otherwise)
            if not parts or any(part.citation is None for part in parts):
                kind = {ast.TableDecl: "table", ast.ScheduleDecl: "schedule", ast.BandDecl: "band"}[type(st)]
                missing(f"{kind} '{st.name}'", st.span)
        elif isinstance(st, ast.RaceDecl) and st.citation is None:
            for attribute in st.attributes:
                if attribute.citation is None:
                    missing(f"attribute '{attribute.name}' of race {st.name}", attribute.span)
        elif isinstance(st, ast.ChecklistDecl):  # gear: the list cites its heading, each item its own line
            if st.citation is None:
                missing(f"checklist '{st.name}'", st.span)
            for item in st.items:
                if item.citation is None:
                    missing(f"item '{item.name}' of checklist '{st.name}'", item.span)
    return found
