"""Which of a few texts best matches another: TF-IDF with cosine similarity, in a few lines of Python.

Used to suggest a template for what a customer wrote (the sellers' quick replies for a buyer's
message, review response templates for a review). A seller has tens of templates, not thousands, and
no model or corpus needs downloading. A document is a list of terms (``terms``); a caller weighs a
part of it by repeating it (a template's title and keywords count double).
"""

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

_STOPWORDS = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "hi",
        "hello",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "please",
        "so",
        "that",
        "the",
        "their",
        "them",
        "there",
        "they",
        "this",
        "to",
        "us",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "will",
        "with",
        "would",
        "you",
        "your",
        "thanks",
        "thank",
    )
)
_WORD_RE = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    """A deliberately small stemmer: enough for "shipping"/"shipped"/"ships" to meet "ship"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2]:  # shipp -> ship
        word = word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The words of ``text`` that carry meaning, lower-cased and stemmed."""
    return [_stem(word) for word in _WORD_RE.findall(text.lower()) if word not in _STOPWORDS and len(word) > 1]


def _tfidf(terms: Iterable[str], idf: dict[str, float]) -> dict[str, float]:
    counts = Counter(terms)
    vector = {term: (1 + math.log(count)) * idf.get(term, 0.0) for term, count in counts.items()}
    norm = math.sqrt(sum(weight * weight for weight in vector.values()))
    return {term: weight / norm for term, weight in vector.items()} if norm else {}


def rank_by_similarity(documents: Sequence[Sequence[str]], text: str) -> list[tuple[int, float]]:
    """Every document's index with its cosine similarity to ``text`` in [0, 1], best first; equal
    scores keep the documents' order (a caller lists what should win a tie first)."""
    frequency: Counter[str] = Counter()
    for document in documents:
        frequency.update(set(document))
    total = len(documents)
    idf = {term: math.log((1 + total) / (1 + seen)) + 1 for term, seen in frequency.items()}
    query = _tfidf(terms(text), idf)
    scores = []
    for index, document in enumerate(documents):
        vector = _tfidf(document, idf) if query else {}
        score = sum(weight * vector.get(term, 0.0) for term, weight in query.items())
        scores.append((index, min(score, 1.0)))
    # Rounded for the order only: two documents a float's rounding apart are a tie.
    return sorted(scores, key=lambda pair: (-round(pair[1], 9), pair[0]))
