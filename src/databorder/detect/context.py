"""Column-name and nearby-word context, in any language.

Column names are split into lower-case tokens (``billingCardNo`` -> ``billing card no``,
``信用卡号`` stays one token). A header word matches when its tokens occur in order as whole
tokens (``card_number`` matches ``customer_card_number``), or, for words written in CJK
script, as a substring of the name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD_CHARS = r"0-9a-zà-öø-ÿ\u0100-\u024f\u0400-\u04ff\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af"
_SPLIT = re.compile(f"[^{_WORD_CHARS}]+")
_CJK = re.compile(r"[\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]")


@lru_cache(maxsize=4096)
def name_tokens(name: str) -> tuple[str, ...]:
    """Lower-case tokens of a column name or dotted path."""
    spaced = _CAMEL.sub(" ", name)
    return tuple(t for t in _SPLIT.split(spaced.lower()) if t)


@lru_cache(maxsize=8192)
def _word_tokens(word: str) -> tuple[str, ...]:
    return tuple(t for t in re.split(r"[\s_\-.]+", word.lower()) if t)


def name_matches(name: str, words: Iterable[str]) -> str | None:
    """The first of ``words`` found in column ``name``, or None."""
    return _name_matches(name, tuple(words))


@lru_cache(maxsize=1024)
def _compiled(words: tuple[str, ...]) -> tuple[re.Pattern[str] | None, dict[str, str],
                                                tuple[str, ...]]:
    """One regex over the joined name tokens for the Latin-script words; CJK words apart."""
    latin = {" ".join(_word_tokens(w)): w for w in words
             if not _CJK.search(w) and _word_tokens(w)}
    alternatives = "|".join(re.escape(t) for t in sorted(latin, key=len, reverse=True))
    pattern = re.compile(f"(?<![^ ])({alternatives})(?![^ ])") if latin else None
    return pattern, latin, tuple(w for w in words if _CJK.search(w))


@lru_cache(maxsize=65536)
def _name_matches(name: str, words: tuple[str, ...]) -> str | None:
    pattern, latin, cjk = _compiled(words)
    lowered = name.lower()
    for word in cjk:
        if word.lower() in lowered:
            return word
    if pattern is not None:
        found = pattern.search(" ".join(name_tokens(name)))
        if found:
            return latin[found.group(1)]
    return None


def words_near(text: str, start: int, end: int, words: Iterable[str], window: int = 40) -> bool:
    """True when one of ``words`` occurs within ``window`` characters of ``text[start:end]``."""
    around = (text[max(0, start - window):start] + " " + text[end:end + window]).lower()
    return any(w.lower() in around for w in words)
