"""BM25 retrieval over a collection with bm25s: one index per collection, built once."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN_PLUS
from bm25s.tokenization import Tokenizer

from fbgym.envs.search.collection import Collection

_WORD = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN_PLUS)


def content_words(text: str) -> list[str]:
    """The words of ``text`` as the index sees them: lower-cased, stopwords dropped, in order.

    >>> content_words("What can you find on the Rasme of Nachem?")
    ['find', 'rasme', 'nachem']
    """
    return [w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS]


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the ``k`` highest positive scores, best first, ties broken by row.

    Breaking ties by row keeps rankings independent of how numpy orders equal values.

    >>> top_k(np.array([1.0, 3.0, 0.0, 2.0, 3.0]), 3).tolist()
    [1, 4, 3]
    """
    rows = np.flatnonzero(scores > 0)
    if len(rows) > k > 0:
        kth = np.partition(scores[rows], len(rows) - k)[len(rows) - k]
        rows = rows[scores[rows] >= kth]
    order = np.lexsort((rows, -scores[rows]))
    return rows[order[: max(k, 0)]]


@dataclass(frozen=True)
class Hit:
    """One retrieved document and its BM25 score."""

    doc_id: str
    score: float


class SearchIndex:
    """A bm25s (Lucene-variant BM25) index over a collection's passages.

    Queries and passages go through the same tokenizer (lower-cased words, NLTK's English
    stopwords removed); query words the collection never uses are ignored. bm25s scores every
    passage; the top ``k`` are selected with ties broken by row, so rankings are reproducible.

    >>> from fbgym.envs.search.generator import CorpusConfig, generate_collection
    >>> index = SearchIndex(generate_collection(CorpusConfig()))
    >>> len(index.search("nothing matches this", k=10))
    0
    """

    def __init__(self, collection: Collection, *, k1: float = 1.2, b: float = 0.75):
        self.collection = collection
        self.tokenizer = Tokenizer(stopwords="en_plus")
        tokens = self.tokenizer.tokenize(
            list(collection.texts), update_vocab=True, return_as="tuple", show_progress=False
        )
        self.retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        self.retriever.index(tokens, show_progress=False)
        self._empty = tokens.vocab.get("")
        self._ids = np.array(collection.doc_ids, dtype=object)

    def search(self, query: str, k: int = 10, exclude: Iterable[str] = ()) -> list[Hit]:
        """The ``k`` best-scoring documents for ``query`` that contain at least one query word."""
        stream = self.tokenizer.streaming_tokenize([query], update_vocab="never")
        ids = [i for i in next(iter(stream)) if i != self._empty]
        if not ids or k < 1:
            return []
        mask = None
        excluded = [self.collection.position[d] for d in exclude if d in self.collection.position]
        if excluded:
            mask = np.ones(len(self._ids), dtype=np.float32)
            mask[excluded] = 0.0
        scores = self.retriever.get_scores(ids, weight_mask=mask)
        return [Hit(str(self._ids[r]), float(scores[r])) for r in top_k(scores, k)]
