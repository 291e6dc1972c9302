"""Load test of `racepolicy serve` on 127.0.0.1: clients at once for a bounded time; every answer checked against the CLI's."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
MAX_SECONDS = 60  # bounded: the machine is shared
MAX_CLIENTS = 32

# A race meeting's questions, and a bad one (its located error must come back as fast and as right).
QUERIES = (
    "penalty missing_jacket on UTMB",
    "penalty littering on CCC",
    "cancellation_refund(2022-05-01)",
    "cancellation_refund(2016-04-01)",
    "penalty ?? on UTMB",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def expected_answers() -> dict[str, tuple[int, str]]:
    """What each query must get: the status and the answer text (or error code) the CLI's core gives."""
    from racepolicy.language.errors import PolicyError
    from racepolicy.query.policyset import PolicySet

    policies = PolicySet.bundled()
    found = {}
    for query in QUERIES:
        try:
            found[query] = (200, policies.ask(query).text)
        except PolicyError as exc:
            found[query] = (400, exc.code)
    return found


def start_server(port: int) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "racepolicy"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/v1/editions")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"the server did not start: {server.stderr.read().decode() if server.stderr else ''}")


def client(port: int, stop: float, offset: int, expected: dict[str, tuple[int, str]], latencies: list[float], failures: list[str]) -> None:
    """One jury laptop: one keep-alive connection, queries in turn until the time is up."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    i = offset
    while time.monotonic() < stop:
        query = QUERIES[i % len(QUERIES)]
        i += 1
        started = time.perf_counter()
        try:
            connection.request("POST", "/v1/query", json.dumps({"query": query}), {"Content-Type": "application/json"})
            response = connection.getresponse()
            body = json.loads(response.read())
        except (OSError, http.client.HTTPException, ValueError) as exc:
            failures.append(f"{query}: {exc}")
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append(time.perf_counter() - started)
        status, want = expected[query]
        got = body.get("text") if response.status == 200 else body.get("errors", [{}])[0].get("code")
        if response.status != status or got != want:
            failures.append(f"{query}: {response.status} {got!r}, expected {status} {want!r}")
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8, help=f"clients at once (at most {MAX_CLIENTS})")
    parser.add_argument("--seconds", type=float, default=10.0, help=f"how long to send queries (at most {MAX_SECONDS})")
    parser.add_argument("--append", action="store_true", help="append the figures to bench/RESULTS.md")
    args = parser.parse_args()
    clients = max(1, min(args.clients, MAX_CLIENTS))
    seconds = max(1.0, min(args.seconds, MAX_SECONDS))

    expected = expected_answers()
    port = free_port()
    server = start_server(port)
    latencies: list[float] = []
    failures: list[str] = []
    try:
        stop = time.monotonic() + seconds
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(port, stop, n, expected, latencies, failures)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(10)
    ordered = sorted(latencies)
    rate = len(latencies) / elapsed
    p50 = statistics.median(ordered) * 1000
    p95 = ordered[int(0.95 * (len(ordered) - 1))] * 1000
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        "",
        "## `racepolicy serve` under load (bench/serve_load.py)",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"load average {load} (shared with other sessions)",
        f"- command: `python bench/serve_load.py --clients {clients} --seconds {seconds:g}`: {clients} clients at once on 127.0.0.1, each with "
        f"one keep-alive connection, sending `POST /v1/query` in turn for {seconds:g} s; the queries are {len(QUERIES)} of a race meeting "
        "(four answers and one syntax error), every reply checked against the answer (or error code) the CLI's core gives",
        "",
        "| clients | requests | errors | throughput | median latency | 95th percentile |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {clients} | {len(latencies):,} | {len(failures)} | {rate:,.0f} requests/s | {p50:.1f} ms | {p95:.1f} ms |",
        "",
        "Evaluation is serialised in the one server process (the interpreter is pure Python, under one lock), so more clients",
        "wait their turn rather than add throughput; the clients run on the same shared cores as the server. What the figure",
        "shows is that concurrent requests are all answered, right, with none lost or failed.",
    ]
    print("\n".join(lines))
    for failure in failures[:10]:
        print(f"failure: {failure}", file=sys.stderr)
    if args.append:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    return 1 if failures or not latencies else 0


if __name__ == "__main__":
    sys.exit(main())
