"""The jury console in a real headless Chromium: what a jury member does with it, click by click, with no network but the server."""

from __future__ import annotations

from typing import Any

from racepolicy.query.policyset import PolicySet


def type_and_complete(page: Any, text: str, offered: str) -> None:
    """Type into the query box, wait for the completion menu to offer `offered`, and take it with Tab."""
    page.keyboard.type(text, delay=15)
    page.wait_for_selector(f"#completions li[data-index='0'] .word:text-is('{offered}')")
    page.keyboard.press("Tab")


def test_type_a_query_with_completion_and_see_the_answer_and_its_citation(page: Any) -> None:
    page.click("#query")
    type_and_complete(page, "penalty missing_ja", "missing_jacket")
    type_and_complete(page, "on UT", "UTMB")
    assert page.input_value("#query") == "penalty missing_jacket on UTMB "
    page.keyboard.press("Enter")
    # seed 003:667-669: no waterproof jacket with hood on UTMB® is a disqualification.
    assert page.text_content("#answer-value") == "disqualification"
    assert "edition: utmb 2022" in page.text_content("#answer")
    first = page.locator("#citations .cite").first
    assert "Missing item(s) of the mandatory equipment checklist" in first.text_content()
    assert "003_03726955152b33cc.txt:667" in first.text_content()  # seed 003:667, where the chart row starts


def test_open_a_clause_in_the_regulation_text(page: Any) -> None:
    page.fill("#query", "penalty missing_jacket on UTMB")
    page.click("#ask")
    page.locator("#citations .cite").first.click()
    page.wait_for_selector("#clause .line.cited")
    assert "003_03726955152b33cc.txt, lines 657–669" in page.text_content("#clause-title")
    cited = page.locator("#clause .line.cited .text").all_text_contents()
    assert cited[0] == "UTMB® CCC® TDS®" and cited[-1] == "Disqualification"  # seed 003:657 and 003:669
    page.click("#clause-close")
    assert page.is_hidden("#clause")


def test_a_bad_query_shows_the_located_error(page: Any) -> None:
    page.fill("#query", "penalty ?? on UTMB")
    page.click("#ask")
    page.wait_for_selector("#answer .error")
    assert "error[RP0102]: unexpected character '?'" in page.text_content("#answer .error")


def test_switch_edition(page: Any, bundled: PolicySet) -> None:
    page.fill("#query", "cancellation_refund(2016-04-01)")
    page.select_option("#edition", "utmb-2016")
    page.click("#ask")
    page.wait_for_selector("#answer-value")
    # seed 004:135: "From March 16 to May 15 50%".
    assert page.text_content("#answer-value") == "50%"
    assert "edition: utmb 2016" in page.text_content("#answer")
    page.click("button[data-tab=browse]")
    page.wait_for_selector("#browse-title:has-text('2016')")
    assert "MCC" not in page.text_content("#browse-body")  # the 2016 edition has no MCC (seed 003:21 is 2022)
    page.select_option("#edition", "utmb-2022")
    page.wait_for_selector("#browse-title:has-text('2022')")
    page.click("button[data-kind=races]")
    assert "MCC" in page.text_content("#browse-body")


def test_view_a_penalty_chart(page: Any, bundled: PolicySet) -> None:
    page.select_option("#edition", "utmb-2022")
    page.click("button[data-tab=browse]")
    page.click("button[data-kind=infractions]")
    page.wait_for_selector("#browse-body caption:text-is('Penalty chart')")
    rows = page.locator("#browse-body tbody tr")
    expected = sum(len(p) for p in bundled.editions["utmb-2022"].penalties.values())
    assert rows.count() == expected
    jacket = page.locator("#browse-body tbody tr", has_text="missing_jacket").first
    assert "disqualification" in jacket.text_content()  # seed 003:667-669


def test_view_the_refund_chart(page: Any) -> None:
    page.select_option("#edition", "utmb-2016")
    page.click("button[data-tab=browse]")
    page.wait_for_selector("#browse-title:has-text('2016')")
    page.click("button[data-kind=schedules]")
    chart = page.locator("svg.step-chart").first
    chart.wait_for()
    # seed 004:134-137: 60% before March 15, 50% to May 15, 40% to July 31, nothing after.
    assert page.locator("svg.step-chart .value-label").all_text_contents() == ["60%", "50%", "40%", "0%"]
    assert chart.get_attribute("aria-label") == "cancellation_refund: through 03-15 60%, through 05-15 50%, through 07-31 40%, through otherwise 0%"
    # The steps go down: each later label sits lower on the chart than the one before.
    heights = [float(y) for y in page.eval_on_selector_all("svg.step-chart .value-label", "nodes => nodes.map(n => n.getAttribute('y'))")]
    assert heights == sorted(heights)


def test_view_the_diff_side_by_side(page: Any) -> None:
    page.click("button[data-tab=diff]")
    assert page.input_value("#diff-old") == "utmb-2016" and page.input_value("#diff-new") == "utmb-2022"
    page.click("#diff-go")
    page.wait_for_selector("table.diff")
    assert page.text_content(".diff-head").startswith("utmb 2016 → utmb 2022: ")
    mcc = page.locator("table.diff tr.kind-added", has_text="MCC").first
    cells = mcc.locator("td").all_text_contents()
    assert cells[1] == ""  # nothing on the 2016 side
    assert "distance: 40 km" in cells[2]  # seed 003:21: "MCC: around 40 km", one line of what the added race brings


def test_the_minutes_list_every_question_and_export_as_markdown(page: Any) -> None:
    for asked, query in enumerate(("penalty missing_jacket on UTMB", "penalty ?? on UTMB"), start=1):
        page.fill("#query", query)
        page.click("#ask")
        # Wait for this question's record: the previous answer is still on the page while the next one is asked.
        page.wait_for_selector(f"#history-count:text-is('{asked}')", state="attached")
    page.click("button[data-tab=history]")
    assert page.text_content("#history-count") == "2"
    with page.expect_download() as download:
        page.click("#export")
    minutes = page.text_content("#minutes")
    assert download.value.suggested_filename == "jury-minutes.md"
    assert "## 1. `penalty missing_jacket on UTMB`" in minutes
    assert "- **Answer:** disqualification" in minutes
    assert "003_03726955152b33cc.txt:667`)" in minutes and "(`utmb-2022.policy:" in minutes  # seed 003:667
    assert "- **Error RP0102:**" in minutes


def test_an_answer_shows_the_reading_it_depends_on(page: Any) -> None:
    page.select_option("#edition", "utmb-2016")
    page.fill("#query", "how many torch on UTMB")
    page.click("#ask")
    page.wait_for_selector("#answer-value")
    assert page.text_content("#answer-value").startswith("2 ")  # seed 004:159: "two torches in good working condition"
    # The 2016 equipment chart lost its headings (policies/utmb-2016.policy:228): the answer says which reading it takes.
    reading = page.text_content("#readings .reading")
    assert reading.startswith("reading “the first column (2 torches) is UTMB, CCC and TDS; the second (1 torch) the OCC”")
    assert "the text also allows “the table's headings are lost" in reading


def test_an_answer_shows_its_readings_inputs_and_warnings(page: Any, bundled: PolicySet) -> None:
    query = "points half 1 given last_stepped_place = 21, participation_multiplier = 100%"
    expected = bundled.ask(query).as_json()
    page.fill("#query", query)
    page.click("#ask")
    page.wait_for_selector("#answer-value")
    assert page.text_content("#answer-value") == expected["text"]
    # Every reading of the answer is shown with the clause it reads, not only those of the citations listed.
    readings = page.locator("#readings .reading").all_text_contents()
    assert readings == [f"reading “{r['reading']}” (the text also allows {' or '.join(f'“{a}”' for a in r['alternatives'])})" for r in expected["readings"]]
    assert len(readings) == 3
    # xterra-2023.policy:106 and :121: figures the text does not give, supplied with the query.
    inputs = page.locator("#inputs li").all_text_contents()
    assert inputs[0].startswith("last_stepped_place = 21 (the text gives the points ranges only as a rough guide")
    assert inputs[1].startswith("participation_multiplier = 100% (")
    warnings = page.locator("#warnings .warning").all_text_contents()
    assert warnings == [f"warning: {w}" for w in expected["warnings"]]
    page.click("button[data-tab=history]")
    with page.expect_download():
        page.click("#export")
    minutes = page.text_content("#minutes")
    assert "- **Input, not in the regulation:** last\\_stepped\\_place = 21 (" in minutes
    assert minutes.count("- **Reading:**") == 3


def test_a_carry_answer_is_a_checklist_table(page: Any, bundled: PolicySet) -> None:
    page.select_option("#edition", "utmb-2022")
    page.fill("#query", "carry UTMB with hot")
    page.click("#ask")
    page.wait_for_selector("#answer table.checklist")
    expected = bundled.ask("carry UTMB with hot", edition="utmb-2022").as_json()
    assert page.text_content("#answer-value") == expected["text"].splitlines()[0]
    assert page.locator("#answer table.checklist tbody tr").count() == len(expected["value"]["items"])
    water = page.locator("#answer table.checklist tr", has_text="Minimum water supply").first
    assert "2 liters" in water.text_content()  # seed 003:148: the hot weather kit's "Minimum water supply: 2 liters"
    assert "hot kit" in water.text_content()


def test_browse_the_equipment_checklists(page: Any, bundled: PolicySet) -> None:
    # describe lists the checklists itself: the page shows them as any other kind, one row per list, never from carry answers.
    page.select_option("#edition", "utmb-2022")
    page.click("button[data-tab=browse]")
    page.wait_for_selector("#browse-title:has-text('2022')")
    page.click("button[data-kind=checklists]")
    page.wait_for_selector("#browse-body tbody tr")
    assert page.locator(".carry-answer").count() == 0
    body = page.text_content("#browse-body")
    # Each checklist of the edition by name, the basic list of UTMB® CCC® TDS® and its kits (seed 003:100, 003:142, 003:150).
    for name in bundled.find("utmb-2022").checklists:
        assert name in body
    assert "long_basic" in body and "hot" in body and "cold" in body


def test_a_kind_describe_adds_is_shown_generically(page: Any, bundled: PolicySet, monkeypatch: Any) -> None:
    """When `describe` lists checklists itself (another branch adds them), the page shows them as any kind, not from carry answers."""
    import racepolicy.query.describe as describe_module

    real = describe_module.describe
    carried = bundled.ask("carry UTMB", edition="utmb-2022").as_json()["value"]
    items = [{k: i[k] for k in ("name", "count", "required", "citation")} for i in carried["items"] if not i["kit"]]

    def with_checklists(policies: PolicySet, words: list[str]) -> dict[str, Any]:
        data = real(policies, words)
        if words == ["utmb-2022"]:
            # The shape is a guess at what describe will return; the page must not depend on it.
            data["checklists"] = [{"kind": "checklist", "name": "for UTMB", "races": ["UTMB"], "items": items}]
        return data

    monkeypatch.setattr(describe_module, "describe", with_checklists)
    page.select_option("#edition", "utmb-2022")
    page.click("button[data-tab=browse]")
    page.wait_for_selector("#browse-title:has-text('2022')")
    page.click("button[data-kind=checklists]")
    page.wait_for_selector("#browse-body caption:text-is('Equipment checklists')")
    assert page.locator(".carry-answer").count() == 0
    assert page.locator("#browse-body tbody tr").count() == len(items)
    jacket = page.locator("#browse-body tbody tr", has_text="jacket").first
    jacket.locator(".cite").click()  # seed 003:126: the jacket with hood
    page.wait_for_selector("#clause .line.cited")
    assert "Jacket with hood" in page.text_content("#clause .line.cited .text")
