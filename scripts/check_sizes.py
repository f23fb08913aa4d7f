"""House rule: no module over 400 lines (STYLE.md). Prints offenders, exits 1 if any."""

import sys
from pathlib import Path

LIMIT = 400


def main() -> int:
    """Check every module under src/kuzet."""
    bad = []
    for path in sorted(Path("src/kuzet").rglob("*.py")):
        lines = sum(1 for _ in path.open(encoding="utf-8"))
        if lines > LIMIT:
            bad.append(f"{path}: {lines} lines (limit {LIMIT})")
    print("\n".join(bad) or "all modules within the size limit")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
