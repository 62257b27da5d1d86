"""Progress of a run, one bar per family, so each rate and ETA holds for the episodes it counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from fbgym.runner.episode import EpisodeSpec


class FamilyProgress:
    """A tqdm bar per family: episodes done of its total, its own rate, ETA and success.

    Families' episodes cost very differently (a code episode runs programs in a sandbox, a
    math one checks a number), so one bar over all of them would race through the cheap
    ones and then stall; a bar per family tells the truth about each.
    """

    def __init__(
        self,
        name: str,
        specs: Sequence[EpisodeSpec],
        family_of: dict[str, str],
        done: Iterable[dict[str, Any]],
    ):
        from tqdm import tqdm

        totals = Counter(family_of[s.env_id] for s in specs)
        finished = list(done)
        started = Counter(r["family"] for r in finished)
        self.wins = Counter(r["family"] for r in finished if r["success"])
        self.bars = {
            family: tqdm(
                total=total,
                initial=started[family],
                unit="ep",
                desc=f"{name} {family}",
                position=i,
                leave=True,
                dynamic_ncols=True,
            )
            for i, (family, total) in enumerate(sorted(totals.items()))
        }

    def update(self, summaries: Iterable[dict[str, Any]]) -> None:
        """Count finished episodes (their summaries, as executors hand them back)."""
        for summary in summaries:
            bar = self.bars[summary["family"]]
            self.wins[summary["family"]] += bool(summary["success"])
            bar.update(1)
            bar.set_postfix(success=f"{self.wins[summary['family']] / max(bar.n, 1):.2f}")

    def close(self) -> None:
        """End every bar."""
        for bar in self.bars.values():
            bar.close()
