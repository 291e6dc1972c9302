"""The jury console's JSON API: each endpoint gives what the CLI gives, and every bad request a JSON error with the CLI's code."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from racepolicy.cli.main import main
from racepolicy.language.errors import PolicyError
from racepolicy.query.describe import describe
from racepolicy.query.policyset import PolicySet
from racepolicy.web.app import MAX_BODY_BYTES

SEED_2022 = "003_03726955152b33cc.txt"


def cli_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    code = main(args)
    return code, json.loads(capsys.readouterr().out)


def only_error(response: Any) -> dict[str, Any]:
    """The one error of a JSON error response, without the rendered text (the CLI prints that on stderr)."""
    assert response.headers["content-type"].startswith("application/json")
    errors = response.json()["errors"]
    assert len(errors) == 1
    return {k: v for k, v in errors[0].items() if k != "text"}


# ---- GET /v1/checklists/EDITION -----------------------------------------------------


def test_checklists_are_the_carry_answers_of_the_cli(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    response = client.get("/v1/checklists/utmb-2022")
    assert response.status_code == 200
    data = response.json()
    assert data["kits"] == ["hot", "cold"]  # seed 003:142 and 003:150
    queries = [a["query"] for a in data["answers"]]
    assert queries[:3] == ["carry UTMB", "carry UTMB with hot", "carry UTMB with cold"]
    for answer in data["answers"][:2]:
        _, expected = cli_json(["query", answer["query"], "--edition", "utmb-2022", "--json"], capsys)
        assert answer == expected


def test_an_edition_with_no_checklist_has_no_carry_answers(client: Any) -> None:
    response = client.get("/v1/checklists/xterra-2023")
    assert response.status_code == 200
    assert response.json()["answers"] == []


def test_checklists_of_an_unknown_edition_is_the_cli_error(client: Any) -> None:
    response = client.get("/v1/checklists/utmb-2099")
    assert response.status_code == 400
    assert only_error(response)["code"] == "RP0602"


# ---- POST /v1/query ------------------------------------------------------------


def test_query_answers_as_the_cli_does(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    response = client.post("/v1/query", json={"query": "penalty missing_jacket on UTMB"})
    assert response.status_code == 200
    answer = response.json()
    _, expected = cli_json(["query", "penalty missing_jacket on UTMB", "--json"], capsys)
    assert answer == expected
    # seed 003:667-669: missing the waterproof jacket with hood is a disqualification on UTMB®.
    assert answer["text"] == "disqualification"
    where = answer["trace"][0]["citation"]["text"]
    # The clause's own line is where "Missing item(s)..." starts; the quote spans the chart from its heading to "Disqualification".
    assert (where["file"], where["line"], where["first_line"], where["end_line"]) == (SEED_2022, 667, 657, 669)


def test_query_with_an_edition_pinned(client: Any, bundled: PolicySet) -> None:
    response = client.post("/v1/query", json={"query": "cancellation_refund(2016-04-01)", "edition": "utmb-2016"})
    assert response.status_code == 200
    # seed 004:135: "From March 16 to May 15 50%".
    assert response.json()["text"] == "50%"
    assert response.json()["edition"] == "utmb 2016"
    assert response.json() == bundled.ask("cancellation_refund(2016-04-01)", edition="utmb-2016").as_json()


def test_a_syntax_error_is_the_cli_error_with_its_caret(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    response = client.post("/v1/query", json={"query": "penalty ?? on UTMB"})
    assert response.status_code == 400
    code, expected = cli_json(["query", "penalty ?? on UTMB", "--json"], capsys)
    assert code == 2
    assert only_error(response) == expected
    assert "^" in response.json()["errors"][0]["text"]


def test_an_unknown_edition_is_the_cli_error(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    response = client.post("/v1/query", json={"query": "penalty littering on UTMB", "edition": "utmb-2099"})
    _, expected = cli_json(["query", "penalty littering on UTMB", "--edition", "utmb-2099", "--json"], capsys)
    assert response.status_code == 400
    assert only_error(response) == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"query": 12}', "'query' must be a text"),
        (b"{}", "'query' must be a text"),
        (b'{"query": "penalty littering on UTMB", "edition": ["x"]}', "'edition' must be a text"),
        (b'{"query": "penalty littering on UTMB", "run": "os.system"}', "unknown field(s) in the request: run"),
    ],
)
def test_bad_query_bodies_get_json_errors(client: Any, body: bytes, message: str) -> None:
    response = client.post("/v1/query", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    error = only_error(response)
    assert error["code"] == "RP0701"
    assert message in error["message"]


def test_bodies_and_queries_are_bounded(client: Any) -> None:
    big = client.post("/v1/query", content=b" " * (MAX_BODY_BYTES + 1), headers={"Content-Type": "application/json"})
    assert big.status_code == 413
    assert only_error(big)["code"] == "RP0802"
    long = client.post("/v1/query", json={"query": "x" * 10_001})
    assert long.status_code == 413
    assert "over the limit of 10,000" in only_error(long)["message"]


def test_query_text_never_runs_code(client: Any, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    for attempt in (f"__import__('os').system('touch {marker}')", f'eligible UTMB given runner = {{"x": exec("open(\'{marker}\', \'w\')")}}'):
        response = client.post("/v1/query", json={"query": attempt})
        assert response.status_code == 400
        assert only_error(response)["code"].startswith("RP")
    assert not marker.exists()


# ---- GET /v1/editions and /v1/describe ------------------------------------------


def test_editions_are_describe_of_nothing(client: Any, bundled: PolicySet) -> None:
    response = client.get("/v1/editions")
    assert response.status_code == 200
    assert response.json() == describe(bundled, [])
    assert {e["key"] for e in response.json()["editions"]} == set(bundled.editions)


def test_describe_an_edition_and_a_name(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    whole = client.get("/v1/describe/utmb-2022")
    _, expected = cli_json(["describe", "utmb-2022", "--json"], capsys)
    assert whole.status_code == 200 and whole.json() == expected
    one = client.get("/v1/describe/utmb-2016/cancellation_refund")
    assert one.status_code == 200
    rows = one.json()["rows"]
    # seed 004:134-137: 60% before March 15, 50% to May 15, 40% to July 31, nothing after.
    assert [(r["through"], r["value"]) for r in rows] == [("03-15", "60%"), ("05-15", "50%"), ("07-31", "40%"), ("otherwise", "0%")]
    assert [r["citation"]["text"]["line"] for r in rows] == [134, 135, 136, 137]
    alone = client.get("/v1/describe/littering")
    _, expected = cli_json(["describe", "littering", "--json"], capsys)
    assert alone.status_code == 200 and alone.json() == expected and alone.json()["edition"] == "utmb 2022"


def test_describe_errors_are_the_cli_errors(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    response = client.get("/v1/describe/utmb-2022/nosuch")
    _, expected = cli_json(["describe", "utmb-2022", "nosuch", "--json"], capsys)
    assert response.status_code == 400
    assert only_error(response) == expected
    too_many = client.get("/v1/describe/utmb-2022/littering/more")
    assert too_many.status_code == 400 and only_error(too_many)["code"] == "RP0602"


# ---- GET /v1/diff ------------------------------------------------------------------


def test_diff_is_the_cli_diff(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    response = client.get("/v1/diff", params={"old": "utmb-2016", "new": "utmb-2022"})
    assert response.status_code == 200
    code, expected = cli_json(["diff", "utmb-2016", "utmb-2022", "--format", "json"], capsys)
    assert code == 1  # the editions differ
    assert response.json() == expected
    markdown = client.get("/v1/diff", params={"old": "utmb-2016", "new": "utmb-2022", "format": "markdown"})
    main(["diff", "utmb-2016", "utmb-2022", "--format", "markdown"])
    assert markdown.json()["markdown"] == capsys.readouterr().out


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({"new": "utmb-2022"}, "RP0701", "missing parameter 'old'"),
        ({"old": "utmb-2016"}, "RP0701", "missing parameter 'new'"),
        ({"old": "utmb-2016", "new": "utmb-2099"}, "RP0602", "no edition 'utmb-2099' is loaded"),
        ({"old": "/etc/passwd", "new": "utmb-2022"}, "RP0602", "no edition '/etc/passwd' is loaded"),
        ({"old": "utmb-2016", "new": "utmb-2022", "format": "html"}, "RP0701", "unknown format 'html'"),
    ],
)
def test_bad_diff_requests(client: Any, params: dict[str, str], code: str, message: str) -> None:
    response = client.get("/v1/diff", params=params)
    assert response.status_code == 400
    assert only_error(response)["code"] == code
    assert message in only_error(response)["message"]


# ---- GET /v1/complete --------------------------------------------------------------


def test_completions_are_the_repls(client: Any) -> None:
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document
    from racepolicy.repl.completer import RacePolicyCompleter, RankedCompleter
    from racepolicy.repl.session import Session

    session = Session()
    session.open()
    repl = RankedCompleter(RacePolicyCompleter(session))
    for text in ("penalty missing_ja", "penalty littering on ", "cancellation_refund(2022-05-01) "):
        response = client.get("/v1/complete", params={"text": text})
        assert response.status_code == 200
        offered = [(c["text"], c["start"]) for c in response.json()["completions"]]
        expected = [(c.text, c.start_position) for c in repl.get_completions(Document(text, len(text)), CompleteEvent(completion_requested=True))]
        assert offered == expected[: len(offered)] and offered
    races = [c["text"] for c in client.get("/v1/complete", params={"text": "penalty littering on ", "edition": "utmb-2016"}).json()["completions"]]
    assert "UTMB" in races and "MCC" not in races  # MCC is a 2022 race (seed 003:21), not a 2016 one


def test_bad_completion_requests(client: Any) -> None:
    assert only_error(client.get("/v1/complete"))["message"] == "missing parameter 'text'"
    assert client.get("/v1/complete", params={"text": "x" * 10_001}).status_code == 413
    unknown = client.get("/v1/complete", params={"text": "penalty", "edition": "nowhere"})
    assert unknown.status_code == 400 and only_error(unknown)["code"] == "RP0602"


# ---- GET /v1/clause ----------------------------------------------------------------


def test_a_clause_is_its_lines_of_the_regulation_text(client: Any) -> None:
    response = client.get("/v1/clause", params={"edition": "utmb-2022", "file": SEED_2022, "first_line": 667, "end_line": 669})
    assert response.status_code == 200
    cited = [line for line in response.json()["lines"] if line["cited"]]
    assert [line["number"] for line in cited] == [667, 668, 669]
    assert cited[-1]["text"] == "Disqualification"  # seed 003:669
    assert cited[0]["text"].startswith("Missing item(s) of the mandatory equipment checklist")  # seed 003:667


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"edition": "utmb-2022", "file": "../../../etc/passwd", "first_line": "1"}, "cites no regulation text called '../../../etc/passwd'"),
        ({"edition": "utmb-2022", "file": "004_3795f62afb8435bf.txt", "first_line": "1"}, "cites no regulation text called"),  # the 2016 text
        ({"edition": "utmb-2022", "file": SEED_2022, "first_line": "999999"}, "are not in"),
        ({"edition": "utmb-2022", "file": SEED_2022, "first_line": "20", "end_line": "10"}, "are not in"),
        ({"edition": "utmb-2022", "file": SEED_2022, "first_line": "-1"}, "must be a line number"),
        ({"edition": "utmb-2022", "file": SEED_2022}, "must be a line number"),
        ({"file": SEED_2022, "first_line": "1"}, "missing parameter 'edition'"),
    ],
)
def test_bad_clause_requests_read_no_file(client: Any, params: dict[str, str], message: str) -> None:
    response = client.get("/v1/clause", params=params)
    assert response.status_code == 400
    assert message in only_error(response)["message"]


# ---- the server as a whole ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/v1/nothing", 404), ("GET", "/etc/passwd", 404), ("GET", "/v1/query", 405), ("DELETE", "/v1/editions", 405), ("PUT", "/v1/query", 405)],
)
def test_unknown_routes_and_methods_are_json_errors(client: Any, method: str, path: str, status: int) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert only_error(response)["code"] == "RP0701"
    assert "<html" not in response.text.lower() and "Traceback" not in response.text


def test_the_page_and_its_files_load_nothing_from_elsewhere(client: Any) -> None:
    for path, kind in (("/", "text/html"), ("/app.js", "text/javascript"), ("/app.css", "text/css")):
        response = client.get(path)
        assert response.status_code == 200 and response.headers["content-type"].startswith(kind)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        # The SVG namespace is a name, not an address the page fetches.
        text = response.text.replace('"http://www.w3.org/2000/svg"', "")
        assert "http://" not in text and "https://" not in text and "//cdn" not in text


def test_a_real_server_answers_concurrent_queries(server: str, bundled: PolicySet) -> None:
    queries = ["penalty missing_jacket on UTMB", "cancellation_refund(2022-05-01)", "penalty littering on CCC", "penalty ?? on UTMB"]
    expected = {}
    for query in queries:
        try:
            expected[query] = (200, bundled.ask(query).as_json())
        except PolicyError:  # the syntax error: its status only
            expected[query] = (400, None)
    failures: list[str] = []

    def ask_many(offset: int) -> None:
        for i in range(12):
            query = queries[(offset + i) % len(queries)]
            request = urllib.request.Request(server + "/v1/query", json.dumps({"query": query}).encode(), {"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status, body = response.status, json.loads(response.read())
            except urllib.error.HTTPError as exc:
                status, body = exc.code, json.loads(exc.read())
            want_status, want_body = expected[query]
            if status != want_status or (want_body is not None and body != want_body) or (status == 400 and body["errors"][0]["code"] != "RP0102"):
                failures.append(f"{query}: {status}")

    threads = [threading.Thread(target=ask_many, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures


def test_serve_refuses_bad_arguments_with_located_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["serve", "--port", "70000"]) == 2
    assert "port 70000 is not a port number" in capsys.readouterr().err
    assert main(["serve", str(tmp_path / "missing.policy")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_serve_on_a_port_in_use_is_a_located_error(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"error[RP0701]: cannot serve on 127.0.0.1:{port}: Address already in use" in err
    assert "Traceback" not in err


def test_serve_binds_this_machine_only_by_default() -> None:
    import argparse

    from racepolicy.web import command as serve

    parser = argparse.ArgumentParser()
    serve.add_arguments(parser)
    args = parser.parse_args([])
    assert (args.host, args.port, args.paths) == ("127.0.0.1", 8000, [])


def test_a_bug_of_ours_is_still_a_json_error_without_a_traceback(bundled: PolicySet, monkeypatch: pytest.MonkeyPatch) -> None:
    import warnings

    from racepolicy.web.app import create_app

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug with a secret path /home/jury")

    policies = PolicySet(bundled.pm)
    policies.editions = dict(bundled.editions)
    monkeypatch.setattr(policies, "ask", broken)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        with TestClient(create_app(policies), raise_server_exceptions=False) as test_client:
            response = test_client.post("/v1/query", json={"query": "penalty littering on UTMB"})
    assert response.status_code == 500
    assert only_error(response)["message"] == "internal error: the server could not answer this request"
    assert "Traceback" not in response.text and "/home/jury" not in response.text
