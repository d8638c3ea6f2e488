"""The ingest benchmark's peer: the reader library, run as its own process.

``python -m bench._reader_peer DB FEEDS_FILE``: makes a Reader on the SQLite file ``DB`` (created if
missing), adds every feed URL listed in ``FEEDS_FILE`` (one a line; ``exist_ok``), and calls
``update_feeds(workers=8, scheduled=False)`` once: every feed, as ``monitor poll`` does (``scheduled``
defaults to true in reader 3.x, which would skip feeds updated less than an hour ago). Prints one
JSON line: the entry count, the feeds whose last update failed, and the time spent in each step.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) not in (2, 3):
        print("usage: python -m bench._reader_peer DB FEEDS_FILE [WORKERS]", file=sys.stderr)
        return 2
    started = time.perf_counter()
    from reader import make_reader

    imported = time.perf_counter()
    urls = [line.strip() for line in Path(args[1]).read_text(encoding="utf-8").splitlines() if line.strip()]
    reader = make_reader(args[0])
    try:
        for url in urls:
            reader.add_feed(url, exist_ok=True)
        added = time.perf_counter()
        reader.update_feeds(workers=int(args[2]) if len(args) == 3 else 8, scheduled=False)
        updated = time.perf_counter()
        counts = reader.get_entry_counts()
        broken = sum(1 for _ in reader.get_feeds(broken=True))
    finally:
        reader.close()
    print(
        json.dumps(
            {
                "entries": counts.total,
                "feeds": len(urls),
                "broken_feeds": broken,
                "import_s": imported - started,
                "add_s": added - imported,
                "update_s": updated - added,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
