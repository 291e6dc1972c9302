"""The cache of checked editions (docs/cache.md): the same answers, errors and warnings as checking afresh, and no trust
in an entry that is stale, damaged or foreign."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import test_errors
import test_utmb_2016
import test_utmb_2022
import test_world_series
import test_xterra
from racepolicy.cli.main import main
from racepolicy.language.citations import unverified
from racepolicy.language.errors import PolicyError, PolicyErrors
from racepolicy.query import cache
from racepolicy.query.policyset import PolicySet

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


def _query(row: Any) -> str:
    """The query of a row of a question table: a tuple, a pytest.param or a test module's Question."""
    if hasattr(row, "values"):
        return str(row.values[0])
    return str(row.query) if hasattr(row, "query") else str(row[0])


# Every question of the bundled editions' question tables, and the queries whose errors are snapshot-tested.
TABLE_QUERIES = sorted({_query(row) for table in (
    test_utmb_2022.QUESTIONS, test_utmb_2022.CHAPTERS, test_utmb_2022.COMBINED, test_utmb_2022.RACE_CANCELLATIONS,
    test_utmb_2022.READINGS, test_utmb_2022.WORD_TYPOS, test_utmb_2022.WORD_ANSWERS,
    test_utmb_2016.QUESTIONS, test_utmb_2016.CHAPTER_QUESTIONS, test_utmb_2016.READING_CASES, test_utmb_2016.WORD_TYPOS,
    test_utmb_2016.WORD_ANSWERS, test_world_series.QUESTIONS, test_xterra.QUESTIONS,
    [(q,) for _, q, _ in test_errors.QUERY_ERRORS],
) for row in table})


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test alone."""
    monkeypatch.setenv("RACEPOLICY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("RACEPOLICY_NO_CACHE", raising=False)
    return tmp_path / "cache" / "editions"


def _outcome(policies: PolicySet, query: str, runner: str = "interpreter") -> dict[str, Any]:
    """All a user sees of an answer or an error: the text with its trace, and the JSON."""
    try:
        answer = policies.ask(query, runner=runner)
    except PolicyError as exc:
        return {"error": type(exc).__name__, "text": exc.render(), "json": exc.as_json()}
    return {"text": answer.render(explain=True), "json": answer.to_json_text(), "warnings": answer.warnings}


@pytest.fixture(scope="module")
def fresh() -> PolicySet:
    return PolicySet.bundled()


@pytest.fixture(scope="module")
def warm_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A cache folder holding the four bundled editions (written by a first load)."""
    folder = str(tmp_path_factory.mktemp("warm"))
    before = os.environ.get("RACEPOLICY_CACHE_DIR")
    os.environ["RACEPOLICY_CACHE_DIR"] = folder
    PolicySet.bundled(use_cache=True)
    yield folder
    if before is None:
        del os.environ["RACEPOLICY_CACHE_DIR"]
    else:
        os.environ["RACEPOLICY_CACHE_DIR"] = before


@pytest.mark.parametrize("runner", ["interpreter", "compiled"])
def test_question_tables_answer_the_same_from_the_cache(fresh: PolicySet, warm_folder: str, runner: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN the bundled editions in the cache; WHEN each question of the tables is asked of a set loaded from it (routed on
    # the index while editions are still unloaded); THEN answer, trace, JSON, warnings and errors are those of a fresh load
    monkeypatch.setenv("RACEPOLICY_CACHE_DIR", warm_folder)
    assert len(TABLE_QUERIES) > 150
    cached = PolicySet.bundled(fresh.pm, use_cache=True)
    assert len(cached._pending) == 4, "the editions should come from the cache"
    for query in TABLE_QUERIES:
        assert _outcome(cached, query, runner) == _outcome(fresh, query, runner), query


def test_routing_on_the_index_chooses_as_on_the_editions(fresh: PolicySet, warm_folder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from racepolicy.language.parser import parse_query
    from racepolicy.language.source import Source
    from racepolicy.query.index import NotIndexed
    from racepolicy.query.routing import route

    monkeypatch.setenv("RACEPOLICY_CACHE_DIR", warm_folder)
    cached = PolicySet.bundled(fresh.pm, use_cache=True)
    routed = 0
    for text in TABLE_QUERIES:
        source = Source("<query>", text)
        try:
            query = cached._form_at_place(parse_query(text, source.name))
        except PolicyError:
            continue
        try:
            expected = route(fresh.editions, query, source)
        except PolicyError:
            expected = None
        try:
            on_index = route(cached._index, query, source)  # type: ignore[arg-type]
        except (PolicyError, NotIndexed):
            on_index = None  # PolicySet routes such a query again on the loaded editions: its error reads as ever
        if expected is None:
            continue
        assert on_index is not None, text
        assert (on_index.edition.key, on_index.note, on_index.warnings) == (expected.edition.key, expected.note, expected.warnings), text
        routed += 1
    assert len(cached._pending) == 4 and routed > 150


def test_a_cached_query_loads_only_the_edition_that_answers(warm_folder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RACEPOLICY_CACHE_DIR", warm_folder)
    cached = PolicySet.bundled(use_cache=True)
    assert cached.ask("penalty missing_jacket on UTMB").text == "disqualification"
    assert sorted(cached._pending) == ["utmb-2016", "world-series-2023", "xterra-2023"]
    # Asking for every edition loads the rest, in load order.
    assert list(cached.editions) == ["utmb-2016", "utmb-2022", "world-series-2023", "xterra-2023"]
    assert not cached._pending


def test_cached_editions_are_the_fresh_ones(fresh: PolicySet, warm_folder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RACEPOLICY_CACHE_DIR", warm_folder)
    cached = PolicySet.bundled(use_cache=True).editions
    for key, edition in fresh.editions.items():
        again = cached[key]
        assert again.policy == edition.policy
        assert again.source.locations == edition.source.locations  # type: ignore[attr-defined]
        assert [t.name for t in again.source.texts] == [t.name for t in edition.source.texts]  # type: ignore[attr-defined]
        assert [w.render() for w in again.warnings] == [w.render() for w in edition.warnings]
        assert again.checked and sorted(again.callables()) == sorted(edition.callables())
        assert unverified(again.source) is None and unverified(edition.source) is None  # `check --strict` would pass both


# ---- a policy and its text in a folder of the test's own ------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The 2022 policy beside a copy of its regulation text (seed 003), as a user keeps them."""
    (tmp_path / "seeds").mkdir()
    shutil.copy(SEEDS / "003_03726955152b33cc.txt", tmp_path / "seeds" / "003.txt")
    text = (ROOT / "policies" / "utmb-2022.policy").read_text(encoding="utf-8")
    (tmp_path / "utmb-2022.policy").write_text(text.replace("../../shared/seeds/003_03726955152b33cc.txt", "seeds/003.txt"), encoding="utf-8")
    return tmp_path


def _errors(paths: list[str], use_cache: bool) -> list[str]:
    try:
        assert PolicySet.load(paths, use_cache=use_cache).editions  # loads every edition: a cached one is checked here
    except PolicyErrors as exc:
        return [e.render() for e in exc.errors]
    except PolicyError as exc:
        return [exc.render()]
    return []


def _entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("*.json")) if cache_dir.exists() else []


def test_an_edited_policy_is_checked_again(folder: Path, cache_dir: Path) -> None:
    policy = str(folder / "utmb-2022.policy")
    assert _errors([policy], use_cache=True) == []
    assert len(_entries(cache_dir)) == 1
    # WHEN the policy gains an error; THEN the cached load reports it, as a fresh load does
    path = Path(policy)
    path.write_text(path.read_text(encoding="utf-8").replace("race.fee * 5%", "race.fees * 5%", 1), encoding="utf-8")
    errors = _errors([policy], use_cache=True)
    assert errors and errors == _errors([policy], use_cache=False)
    assert "fees" in errors[0]


def test_an_edited_regulation_text_is_searched_again(folder: Path, cache_dir: Path) -> None:
    policy = str(folder / "utmb-2022.policy")
    assert _errors([policy], use_cache=True) == []
    # WHEN a quoted sentence leaves the regulation text (seed 003:126, the jacket); THEN its quote is reported not found
    seed = folder / "seeds" / "003.txt"
    seed.write_text(seed.read_text(encoding="utf-8").replace("Jacket with hood for bad weather", "Coat for bad weather"), encoding="utf-8")
    errors = _errors([policy], use_cache=True)
    assert errors and errors == _errors([policy], use_cache=False)
    assert all("not in the regulation text" in e for e in errors)


def test_a_regulation_text_that_goes_missing_is_noticed(folder: Path, cache_dir: Path) -> None:
    policy = str(folder / "utmb-2022.policy")
    PolicySet.load([policy], use_cache=True)
    (folder / "seeds" / "003.txt").unlink()
    edition = PolicySet.load([policy], use_cache=True).find("utmb-2022")
    assert edition.source.missing and not edition.source.locations  # type: ignore[attr-defined]
    # and the text coming back is searched again, not taken for missing
    shutil.copy(SEEDS / "003_03726955152b33cc.txt", folder / "seeds" / "003.txt")
    edition = PolicySet.load([policy], use_cache=True).find("utmb-2022")
    assert not edition.source.missing and edition.source.locations  # type: ignore[attr-defined]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "foreign", "wrong-classes", "not-a-number", "another-figure"])
def test_a_damaged_entry_is_ignored_and_written_again(folder: Path, cache_dir: Path, damage: str) -> None:
    policy = str(folder / "utmb-2022.policy")
    expected = PolicySet.load([policy]).ask("penalty missing_jacket on UTMB").render(explain=True)
    PolicySet.load([policy], use_cache=True)
    [entry] = _entries(cache_dir)
    good = entry.read_text(encoding="utf-8")
    header, _, tree = good.partition("\n")
    entry.write_text({
        "garbage": "\x00\x01 not json",
        "truncated": good[: len(good) // 2],
        "empty": "",
        "foreign": json.dumps({**json.loads(header), "format": 999}) + "\n" + tree,
        "wrong-classes": header + "\n" + tree.replace('"$":"RaceDecl"', '"$":"Popen"', 1),
        "not-a-number": header + "\n" + tree.replace('"$":"Decimal","v":"', '"$":"Decimal","v":"x', 1),
        "another-figure": header + "\n" + tree.replace('"$":"Decimal","v":"', '"$":"Decimal","v":"9', 1),  # still a valid AST
    }[damage], encoding="utf-8")
    assert PolicySet.load([policy], use_cache=True).ask("penalty missing_jacket on UTMB").render(explain=True) == expected
    assert entry.read_text(encoding="utf-8") == good  # written again


def test_an_unwritable_cache_never_fails_a_query(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("RACEPOLICY_CACHE_DIR", str(blocker / "below"))  # mkdir fails: a file stands where the folder would
    assert main(["query", str(folder / "utmb-2022.policy"), "penalty missing_jacket on UTMB"]) == 0
    assert "disqualification" in capsys.readouterr().out


def test_an_unreadable_entry_is_checked_afresh(folder: Path, cache_dir: Path) -> None:
    policy = str(folder / "utmb-2022.policy")
    PolicySet.load([policy], use_cache=True)
    [entry] = _entries(cache_dir)
    entry.unlink()
    entry.mkdir()  # a folder where the entry should be: reading fails, writing fails, the load does not
    assert PolicySet.load([policy], use_cache=True).ask("cutoff UTMB").text


def test_no_cache_writes_nothing(folder: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    policy = str(folder / "utmb-2022.policy")
    assert main(["query", "--no-cache", policy, "cutoff UTMB"]) == 0
    assert _entries(cache_dir) == []
    monkeypatch.setenv("RACEPOLICY_NO_CACHE", "1")
    assert main(["query", policy, "cutoff UTMB"]) == 0
    assert _entries(cache_dir) == []
    monkeypatch.delenv("RACEPOLICY_NO_CACHE")
    assert main(["query", policy, "cutoff UTMB"]) == 0
    assert len(_entries(cache_dir)) == 1
    capsys.readouterr()


def test_a_policy_with_errors_is_never_cached(folder: Path, cache_dir: Path) -> None:
    path = folder / "utmb-2022.policy"
    path.write_text(path.read_text(encoding="utf-8").replace("race.fee * 5%", "race.fees * 5%", 1), encoding="utf-8")
    first = _errors([str(path)], use_cache=True)
    assert first and _entries(cache_dir) == []
    assert _errors([str(path)], use_cache=True) == first


def test_cache_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("RACEPOLICY_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "racepolicy" / "editions"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "racepolicy" / "editions"
    monkeypatch.setenv("RACEPOLICY_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine" / "editions"
    for value, on in (("1", False), ("yes", False), ("", True)):
        monkeypatch.setenv("RACEPOLICY_NO_CACHE", value)
        assert cache.enabled() is on


def test_a_duplicate_edition_is_reported_from_the_cache_too(folder: Path, cache_dir: Path) -> None:
    shutil.copy(folder / "utmb-2022.policy", folder / "copy.policy")
    paths = [str(folder / "copy.policy"), str(folder / "utmb-2022.policy")]
    fresh = _errors(paths, use_cache=False)
    assert fresh and "loaded twice" in fresh[0]
    assert _errors(paths, use_cache=True) == fresh  # writes both entries
    assert _errors(paths, use_cache=True) == fresh  # from them


def test_old_entries_are_pruned(folder: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    path = folder / "utmb-2022.policy"
    text = path.read_text(encoding="utf-8")
    for n in range(4):  # four edits, four entries written
        path.write_text(text + f"\n# edit {n}\n", encoding="utf-8")
        PolicySet.load([str(path)], use_cache=True)
    assert len(_entries(cache_dir)) == 2
    assert PolicySet.load([str(path)], use_cache=True)._pending  # the newest is kept


def test_warnings_are_the_same_from_the_cache(tmp_path: Path, cache_dir: Path) -> None:
    # GIVEN a policy whose check warns (a declared field no rule reads, RP0207) and names no regulation text
    path = tmp_path / "demo.policy"
    path.write_text('edition demo 2024 "Demo regulations" currency EUR\n'
                    "facts runner: birth_year: number, nickname: text optional\n"
                    "rule r(runner: record) = runner.birth_year > 1\n", encoding="utf-8")
    fresh = PolicySet.load([str(path)]).find("demo")
    assert [w.code for w in fresh.warnings] == ["RP0207"]
    PolicySet.load([str(path)], use_cache=True)  # writes the entry
    assert len(_entries(cache_dir)) == 1
    # WHEN it is loaded from the cache; THEN it warns the same, and is as unverified as before (no `source` line)
    cached = PolicySet.load([str(path)], use_cache=True)
    assert cached._pending
    edition = cached.find("demo")
    assert [w.render() for w in edition.warnings] == [w.render() for w in fresh.warnings]
    assert unverified(edition.source) is not None and unverified(fresh.source) is not None
    assert unverified(edition.source).render() == unverified(fresh.source).render()  # type: ignore[union-attr]


def test_a_batch_run_starts_from_the_cache_and_writes_the_same_rows(folder: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # seed 003:50 "UTMB®: 305€"; seed 003:926-928 "Until the End of April 60%": 183.00 EUR
    rows = folder / "cancellations.csv"
    rows.write_text("race,cancelled\nUTMB,2022-04-15\nCCC,2022-08-20\nUTMBB,2022-04-15\n", encoding="utf-8")
    policy = str(folder / "utmb-2022.policy")
    outputs = []
    for run, options in enumerate((["--no-cache"], [], [])):  # afresh (nothing written), filling the cache, from it
        output = folder / f"refunds-{run}.csv"
        assert main(["run", *options, policy, "refund", "--input", str(rows), "--output", str(output), "--quiet"]) == 1  # one bad row
        outputs.append((output.read_text(encoding="utf-8"), Path(f"{output}.errors.csv").read_text(encoding="utf-8")))
        assert len(_entries(cache_dir)) == (0 if run == 0 else 1)
    assert outputs[0] == outputs[1] == outputs[2]
    assert "UTMB,2022-04-15,183.00 EUR" in outputs[2][0] and "UTMBB" in outputs[2][1]
    capsys.readouterr()
