"""Fail when a module is over the line budget (STYLE.md lesson 11)."""

import sys
from pathlib import Path


def main() -> int:
    """Check every module under the root; return the exit code."""
    root, limit = Path(sys.argv[1]), int(sys.argv[2])
    too_long = [
        (p, n)
        for p in sorted(root.rglob("*.py"))
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > limit
    ]
    for path, n in too_long:
        print(f"{path}: {n} lines (budget {limit})")
    return 1 if too_long else 0


if __name__ == "__main__":
    sys.exit(main())
