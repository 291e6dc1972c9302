"""The REPL's colon commands (`:help`, `:load`, `:edition`, `:facts`, ...): each a small handler on a Session."""

from __future__ import annotations

import re
from collections.abc import Callable

import attrs
from racepolicy.language.errors import QueryError, did_you_mean
from racepolicy.language.source import Source, Span
from racepolicy.repl.session import Reply, Session


@attrs.frozen
class Command:
    name: str
    usage: str
    help: str
    handler: Callable[[Session, str], list[Reply]]


def _info(text: str) -> list[Reply]:
    return [Reply(text, kind="info")]


def _usage_error(command: str, usage: str) -> QueryError:
    return QueryError(f"usage: {usage}", hint=f"see :help {command}")


# ---- handlers


def cmd_help(session: Session, arg: str) -> list[Reply]:
    name = arg.strip().lstrip(":")
    if name:
        command = COMMANDS.get(ALIASES.get(name, name))
        if command is None:
            raise QueryError(f"no command ':{name}'", hint=did_you_mean(name, COMMANDS) or "type :help for the list")
        return _info(f"{command.usage}\n  {command.help}")
    lines = ["Type a query and press Enter; Tab completes, Ctrl-R searches history, Ctrl-C abandons the input, Ctrl-D leaves.",
             "Queries:",
             "  penalty missing_jacket on UTMB              the sanction, with the clause it comes from",
             "  penalty smartphone_off, missing_whistle on OCC",
             "  refund UTMB cancelled 2022-05-15            plugin query forms",
             "  cutoff TDS                                  any race attribute",
             "  carry OCC with cold                         equipment: also required ITEM on RACE, how many ITEM on RACE",
             "  eligible ETC given runner = {birth_year: 2000}",
             "  stones_back(9, false)                       any rule or expression",
             "Definitions typed here (rule ..., penalty ... = ...) apply to this session only.",
             "Commands:"]
    lines.extend(f"  {c.usage:<28}{c.help}" for c in COMMANDS.values())
    return _info("\n".join(lines))


def cmd_load(session: Session, arg: str) -> list[Reply]:
    path = arg.strip()
    if not path:
        raise _usage_error("load", COMMANDS["load"].usage)
    return session.load(path)


def cmd_reload(session: Session, arg: str) -> list[Reply]:
    return session.reload()


def cmd_edition(session: Session, arg: str) -> list[Reply]:
    words = arg.split()
    if not words:
        return _info(f"queries use {session.edition}" if session.edition else "no edition pinned: each query uses the newest edition that knows its names")
    if words[0] in ("auto", "off", "none") and len(words) == 1:
        return session.pin(None)
    if len(words) > 2 or (len(words) == 2 and not re.fullmatch(r"\d{4}", words[1])):
        raise _usage_error("edition", COMMANDS["edition"].usage)
    return session.pin(" ".join(words).lower())  # series names are lower case: `:edition UTMB 2016` means utmb


def cmd_editions(session: Session, arg: str) -> list[Reply]:
    return _info(session.editions_table())


def cmd_explain(session: Session, arg: str) -> list[Reply]:
    query = arg.strip() or session.last_query
    if not query:
        raise _usage_error("explain", COMMANDS["explain"].usage)
    return [session.ask(query, explain=True)]


def cmd_diff(session: Session, arg: str) -> list[Reply]:
    try:
        from racepolicy.diff.compare import diff_editions
        from racepolicy.diff.render import render_text
    except ImportError:
        return [Reply("diff is not available in this installation (no racepolicy.diff.compare module)", ok=False, kind="error")]
    names = arg.split()
    # Accept `utmb-2016 utmb-2022` and `utmb 2016 utmb 2022`.
    if len(names) == 4:
        names = [f"{names[0]}-{names[1]}", f"{names[2]}-{names[3]}"]
    if len(names) != 2:
        raise _usage_error("diff", COMMANDS["diff"].usage)
    old, new = (session.policies.find(n.lower()) for n in names)
    # The editions queries see, so a what-if typed in this session shows in the diff too.
    return [Reply(render_text(diff_editions(old, new, session.pm)).rstrip("\n"))]


def cmd_facts(session: Session, arg: str) -> list[Reply]:
    text = arg.strip()
    if not text:
        if not session.facts:
            return _info("no facts set: e.g. :facts runner = {birth_year: 1990}  or  :facts race = UTMB")
        return _info("\n".join(f"{name} = {expression}" for name, (expression, _) in session.facts.items()))
    words = text.split()
    if words[0] in ("clear", "forget", "unset") and "=" not in text:
        if len(words) == 1:
            session.facts.clear()
            return _info("facts cleared")
        for name in words[1:]:
            if name not in session.facts:
                raise QueryError(f"no fact '{name}'", hint=did_you_mean(name, session.facts) or f"facts: {', '.join(session.facts) or 'none'}")
            del session.facts[name]
        return _info(f"forgot {', '.join(words[1:])}")
    match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)", text, re.S)
    if not match:
        raise QueryError("write a fact as NAME = VALUE", Span.point(1, 1), Source("<facts>", text), "e.g. :facts runner = {birth_year: 1990}")
    return [session.set_fact(match.group(1), match.group(2))]


def cmd_session(session: Session, arg: str) -> list[Reply]:
    if arg.strip() == "clear":
        return session.clear_definitions()
    if arg.strip():
        raise _usage_error("session", COMMANDS["session"].usage)
    return _info(session.describe())


def cmd_coverage(session: Session, arg: str) -> list[Reply]:
    """How the edition in use (or the one named) covers its regulation text; `uncovered` lists the gaps."""
    from racepolicy.language.citations import unverified
    from racepolicy.tools.coverage import coverage_of, render_text

    words = arg.split()
    show = "summary"
    if words and words[-1] in ("uncovered", "all"):
        show = words.pop()
    if len(words) == 2 and re.fullmatch(r"\d{4}", words[1]):
        words = [f"{words[0]}-{words[1]}"]
    if len(words) > 1:
        raise _usage_error("coverage", COMMANDS["coverage"].usage)
    if words:
        editions = [session.policies.find(words[0].lower())]
    elif session.edition:
        editions = [session.policies.find(session.edition)]
    else:
        editions = sorted(session.policies.editions.values(), key=lambda e: e.key)
    replies = []
    for edition in editions:
        problem = unverified(edition.source)
        if problem is not None:
            replies.append(Reply(f"{edition.label}: no coverage: {problem.message} ({problem.hint})", ok=False, kind="error"))
        else:
            replies.append(Reply(render_text(coverage_of(edition), show)))
    return replies


def cmd_quit(session: Session, arg: str) -> list[Reply]:
    return [Reply("", kind="empty", quit=True)]


COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command("help", ":help [COMMAND]", "this help, or one command's", cmd_help),
        Command("load", ":load PATH", "load a policy file or folder into the session", cmd_load),
        Command("reload", ":reload", "re-read the loaded files; a file that broke keeps its last good version", cmd_reload),
        Command("edition", ":edition NAME YEAR", "make queries use one edition (:edition auto to let each query choose)", cmd_edition),
        Command("editions", ":editions", "list the loaded editions", cmd_editions),
        Command("explain", ":explain QUERY", "answer with the full trace and every citation (the last query if none)", cmd_explain),
        Command("diff", ":diff OLD NEW", "what changed between two editions, e.g. :diff utmb-2016 utmb-2022", cmd_diff),
        Command("facts", ":facts [NAME = VALUE]", "show or set facts of the case (:facts clear to forget them)", cmd_facts),
        Command("session", ":session [clear]", "show the edition, facts and definitions of this session", cmd_session),
        Command("coverage", ":coverage [EDITION] [uncovered|all]", "which clauses of the regulation text the policy covers", cmd_coverage),
        Command("quit", ":quit", "leave (Ctrl-D does the same)", cmd_quit),
    )
}
ALIASES = {"q": "quit", "exit": "quit", "h": "help", "?": "help", "e": "explain"}


def run_command(session: Session, line: str) -> list[Reply]:
    """Run one `:command args` line."""
    match = re.match(r":\s*(\S*)\s*(.*)", line, re.S)
    assert match is not None  # the line starts with ':'
    name, arg = match.group(1), match.group(2)
    command = COMMANDS.get(ALIASES.get(name, name))
    if command is None:
        raise QueryError(
            f"unknown command ':{name}'", Span(1, 1, 1, len(name) + 2), Source("<command>", line),
            (did_you_mean(name, COMMANDS) or "type :help for the commands").replace("'", "':", 1),
        )
    return command.handler(session, arg)
