"""The REPL itself: a PromptSession with highlighting, completion, validation and history, or a line reader for scripts."""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from racepolicy.repl.session import Reply, Session

EXIT_OK, EXIT_BAD_INPUT = 0, 2
PROMPT = "racepolicy> "
CONTINUATION = "... "


def history_path() -> Path:
    """Where the history lives: $XDG_DATA_HOME/racepolicy/history, or ~/.local/share/racepolicy/history."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "racepolicy" / "history"


class SafeFileHistory(FileHistory):
    """A FileHistory that never takes the session down: an unreadable or unwritable file leaves history in memory only."""

    def __init__(self, filename: str) -> None:
        super().__init__(filename)
        self.broken = ""

    def load_history_strings(self) -> Iterable[str]:
        try:
            return list(super().load_history_strings())
        except (OSError, ValueError) as exc:
            self.broken = f"cannot read history {self.filename}: {exc}"
            return []

    def store_string(self, string: str) -> None:
        if self.broken:
            return
        try:
            super().store_string(string)
        except OSError as exc:
            self.broken = f"cannot write history {self.filename}: {exc}"


def make_history(path: Path | None = None) -> tuple[History, str]:
    """The persistent history, or an in-memory one and the reason when the data folder cannot be used."""
    path = path or history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "ab"):
            pass
    except OSError as exc:
        return InMemoryHistory(), f"history is not saved ({path}: {exc.strerror or exc})"
    return SafeFileHistory(str(path)), ""


def banner(session: Session) -> str:
    from racepolicy import __version__

    editions = sorted(session.policies.editions.values(), key=lambda e: e.key)
    loaded = "\n".join(f"  {e.key:<18} {e.title}" for e in editions) or "  none (use :load PATH)"
    return (f"racepolicy {__version__}: the REPL for race meetings. Editions loaded:\n{loaded}\n"
            "Type a query (e.g. penalty missing_jacket on UTMB), :help for commands; Tab completes, Ctrl-D leaves.")


# ---- interactive


def make_prompt_session(session: Session, input: Any = None, output: Any = None, history: History | None = None) -> Any:
    """The PromptSession: lexer, fuzzy completer, validator, history, Enter that continues unfinished statements."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import FuzzyCompleter
    from prompt_toolkit.enums import DEFAULT_BUFFER
    from prompt_toolkit.filters import has_focus
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.lexers import PygmentsLexer
    from racepolicy.repl.completer import RacePolicyCompleter
    from racepolicy.repl.lexer import RacePolicyLexer
    from racepolicy.repl.validator import RacePolicyValidator, status

    bindings = KeyBindings()

    # Only in the input line: in a Ctrl-R search, Enter keeps its own meaning (take the found entry).
    @bindings.add("enter", filter=has_focus(DEFAULT_BUFFER))
    def _enter(event: Any) -> None:
        buffer = event.current_buffer
        if buffer.complete_state and buffer.complete_state.current_completion:
            buffer.complete_state = None  # Enter picks the highlighted completion; a second Enter sends
            return
        text = buffer.document.text
        last_line = text.rsplit("\n", 1)[-1]
        # An unfinished statement goes on on a new last line; Enter on an empty line sends it anyway.
        if last_line.strip() and status(text).incomplete:
            buffer.cursor_position = len(text)
            buffer.insert_text("\n")
            return
        buffer.validate_and_handle()

    return PromptSession(
        message=lambda: [("class:prompt", f"{session.edition}> " if session.edition else PROMPT)],
        lexer=PygmentsLexer(RacePolicyLexer),
        completer=FuzzyCompleter(RacePolicyCompleter(session)),
        complete_while_typing=True,
        validator=RacePolicyValidator(session),
        validate_while_typing=True,
        history=history if history is not None else InMemoryHistory(),
        multiline=True,
        prompt_continuation=lambda width, line_number, wrap_count: CONTINUATION.rjust(width),
        key_bindings=bindings,
        style=_style(),
        include_default_pygments_style=True,
        input=input,
        output=output,
    )


def show(replies: Iterable[Reply], output: Any = None) -> None:
    from prompt_toolkit import print_formatted_text
    from prompt_toolkit.formatted_text import FormattedText

    for reply in replies:
        if reply.text:
            style = {"error": "class:error", "info": "class:info"}.get(reply.kind, "")
            print_formatted_text(FormattedText([(style, reply.text)]), output=output, style=_style())


@functools.cache
def _style() -> Any:
    from prompt_toolkit.styles import Style

    return Style.from_dict({"error": "ansired", "info": "ansibrightblack", "prompt": "bold"})


def _warm_up() -> None:
    try:
        from racepolicy.repl.validator import status

        status("penalty missing_jacket on UTMB")
    except Exception:  # warming up is an optimisation; the first query reports any real problem
        pass


def run_interactive(
    session: Session, input: Any = None, output: Any = None, history: History | None = None, note: str = "",
    printer: Callable[[list[Reply]], None] | None = None,
) -> int:
    """Prompt until Ctrl-D or :quit; Ctrl-C abandons the current input; errors never end the session.

    `printer` receives every reply (tests collect them); by default they are printed on `output`.
    """
    emit = printer or (lambda replies: show(replies, output))
    opened = session.open()
    emit([Reply(banner(session), kind="info"), *opened])
    if note:
        emit([Reply(note, kind="info")])
    prompt = make_prompt_session(session, input=input, output=output, history=history)
    # Build the query parser while the jury types, so the first Enter is as quick as the others.
    threading.Thread(target=_warm_up, name="racepolicy-warm-up", daemon=True).start()
    while True:
        try:
            text = prompt.prompt()
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        replies = session.handle(text)
        emit(replies)
        if any(r.quit for r in replies):
            break
    broken = getattr(prompt.history, "broken", "")
    if broken:
        emit([Reply(f"{broken}; this session's history was kept in memory only", kind="info")])
    return EXIT_OK


# ---- scripts


def read_lines(stream: IO[str]) -> Iterator[str]:
    for line in stream:
        yield line.rstrip("\n")


def run_lines(session: Session, lines: Iterable[str], out: IO[str], err: IO[str]) -> int:
    """Answer queries line by line (stdin not a terminal): answers on `out`, errors on `err`; 2 if any failed."""
    failed = False
    for reply in session.open():
        print(reply.text, file=err if not reply.ok else out)
        failed = failed or not reply.ok
    for line in lines:
        replies = session.handle(line)
        if not replies:
            continue
        # A line read with surrogateescape may hold bytes that are not UTF-8: echoed as U+FFFD, never a crash on output.
        print(f"> {line.strip().encode('utf-8', 'surrogateescape').decode('utf-8', 'replace')}", file=out)
        for reply in replies:
            if reply.text:
                print(reply.text, file=out if reply.ok else err)
            failed = failed or not reply.ok
        out.flush()
        if any(r.quit for r in replies):
            break
    return EXIT_BAD_INPUT if failed else EXIT_OK


def main(paths: list[str], interactive: bool | None = None) -> int:
    """`racepolicy repl [PATHS]`: a prompt on a terminal, a line reader otherwise."""
    session = Session(paths)
    if interactive is None:
        interactive = sys.stdin.isatty()
    if not interactive:
        if hasattr(sys.stdin, "reconfigure"):  # a byte that is not UTF-8 is an error on its line, not the end of the session
            sys.stdin.reconfigure(errors="surrogateescape")
        return run_lines(session, read_lines(sys.stdin), sys.stdout, sys.stderr)
    history, note = make_history()
    return run_interactive(session, history=history, note=note)
