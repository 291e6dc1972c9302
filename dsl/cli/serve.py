"""`racepolicy serve [PATH ...]`: the jury console in the browser, and its JSON API, on localhost."""

from __future__ import annotations

import argparse
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

    if args.host not in LOCAL_HOSTS:
        print(f"warning: serving on {args.host}: anyone who can reach this address can read the policies", file=sys.stderr)
    print(f"racepolicy: the jury console is on http://{args.host}:{args.port}/ ({', '.join(sorted(policies.editions))}); Ctrl-C stops it",
          file=sys.stderr)
    try:
        uvicorn.run(create_app(policies), host=args.host, port=args.port, log_level="warning", server_header=False)
    except (OSError, SystemExit) as exc:
        report(InputError(f"cannot serve on {args.host}:{args.port}: {exc}", hint="choose another --port, or stop what uses it"))
        return 2
    return 0
