"""Compile word lists into prefix-factored (trie) regexes.

Python's ``re`` tries the alternatives of ``(?:alpha|beta|...)`` one after the
other at every position, so a list of a few hundred words costs a few hundred
comparisons per character. Factoring common prefixes (``a(?:lpha|pple)``)
leaves one comparison per character and branch: 4-5x faster on word lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["trie_pattern"]

_Node = dict[str, "_Node"]
_END = ""


def trie_pattern(words: Iterable[str], left: str | None = None) -> str:
    """Return a regex source matching exactly ``words`` (longest match tried first).

    Args:
        words: literal strings (escaped here); empty strings are ignored.
        left: a character class (regex source, e.g. ``"[a-z0-9]"``) that must not
            precede a match. It is checked after the first character (a fixed-width
            lookbehind), so the regex still starts with literals, which ``re`` scans
            for quickly, instead of a lookbehind tried at every position.

    Returns:
        A non-capturing regex source; ``(?!)`` (never matches) when there are no words.
    """
    root: _Node = {}
    for word in words:
        if not word:
            continue
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[_END] = {}
    return _emit(root, left) if root else "(?!)"


def _emit(node: _Node, left: str | None = None) -> str:
    guard = f"(?<!{left}(?s:.))" if left else ""
    alts = [
        re.escape(ch) + guard + _emit(child) for ch, child in sorted(node.items()) if ch != _END
    ]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    if _END in node:  # a word ends here and longer ones continue: the rest is optional
        return body + "?" if len(alts) == 1 and len(alts[0]) == 1 else f"(?:{body})?"
    return body
