"""``python -m bench <subcommand> [options]``: the project's benchmarks.

Each subcommand prints one figure per line as ``name value unit``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from bench import digest, ingest, match, rescore, stories

# subcommand -> (entry point taking argv, one-line help); add new benchmarks here
COMMANDS: dict[str, tuple[Callable[[Sequence[str]], int], str]] = {
    "match": (match.main, "matcher throughput against one re alternation of the same terms"),
    "rescore": (rescore.main, "rescoring and re-matching a million stored items on SQLite"),
    "digest": (digest.main, "building and rendering the digest from 60 days of stored history"),
    "ingest": (ingest.main, "polling N served feeds end to end as a process, against the reader library"),
    "stories": (
        stories.main,
        "the story index: memory held and find+add time per item of a 50,000-item poll",
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help") or args[0] not in COMMANDS:
        width = max(len(name) for name in COMMANDS)
        lines = [f"  {name:<{width}}  {help_text}" for name, (_, help_text) in COMMANDS.items()]
        print("usage: python -m bench <subcommand> [--help]\n\nsubcommands:\n" + "\n".join(lines))
        return 0 if args and args[0] in ("-h", "--help") else 2
    entry, _ = COMMANDS[args[0]]
    return entry(args[1:])


if __name__ == "__main__":
    sys.exit(main())
