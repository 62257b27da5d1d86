"""Loaders for local search data: a TREC-style corpus (jsonl), topics, qrels, and facets.

- corpus: one JSON object per line with an id (``_id``, ``id``, ``docid``, ``docno`` or
  ``doc_id``), a text (``text``, ``contents``, ``body`` or ``passage``) and an optional
  ``title`` (BEIR and Pyserini write this); ``.jsonl.gz`` works too.
- topics: ``qid<TAB>text`` lines (MS MARCO), JSON lines with an id and ``text``/``query``/
  ``title`` (BEIR), or TREC SGML (``<top> <num> ... <title> ...``).
- qrels: TREC ``qid iter docid grade`` lines, or BEIR's ``query-id corpus-id score`` TSV.
- facets: a ClariQ- or Qulac-style TSV with a header naming ``topic_id``, ``facet_id``,
  ``facet_desc`` and the request (``initial_request``, or ``topic``), optionally ``question``
  and ``answer``; its qrels are keyed by facet id (ClariQ) or ``<topic>-<facet>`` (Qulac).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from fbgym.envs.datafiles import open_text, read_records
from fbgym.envs.search.collection import Collection, Facet, Topic
from fbgym.envs.search.retrieval import content_words
from fbgym.errors import ConfigError, DataFormatError

_DOC_ID_KEYS = ("_id", "id", "docid", "docno", "doc_id")
_DOC_TEXT_KEYS = ("text", "contents", "body", "passage")
_TOPIC_ID_KEYS = ("_id", "id", "qid", "query_id", "number")
_TOPIC_TEXT_KEYS = ("text", "query", "title")
_TREC_TOPIC = re.compile(r"<top>(.*?)</top>", re.S | re.I)
_TREC_FIELD = re.compile(r"<(num|title)>\s*(?:Number:)?\s*(.*?)\s*(?=<|$)", re.S | re.I)


@dataclass(frozen=True)
class DataFiles:
    """Local files that make a collection; equal values share one loaded collection."""

    corpus: str
    qrels: str
    topics: str | None = None
    """Queries; each becomes a topic with one facet, unless ``facets`` is given."""
    facets: str | None = None
    """A ClariQ/Qulac-style TSV of ambiguous requests, their facets and clarifying questions."""

    def __post_init__(self) -> None:
        if self.topics is None and self.facets is None:
            raise ConfigError("search data needs a topics file or a facets TSV; got neither")
        for name in ("corpus", "qrels", "topics", "facets"):
            path = getattr(self, name)
            if path is not None and not Path(path).is_file():
                raise ConfigError(f"search data: the {name} file {path!r} does not exist")


def _field(record: dict[str, Any], keys: tuple[str, ...], where: str, what: str) -> str:
    for key in keys:
        if record.get(key) is not None:
            return str(record[key])
    raise DataFormatError(
        f"{where}: no {what} field; expected one of {list(keys)}, found {sorted(record)}"
    )


def load_corpus(path: str | Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(ids, texts) of a jsonl corpus; a ``title`` is put before the text."""
    ids: list[str] = []
    texts: list[str] = []
    seen: set[str] = set()
    for number, record in read_records(path):
        where = f"{path}:{number}"
        doc_id = _field(record, _DOC_ID_KEYS, where, "document id")
        if doc_id in seen:
            raise DataFormatError(f"{where}: document id {doc_id!r} appears twice")
        seen.add(doc_id)
        text = _field(record, _DOC_TEXT_KEYS, where, "text")
        title = str(record.get("title") or "").strip()
        ids.append(doc_id)
        texts.append(f"{title}. {text}" if title else text)
    if not ids:
        raise DataFormatError(f"{path}: the corpus holds no documents")
    return tuple(ids), tuple(texts)


def load_topics(path: str | Path) -> dict[str, str]:
    """Topic id -> query text, from a TSV, a jsonl or a TREC SGML topics file."""
    with open_text(path) as handle:
        content = handle.read()
    if _TREC_TOPIC.search(content):
        topics = {}
        for block in _TREC_TOPIC.findall(content):
            fields = {k.lower(): v.strip() for k, v in _TREC_FIELD.findall(block)}
            if "num" not in fields or "title" not in fields:
                raise DataFormatError(f"{path}: a <top> block lacks <num> or <title>")
            topics[fields["num"]] = fields["title"]
        return topics
    if str(path).endswith((".jsonl", ".jsonl.gz", ".json")):
        return {
            _field(r, _TOPIC_ID_KEYS, f"{path}:{n}", "topic id"): _field(
                r, _TOPIC_TEXT_KEYS, f"{path}:{n}", "query text"
            )
            for n, r in read_records(path)
        }
    topics = {}
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            raise DataFormatError(f"{path}:{number}: expected 'qid<TAB>text', got {line[:60]!r}")
        topics[parts[0].strip()] = parts[1].strip()
    return topics


def load_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """Query id -> {doc id: grade} from TREC (4 columns) or BEIR (3 columns) qrels."""
    qrels: dict[str, dict[str, int]] = {}
    with open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) not in (3, 4):
                raise DataFormatError(
                    f"{path}:{number}: expected 'qid iter docid grade' or 'qid docid grade', "
                    f"got {len(parts)} columns"
                )
            qid, doc_id, grade = parts[0], parts[-2], parts[-1]
            try:
                value = int(float(grade))
            except ValueError:
                if number == 1:  # a header, as BEIR writes
                    continue
                raise DataFormatError(f"{path}:{number}: grade {grade!r} is not a number") from None
            qrels.setdefault(qid, {})[doc_id] = value
    return qrels


def _facet_terms(description: str, request: str) -> tuple[str, ...]:
    """Content words of ``description``, the ones the request lacks first, without repeats."""
    words = list(dict.fromkeys(content_words(description)))
    known = set(content_words(request))
    return tuple([w for w in words if w not in known] + [w for w in words if w in known])


def load_facets(path: str | Path, qrels: dict[str, dict[str, int]]) -> list[Topic]:
    """Topics with facets and recorded clarifying questions from a ClariQ/Qulac-style TSV."""
    with open_text(path) as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        header = set(reader.fieldnames or ())
        request_key = "initial_request" if "initial_request" in header else "topic"
        missing = {"topic_id", "facet_id", "facet_desc", request_key} - header
        if missing:
            raise DataFormatError(
                f"{path}: the header lacks {sorted(missing)}; found {sorted(header)}"
            )
        rows = list(enumerate(reader, start=2))
    requests: dict[str, str] = {}
    facets: dict[str, dict[str, dict[str, Any]]] = {}
    for number, row in rows:
        topic_id = (row.get("topic_id") or "").strip()
        facet_id = (row.get("facet_id") or "").strip()
        if not topic_id or not facet_id:
            raise DataFormatError(f"{path}:{number}: empty topic_id or facet_id")
        requests.setdefault(topic_id, (row.get(request_key) or "").strip())
        key = facet_id if facet_id in qrels else f"{topic_id}-{facet_id}"
        entry = facets.setdefault(topic_id, {}).setdefault(
            key, {"desc": (row.get("facet_desc") or "").strip(), "qa": []}
        )
        question = (row.get("question") or "").strip()
        answer = (row.get("answer") or "").strip()
        if question and answer and question.lower() != "nan":
            entry["qa"].append((question, answer))
    topics = []
    for topic_id, request in requests.items():
        topic_facets = tuple(
            Facet(
                id=key,
                topic_id=topic_id,
                description=entry["desc"],
                terms=(terms := _facet_terms(entry["desc"], request)),
                name=terms[0] if terms else "",
                questions=tuple(entry["qa"]),
            )
            for key, entry in facets[topic_id].items()
        )
        topics.append(Topic(topic_id, request, request, topic_facets))
    return topics


@lru_cache(maxsize=4)
def load_collection(files: DataFiles) -> Collection:
    """The collection ``files`` describe (loaded once per process); qrels outside it are dropped."""
    doc_ids, texts = load_corpus(files.corpus)
    known = set(doc_ids)
    qrels = {
        qid: {d: g for d, g in grades.items() if d in known and g > 0}
        for qid, grades in load_qrels(files.qrels).items()
    }
    names = load_topics(files.topics) if files.topics is not None else {}
    if files.facets is not None:
        topics = [
            replace(t, name=names.get(t.id, t.name)) for t in load_facets(files.facets, qrels)
        ]
    else:
        topics = [
            Topic(qid, text, text, (Facet(qid, qid, text, _facet_terms(text, ""), ""),))
            for qid, text in names.items()
        ]
    return Collection(
        name=Path(files.corpus).name.split(".")[0],
        doc_ids=doc_ids,
        texts=texts,
        topics=tuple(topics),
        qrels=qrels,
        meta={"files": repr(files)},
    )
