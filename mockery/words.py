"""English word forms that mockery derives names from: an array's item, a path parameter after its collection."""

from __future__ import annotations


def singular(word: str) -> str:
    """``word`` made singular by the two rules that cover API nouns: ``categories`` -> ``category``,
    ``users`` -> ``user``; a word ending in ``ss`` (``address``) or in no ``s`` is returned as it is."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word
