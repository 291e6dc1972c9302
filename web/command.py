"""`racepolicy serve [PATH ...]`: the jury console in the browser, and its JSON API, on localhost."""

from __future__ import annotations

import argparse
import socket
import sys

from racepolicy.cli.common import add_paths, add_source_option, load_policies, report
from racepolicy.language.errors import InputError, PolicyError

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_paths(parser)
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="the port to listen on (default: 8000)")
    add_source_option(parser)


def run(args: argparse.Namespace) -> int:
    try:
        if not 0 <= args.port <= 65535:
            raise InputError(f"port {args.port} is not a port number", hint="give a port from 1 to 65535, e.g. --port 8000")
        policies = load_policies(args.paths, args.source)
    except PolicyError as exc:
        report(exc)
        return 2
    import uvicorn
    from racepolicy.web.app import create_app

    problem = _cannot_bind(args.host, args.port)
    if problem:
        report(InputError(f"cannot serve on {args.host}:{args.port}: {problem}", hint="choose another --port, or stop what uses it"))
        return 2

    if args.host not in LOCAL_HOSTS:
        print(f"warning: serving on {args.host}: anyone who can reach this address can read the policies", file=sys.stderr)
    print(f"racepolicy: the jury console is on http://{args.host}:{args.port}/ ({', '.join(sorted(policies.editions))}); Ctrl-C stops it",
          file=sys.stderr)
    try:
        uvicorn.run(create_app(policies), host=args.host, port=args.port, log_level="warning", server_header=False)
    except (OSError, SystemExit):
        # uvicorn logs why and exits; the port was free a moment ago, so another program took it meanwhile.
        report(InputError(f"cannot serve on {args.host}:{args.port}", hint="choose another --port, or stop what uses it"))
        return 2
    return 0


def _cannot_bind(host: str, port: int) -> str:
    """Why the server could not listen on host:port (in use, not an address of this machine), or "" when it can."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        return f"unknown host ({exc})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # As uvicorn does: a port left in TIME_WAIT by a stopped server may be taken again at once.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return exc.strerror or str(exc)
    return ""
