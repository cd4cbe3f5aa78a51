"""Compile word lists into prefix-factored (trie) regexes.

Python's ``re`` tries the alternatives of ``(?:alpha|beta|...)`` one after the
other at every position, so a list of a few hundred words costs a few hundred
comparisons per character. Factoring common prefixes (``a(?:lpha|pple)``)
leaves one comparison per character and branch: 4-5x faster on word lists.

A word-bounded list still starts at most letters of a text ("name", "user",
"cc"… start with most letters), and ``re`` tries the trie at each of them.
:func:`word_start_pattern` consumes the character *before* the word instead,
so ``re`` jumps with its character-set scan from one non-letter to the next
and tries the trie only there (3-4x fewer attempts on prose).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["WORD", "trie_pattern", "word_start_pattern"]

#: The group of a :func:`word_start_pattern` match that holds the word.
WORD = "w"

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


def word_start_pattern(words: Iterable[str], before: str) -> str:
    r"""Return a regex source: one character of class ``before``, then one of ``words``.

    Same matches as ``trie_pattern(words, left=L)`` when ``before`` is the
    complement of ``L`` (``[^a-z]`` for ``[a-z]``), with the word in group
    :data:`WORD`, provided the regex runs on ``"\n" + text`` (so a word at
    offset 0 has a character before it; see ``TextView.padded``): offsets in
    the text are then one less. A match consumes the character before its word
    but never the one after it, so consecutive words are all found.

    ``re`` scans fastest for a plain class (``[^a-z]``); a class with a
    Unicode category (``\W``) is slow to test at each character, so give a
    plain superset followed by an exact lookbehind: ``[^a-z](?<=[\W\d_])``.

    Args:
        words: literal strings (see :func:`trie_pattern`).
        before: regex source matching one character (not a letter of a word, and
            ``"\n"``).
    """
    return f"{before}(?P<{WORD}>{trie_pattern(words)})"


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
