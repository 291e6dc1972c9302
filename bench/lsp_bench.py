"""Benchmark of the language server: time from a change sent by an editor to the diagnostics of that change, on the 2022 policy."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

TARGET_MS = 100.0
POLICY = Path(__file__).resolve().parent.parent / "policies" / "utmb-2022.policy"
# A keystroke-sized edit in the middle of the file, typed and then undone: an error appears, then goes.
BEFORE, AFTER = "race.fee * 5%", "race.fees * 5%"


def cpu_ms(pid: int) -> float | None:
    """CPU time the process has used (user and system), from /proc: what the change cost the server, whatever else runs."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


async def measure(rounds: int) -> tuple[list[float], list[float]]:
    client = LanguageClient("racepolicy-bench", "1")
    arrived: dict[int, float] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None:
            arrived[params.version] = time.perf_counter()

    await client.start_io(str(Path(sys.executable).parent / "racepolicy"), "lsp")
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(), process_id=os.getpid()))
    client.initialized(types.InitializedParams())
    text = POLICY.read_text(encoding="utf-8")
    uri = POLICY.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="racepolicy", version=1, text=text)))
    while 1 not in arrived:
        await asyncio.sleep(0.001)
    index = text.index(BEFORE)
    line = text.count("\n", 0, index)
    column = index - text.rfind("\n", 0, index) - 1 + len("race.fee")
    timings: list[float] = []
    cpu: list[float] = []
    pid = client._server.pid if client._server is not None else 0
    for version in range(2, rounds + 2):
        typing = version % 2 == 0
        edit = types.Range(start=types.Position(line=line, character=column),
                           end=types.Position(line=line, character=column if typing else column + 1))
        used = cpu_ms(pid)
        sent = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(range=edit, text="s" if typing else "")]))
        while version not in arrived:
            await asyncio.sleep(0.0005)
        timings.append((arrived[version] - sent) * 1000)
        after = cpu_ms(pid)
        if used is not None and after is not None:
            cpu.append(after - used)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return timings, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40, help="changes to time (half type an error, half undo it)")
    args = parser.parse_args()
    timings, cpu = asyncio.run(measure(args.rounds))
    ordered = sorted(timings)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    load = os.getloadavg()[0]
    print(f"change -> diagnostics, {POLICY.name}, {len(timings)} changes: median {statistics.median(timings):.1f} ms, "
          f"p90 {p90:.1f} ms, max {ordered[-1]:.1f} ms (target {TARGET_MS:.0f} ms); load average {load:.1f} on {os.cpu_count()} cores")
    if cpu:
        # /proc counts in clock ticks (10 ms): the mean over many changes is the figure, not any one change.
        print(f"server CPU time per change: mean {statistics.fmean(cpu):.1f} ms (the wall-clock figure on an idle machine)")
    return 0 if statistics.median(timings) <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
