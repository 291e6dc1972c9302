"""`source` lines and `informative` statements: parsed, checked, formatted and cached like every other statement."""

from __future__ import annotations

from racepolicy.language import ast, ast_codec
from racepolicy.language.parser import parse_policy
from racepolicy.query.policyset import PolicySet, bundled_sources
from racepolicy.tools.formatter import format_policy

POLICY = '''edition demo 2024 "Demo" currency EUR
source "texts/regulation.txt"
source "texts/annex.txt"

section "Organisation"
informative § "The race is organised by the Demo club" "who organises the race: no rule a jury applies"
rule fee = 10 EUR § "The fee is 10 EUR"
'''


def test_source_lines_follow_the_edition_header_in_order() -> None:
    policy = parse_policy(POLICY)
    assert policy.header is not None
    assert [s.path for s in policy.header.sources] == ["texts/regulation.txt", "texts/annex.txt"]
    assert [s.span.line for s in policy.header.sources] == [2, 3]


def test_an_informative_statement_holds_its_quote_its_reason_and_its_section() -> None:
    policy = parse_policy(POLICY)
    informative = [s for s in policy.statements if isinstance(s, ast.InformativeDecl)]
    assert len(informative) == 1
    assert informative[0].citation is not None
    assert informative[0].citation.text == "The race is organised by the Demo club"
    assert informative[0].reason == "who organises the race: no rule a jury applies"
    assert informative[0].section == "Organisation"


def test_a_policy_with_sources_and_informative_clauses_checks(tmp_path) -> None:
    path = tmp_path / "demo.policy"
    path.write_text(POLICY, encoding="utf-8")
    edition = PolicySet.load([path]).editions["demo-2024"]
    assert "fee" in edition.rules


def test_the_formatter_keeps_source_lines_and_informative_statements() -> None:
    formatted = format_policy(POLICY)
    assert 'source "texts/regulation.txt"\nsource "texts/annex.txt"' in formatted
    assert 'informative § "The race is organised by the Demo club" "who organises the race: no rule a jury applies"' in formatted
    assert parse_policy(formatted) == parse_policy(POLICY)
    assert format_policy(formatted) == formatted


def test_a_long_informative_statement_puts_its_reason_on_the_next_line() -> None:
    quote = "word " * 40
    text = f'edition demo 2024 "Demo"\ninformative § "{quote.strip()}" "a long reason"\n'
    formatted = format_policy(text)
    assert formatted.splitlines()[-1] == '  "a long reason"'
    assert parse_policy(formatted) == parse_policy(text)


def test_source_and_informative_survive_the_json_codec() -> None:
    policy = parse_policy(POLICY)
    again = ast_codec.loads(ast_codec.dumps(policy))
    assert again == policy
    assert again.header is not None and again.header.sources[0].span == policy.header.sources[0].span


def test_every_bundled_policy_names_its_regulation_text() -> None:
    # /work/shared/seeds/INDEX.md: world-series encodes 000 and 001, xterra 002, utmb 2022 003, utmb 2016 004.
    expected = {
        "utmb-2016.policy": ["004_3795f62afb8435bf.txt"],
        "utmb-2022.policy": ["003_03726955152b33cc.txt"],
        "world-series-2023.policy": ["000_8b05fff844999e77.txt", "001_0fa3849d17beeadb.txt"],
        "xterra-2023.policy": ["002_7ccbb740de9a767f.txt"],
    }
    found = {}
    for source in bundled_sources():
        header = parse_policy(source.text, source.name).header
        assert header is not None
        found[source.name] = [s.path.rsplit("/", 1)[-1] for s in header.sources]
    assert found == expected
