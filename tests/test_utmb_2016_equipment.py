"""Question table for the UTMB 2016 equipment list (seed 004 "Obligatory material"), asked under both runners."""

from __future__ import annotations

import pytest

# seed 004 = /work/shared/seeds/004_3795f62afb8435bf.txt ("2017 Regulations", describing the 2016 edition).
EDITION = "utmb-2016"

# (query, the answer's text or its start, a clause the answer must cite)
QUESTIONS = [
    # The torch line lost its table headings (seed 004:159-163): "2 torches" read as UTMB, CCC, TDS and "1 torch" as the OCC.
    ("how many torch on UTMB", "2 (2 × torch", "2 torches"),  # seed 004:159-161
    ("how many torch on TDS", "2 (2 × torch", "2 torches"),  # seed 004:159-161
    ("how many torch on OCC", "1 (1 × torch", "1 torch"),  # seed 004:163
    ("required spare_batteries on OCC", "yes (spare_batteries: replacement batteries for each torch)", "replacement batteries"),  # 004:159
    ("required water on CCC", "yes (water: stock of water (minimum 1 litre))", "stock of water minimum 1 litre OBLIGATORY"),  # seed 004:158
    ("required beaker on OCC", "yes (beaker: personal beaker (15cl. minimum", "personal beaker 15cl. minimum"),  # seed 004:157
    ("required survival_blanket on UTMB", "yes (survival_blanket: survival blanket (1.40m x 2m minimum))", "survival blanket 1.40m x 2m"),  # 004:164
    ("required bandage on UTMB", "yes (bandage: adhesive elastic band enable making a bandage or a strapping (mini 100cm x 6 cm))",
     "adhesive elastic band"),  # seed 004:165
    ("required warm_layer on CCC", "yes (warm_layer: Additional warm midlayer top (One single midlayer long sleeve top for warmth (cotton excluded) "
     "with a minimum weight of 180g (Men, size M)", "Additional warm midlayer top"),  # seed 004:169
    ("required phone on TDS", "yes (phone: mobile phone with option enabling its use in the three countries", "mobile phone with option"),  # 004:155
    ("required id on OCC", "yes (id: identity papers)", "Required by the frontier police forces"),  # seed 004:184-186
    ("required poles on UTMB", "no (recommended, not required)", "walking poles for security on slippery ground"),  # seed 004:191
    ("required cash on CCC", "no (recommended, not required)", "the sum of 20 € minimum"),  # seed 004:193
    # ---- gear penalties only where the item is required
    ("penalty only_one_torch on OCC", "no penalty (only_one_torch: OCC asks for 1 torch: no shortfall — no penalty)", "1 torch"),  # 004:163
    ("penalty only_one_torch on UTMB", "1h time penalty", "2 torches"),  # seed 004:161, 004:359 "Penalty 1 hour"
    ("penalty missing_torch on OCC", "immediate disqualification", "1 torch"),  # seed 004:163, 004:358 "Immediate disqualification"
    ("penalty missing_phone on CCC", "immediate disqualification", "mobile phone with option"),  # seed 004:155, 004:358
    ("penalty missing_other_gear on OCC", "30min time penalty", "Lacking other obligatory equipment"),  # seed 004:186, 004:359 "Penalty 30 min"
    # The list names no whistle (seed 004:153-175) but the chart sanctions one (004:359): an untied row applies as the chart says.
    ("penalty missing_whistle on UTMB", "1h time penalty", "Lacking other obligatory equipment"),
]


@pytest.mark.parametrize(("query", "expected", "clause"), [pytest.param(*q, id=q[0]) for q in QUESTIONS])
def test_equipment_question(ask, query: str, expected: str, clause: str | None) -> None:
    answer = ask(query, edition=EDITION)
    assert answer.text.startswith(expected), answer.text
    if clause is not None:
        assert any(clause in c for c in answer.citations()), answer.citations()


def test_an_item_the_2016_list_does_not_name_is_reported_with_the_items_it_has(bundled) -> None:
    from racepolicy.language.errors import UnknownNameError

    with pytest.raises(UnknownNameError) as caught:
        bundled.ask("required sunglasses on UTMB", edition=EDITION)
    assert caught.value.message == "unknown item 'sunglasses' in utmb 2016"


def test_what_an_occ_runner_carries_in_2016(ask) -> None:
    # seed 004:153-175 "Obligatory material", 004:184-186 identity papers, 004:200 the tagged pack; the OCC's one torch (004:163).
    value = ask("carry OCC", edition=EDITION).value
    assert [(c.name, c.count) for c in value.items if c.required] == [
        ("phone", 1), ("beaker", 1), ("water", 1), ("spare_batteries", 1), ("survival_blanket", 1), ("bandage", 1), ("food_reserve", 1),
        ("jacket", 1), ("leggings", 1), ("warm_layer", 1), ("cap", 1), ("gloves", 1), ("overtrousers", 1), ("id", 1), ("pack", 1), ("torch", 1),
    ]
    assert [c.name for c in value.items if not c.required] == ["knife", "poles", "spare_clothes", "cash", "advised"]


def test_2016_has_no_weather_kits(bundled) -> None:
    from racepolicy.language.errors import UnknownNameError

    with pytest.raises(UnknownNameError) as caught:
        bundled.ask("carry UTMB with hot", edition=EDITION)
    assert caught.value.hint == "the utmb 2016 policy declares no kits"


def test_every_item_description_and_specification_is_the_regulation_text(bundled) -> None:
    # Never invent: what a runner is told to carry is the text's own words (seed 004_3795f62afb8435bf.txt), not a paraphrase.
    from pathlib import Path

    from racepolicy.language.citations import find_quote, read_text

    text = read_text(Path(__file__).resolve().parents[2] / "shared" / "seeds" / "004_3795f62afb8435bf.txt")
    assert text is not None
    checklists = bundled.find(EDITION).checklists.values()
    words = [(i.name, w) for c in checklists for i in c.decl.items for w in (i.description, *(q.text for q in i.specs)) if w]
    words += [(c.name, q.text) for c in checklists for q in c.decl.specs]
    assert len(words) > 30
    assert [(name, w) for name, w in words if find_quote(w, text) is None] == []


def test_the_torch_answers_say_which_reading_of_the_headless_table_they_take(ask) -> None:
    # seed 004:159-163: "2 torches" and "1 torch" lost the headings saying which races each column is for.
    for query in ("how many torch on OCC", "penalty only_one_torch on UTMB"):
        readings = [e.citation.reading for e in ask(query, edition=EDITION).trace if e.citation is not None and e.citation.reading]
        assert readings == ["the first column (2 torches) is UTMB, CCC and TDS; the second (1 torch) the OCC"]
