"""ConvSearchEnv: ``fbgym/ConvSearch-v0`` and ``-v1``, conversational search with a user."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from fbgym.envs.base import FamilyEnv
from fbgym.envs.search.generator import CorpusConfig
from fbgym.envs.search.levels import LEVELS, SPLITS
from fbgym.envs.search.loaders import DataFiles
from fbgym.envs.search.task import SearchConfig, SearchTask
from fbgym.envs.search.user import SearchUser, UserTraits
from fbgym.errors import ConfigError


class ConvSearchEnv(FamilyEnv):
    """Conversational search: a user with an ambiguous request and a hidden facet.

    **Mission** — find the passages the user needs. The first request names only the topic
    ("Tell me about X"); which of the topic's facets the user means is hidden. The agent may
    search (BM25 over the collection, with bm25s), ask clarifying questions, and answer with
    document ids; an answer is judged on its first three documents, by nDCG@3 against the
    facet's graded relevance judgements, and succeeds at ``threshold``.

    **Actions** — one command per turn: ``search: <query>`` (the top ``results_shown`` results
    replace the observation; ``-<doc id>`` leaves a document out), ``ask: <clarifying
    question>``, ``answer: <doc ids, best first>``, ``stop``. Anything else is a failed attempt
    whose feedback says what was wrong. Every command, a search included, takes a turn.

    **Observation** — the user's request, then the latest search results.

    **Feedback** — questions are answered in every channel (yes/no and a restatement of the
    need, as in Qulac). On answers: ``verbal`` — which documents are what the user is after,
    which only partly, which not, and what it wants instead (as in ConvSim); ``unary`` —
    "Let's try again."; ``ranked`` — the answers so far ordered by nDCG@3 (``pairwise``: the
    last two) and the shown documents ordered by relevance; ``scalar`` — nDCG@3.
    ``cooperativeness`` sets how much of its need the user reveals at a time; after
    ``patience`` questions and missed answers it leaves (``terminated``; malformed commands
    never reach it and do not count).

    **Rewards** — an answer earns its nDCG@3; searches, questions and ``stop`` earn 0.

    **Termination** — ``terminated`` on success, on ``stop``, or when the user runs out of
    patience; ``truncated`` after ``max_turns`` commands.

    **Info** — ``reset`` gives ``info["problem"]``: the request, topic id, collection name and
    size, cutoff and threshold (and in v1 the level). Each answer's outcome diagnosis (on the
    judge's side) holds ``round``
    (its 1-based answer number), ``ndcg@3``, ``ndcg@10`` and ``recall@10``; a search's holds
    the query and the ids it returned.

    **Registered configurations** — ``fbgym/ConvSearch-v0`` with ``feedback`` in verbal,
    unary, ranked, scalar. The collection is generated (``topics`` topics padded with noise
    to ``passages`` passages, from ``seed``) unless ``corpus_path`` and ``qrels_path`` name
    local files, with ``topics_path`` and/or ``facets_path`` (ClariQ/Qulac-style TSV).
    Collections and indexes are built once per process and configuration.

    ``fbgym/ConvSearch-v1`` (``version=1``, ``max_turns=12``) plays leveled collections
    (:mod:`fbgym.envs.search.levels`, seeded by ``seed``): problem ``i`` is at level
    ``levels[i % len(levels)]`` (default all five), train and test topics are disjoint, and
    the user (:class:`~fbgym.envs.search.aspect_critic.AspectCritic`) tells its need one
    aspect at a time in its own words; meta holds only the document ids its text names, the
    judge's state is in ``Feedback.notes``, and ``user={"patience": n}`` (or a preset's
    patience) sets the user's own count, which takes questions in, not a second count of
    missed answers alone.
    """

    def __init__(
        self,
        feedback: str = "verbal",
        *,
        version: int = 0,
        levels: Sequence[int] | None = None,
        topics: int | None = None,
        passages: int | None = None,
        corpus_path: str | None = None,
        qrels_path: str | None = None,
        topics_path: str | None = None,
        facets_path: str | None = None,
        threshold: float = SearchConfig.threshold,
        results_shown: int = SearchConfig.results_shown,
        patience: int | None = UserTraits.patience,
        cooperativeness: float = UserTraits.cooperativeness,
        pairwise: bool = False,
        max_turns: int = 10,
        split: str = "test",
        seed: int = 0,
        user: str | Mapping[str, Any] | None = None,
        privileged: bool = False,
        render_mode: str | None = None,
    ):
        if version not in (0, 1):
            raise ConfigError(f"version must be 0 or 1, got {version!r}")
        if version == 0 and levels is not None:
            raise ConfigError("levels are a fbgym/ConvSearch-v1 setting (version=1)")
        if version == 1 and (topics, passages) != (None, None):
            raise ConfigError(
                "topics and passages size a fbgym/ConvSearch-v0 collection; "
                "v1 collections are sized by their levels"
            )
        data = None
        if corpus_path is not None or qrels_path is not None:
            data = DataFiles(str(corpus_path), str(qrels_path), topics_path, facets_path)
        corpus = CorpusConfig(
            topics=CorpusConfig.topics if topics is None else topics,
            passages=CorpusConfig.passages if passages is None else passages,
            seed=seed,
        )
        if version == 1:
            user, patience = _patience_of(user, patience)
            if data is None:
                levels = tuple(LEVELS) if levels is None else tuple(levels)
                if not levels:
                    raise ConfigError(f"levels must name at least one of {sorted(LEVELS)}")
                if split not in SPLITS:
                    raise ConfigError(f"unknown split {split!r}; v1 has the splits {SPLITS}")
        config = SearchConfig(
            corpus=corpus,
            data=data,
            threshold=threshold,
            results_shown=results_shown,
            levels=tuple(levels or ()),
        )
        traits = UserTraits(patience, cooperativeness)
        super().__init__(
            SearchTask(config),
            SearchUser(feedback, traits, pairwise=pairwise, version=version),
            max_turns=max_turns,
            split=split,
            dataset_seed=seed,
            user=user,
            privileged=privileged,
            render_mode=render_mode,
        )


def _patience_of(
    user: str | Mapping[str, Any] | None, patience: int | None
) -> tuple[Any, int | None]:
    """The user's knobs less ``patience``, and the patience the searcher counts.

    The generic knob counts failed attempts; the v1 searcher counts questions too, so a
    ``patience`` knob (or preset) becomes the searcher's own count rather than a second one.
    Registered users that are not knob presets are left as they are.
    """
    from fbgym.simulators.fidelity import UserConfig
    from fbgym.simulators.presets import PRESETS

    if isinstance(user, str) and user in PRESETS:
        user = {"preset": user}
    if isinstance(user, Mapping):
        user = UserConfig.from_spec(user)
    if not isinstance(user, UserConfig) or user.patience is None:
        return user, patience
    return replace(user, patience=None), user.patience
