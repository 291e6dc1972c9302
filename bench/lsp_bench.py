"""Benchmark of the language server: server CPU from a change sent by an editor to the diagnostics of that change, on the 2022 policy."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

TARGET_MS = 100.0
POLICY = Path(__file__).resolve().parent.parent / "policies" / "utmb-2022.policy"
# Keystrokes an author makes while editing a policy, each typed and then undone (so an error appears, then goes):
# a letter after a name (an unknown name), a digit in a number, a letter in a quote (a citation no longer in the text,
# whose hint searches the closest sentence) and a new line (every statement below moves down one line).
KINDS = ("name", "number", "quote", "line")
# A keystroke that leaves a statement half-typed (a syntax error): the whole text is parsed again, with its recovery.
BROKEN = "broken"
_NAME = re.compile(r"(?<![\w.\"])[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*")
_NUMBER = re.compile(r"(?<![\w.:-])\d+(?=[ ,)\n]| ?(?:EUR|km|m)\b)")
_QUOTE = re.compile(r'§ "([^"\n]{12,})"')
_RULE = re.compile(r"^rule [a-z_]+(?:\([^)\n]*\))? = ", re.MULTILINE)


def server_cpu_ms(pid: int) -> float | None:
    """CPU time the server has used, all threads, in milliseconds to the microsecond (/proc/PID/task/*/sched)."""
    total = 0.0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for row in (task / "sched").read_text().splitlines():
                if row.startswith("se.sum_exec_runtime"):
                    total += float(row.split(":")[1])
    except OSError:
        return None
    return total


def spots(text: str, rounds: int) -> Iterator[tuple[str, int, str]]:
    """(kind, offset, typed) for `rounds` keystrokes spread evenly over the file, the kinds in turn."""
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    for index in range(rounds):
        kind = KINDS[index % len(KINDS)]
        yield spot(text, kind, starts[index * len(starts) // rounds])


def spot(text: str, kind: str, start: int) -> tuple[str, int, str]:
    """Where a keystroke of this kind goes, at the first place from `start` on (wrapping round) that has one."""
    if kind == "line":
        return kind, start, "\n"
    pattern = {"name": _NAME, "number": _NUMBER, "quote": _QUOTE, BROKEN: _RULE}[kind]
    for match in [*pattern.finditer(text, start), *pattern.finditer(text, 0, start)]:
        before = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
        if "#" in before or (kind != "quote" and before.count('"') % 2):
            continue  # in a comment or a quoted text: not the keystroke this kind stands for
        if kind == "quote":
            return kind, match.start(1) + len(match.group(1)) // 2, "x"
        if kind == BROKEN:
            return kind, match.end(), ")"  # `rule r = )...`: a bracket closed before anything was opened
        return kind, match.end(), "1" if kind == "number" else "x"
    raise ValueError(f"no place for a {kind} keystroke")


def position(text: str, index: int) -> types.Position:
    line = text.count("\n", 0, index)
    start = text.rfind("\n", 0, index) + 1
    return types.Position(line=line, character=len(text[start:index].encode("utf-16-le")) // 2)


async def measure(rounds: int, broken: int) -> list[tuple[str, float, float | None]]:
    """(kind, wall-clock ms, server CPU ms) of every change: each keystroke and its undo are a change each."""
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
    pid = client._server.pid if client._server is not None else 0
    keystrokes = list(spots(text, rounds))
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    keystrokes += [spot(text, BROKEN, starts[index * len(starts) // max(broken, 1)]) for index in range(broken)]
    results: list[tuple[str, float, float | None]] = []
    version = 1
    for kind, offset, typed in keystrokes:
        at = position(text, offset)
        after = position(text[:offset] + typed, offset + len(typed))
        for change in (types.TextDocumentContentChangePartial(range=types.Range(start=at, end=at), text=typed),  # typed
                       types.TextDocumentContentChangePartial(range=types.Range(start=at, end=after), text="")):  # and undone
            version += 1
            used = server_cpu_ms(pid)
            sent = time.perf_counter()
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]))
            while version not in arrived:
                await asyncio.sleep(0.0005)
            wall = (arrived[version] - sent) * 1000
            spent = server_cpu_ms(pid)
            results.append((kind, wall, spent - used if used is not None and spent is not None else None))
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return results


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"median {statistics.median(ordered):6.1f} ms, p90 {p90:6.1f} ms, max {ordered[-1]:6.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40, help="keystrokes spread over the file, each typed and undone (two changes)")
    parser.add_argument("--broken", type=int, default=6, help="keystrokes that leave a statement half-typed, reported apart")
    args = parser.parse_args()
    results = asyncio.run(measure(args.rounds, args.broken))
    load = os.getloadavg()[0]
    print(f"change -> published diagnostics, {POLICY.name}, load average {load:.1f} on {os.cpu_count()} cores; "
          f"server CPU from /proc/PID/task/*/sched (target {TARGET_MS:.0f} ms)")
    cpu_ok = True
    for label, kinds in (("keystrokes, all kinds", KINDS), *((f"  {k}", (k,)) for k in KINDS), ("half-typed (syntax error)", (BROKEN,))):
        chosen = [r for r in results if r[0] in kinds]
        if not chosen:
            continue
        cpu = [r[2] for r in chosen if r[2] is not None]
        print(f"{label:28} {len(chosen):3} changes  server CPU {summary(cpu) if cpu else 'not measured'}   "
              f"wall clock {summary([r[1] for r in chosen])}")
        if kinds == KINDS and cpu:
            cpu_ok = statistics.median(cpu) <= TARGET_MS
    return 0 if cpu_ok else 1


if __name__ == "__main__":
    sys.exit(main())
