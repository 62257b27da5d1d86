"""``fbgym leaderboard ...``: submit a run, show the rankings, plot them, build the site.

Everything heavy (pandas, matplotlib, SQLite, gymnasium replays) is imported inside the
commands, so ``fbgym --help`` stays fast. Exit codes: 0 done, 1 a rejected submission or a
store that fails its checks, 2 a usage error or a results directory that cannot be written.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from fbgym.errors import FbgymError, SubmissionRejected

RESULTS_ENV = "FBGYM_RESULTS"


class StorageError(click.ClickException):
    """The results directory cannot be read or written (exit code 2)."""

    exit_code = 2


@contextmanager
def _clear_errors(results: Path) -> Iterator[None]:
    """Turn fbgym's errors and the disk's into a short message and an exit code."""
    import sqlite3

    try:
        yield
    except SubmissionRejected as exc:
        raise click.ClickException(f"rejected: {exc}") from exc
    except FbgymError as exc:
        raise click.ClickException(str(exc)) from exc
    except (OSError, sqlite3.Error) as exc:
        where = getattr(exc, "filename", None) or results
        reason = getattr(exc, "strerror", None) or str(exc)
        raise StorageError(f"cannot use {where}: {reason}") from exc


_results_option = click.option(
    "--results",
    default="results",
    show_default=True,
    envvar=RESULTS_ENV,
    type=click.Path(file_okay=False, path_type=Path),
    help=f"The results directory (also ${RESULTS_ENV}).",
)


def _table(results: Path, suite: str | None, family: str | None, channel: str | None):
    from fbgym.leaderboard.index import Index
    from fbgym.leaderboard.store import ResultsStore
    from fbgym.leaderboard.tables import leaderboard

    index = Index(ResultsStore(results))
    table = leaderboard(index.episodes(), suite=suite, family=family, channel=channel)
    return table, index


def _site_data(results: Path):
    from fbgym.leaderboard.index import Index
    from fbgym.leaderboard.site_data import site_data
    from fbgym.leaderboard.store import ResultsStore

    return site_data(Index(ResultsStore(results)))


@click.group()
def leaderboard() -> None:
    """Submit verified runs and rank them: show, plot, and build a static site."""


@leaderboard.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--submitter", required=True, help="Who submits (letters, digits, . _ -).")
@_results_option
@click.option("--agent-version", help="The agent's version, if it has one.")
@click.option("--model", help="The model id the agent is built on.")
@click.option("--revision", help="The model's revision (commit hash or tag).")
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=None,
    help="Largest file accepted, in bytes [default: 64 MiB].",
)
@click.option(
    "--progress/--no-progress",
    default=True,
    help="Show the replay's progress per family on stderr (only when it is a terminal).",
)
def submit(
    path: Path,
    submitter: str,
    results: Path,
    agent_version: str | None,
    model: str | None,
    revision: str | None,
    max_bytes: int | None,
    progress: bool,
) -> None:
    """Verify PATH by replay and add it to the leaderboard.

    PATH is a run directory written by `fbgym run` or `pytest --benchmark`, or the JSON file
    of `pytest --benchmark-json`, whose benchmarks name their run directories.
    """
    from fbgym.leaderboard.limits import SubmissionLimits
    from fbgym.leaderboard.submit import AgentLabel
    from fbgym.leaderboard.submit import submit as submit_path

    label = AgentLabel(version=agent_version, model=model, revision=revision)
    limits = SubmissionLimits(max_bytes=max_bytes) if max_bytes else SubmissionLimits()
    with _clear_errors(results):
        folders = submit_path(
            path,
            submitter=submitter,
            results=results,
            label=label,
            limits=limits,
            progress=progress and sys.stderr.isatty(),
        )
    for folder in folders:
        manifest = json.loads((folder / "submission.json").read_text(encoding="utf-8"))
        click.echo(
            f"accepted ({manifest['status']}): {manifest['agent']['name']} by {submitter}, "
            f"{manifest['episodes']} episodes, stored in {folder}"
        )


@leaderboard.command()
@click.argument("agent")
@click.option("--suite", default="default", show_default=True, help="The suite to play.")
@click.option("--submitter", required=True, help="Who the result is stored under.")
@_results_option
@click.option(
    "--agent-arg",
    "agent_args",
    multiple=True,
    metavar="KEY=VALUE",
    help="A keyword for the agent's constructor (a JSON value, else text); repeatable.",
)
@click.option(
    "--executor",
    type=click.Choice(["process", "serial", "batched"]),
    default="process",
    show_default=True,
)
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Judge processes.")
@click.option("--step-timeout", type=float, default=None, help="Seconds an action may take.")
def evaluate(
    agent: str,
    suite: str,
    submitter: str,
    results: Path,
    agent_args: tuple[str, ...],
    executor: str,
    workers: int | None,
    step_timeout: float | None,
) -> None:
    """Play AGENT (a name, module:Class, or the URL of a served agent) sealed.

    For whoever hosts a leaderboard. The suite's envs get a dataset seed drawn at random for
    this evaluation; the agent plays in a process of its own; the seed is written into the
    run only after its last episode, then the run is verified by replay and stored labelled
    sealed.
    """
    from fbgym.agents import load_agent
    from fbgym.cli import parse_keywords
    from fbgym.leaderboard.sealed import evaluate_sealed

    with _clear_errors(results):
        player = _served(agent) or load_agent(agent, **parse_keywords(agent_args))
        folder = evaluate_sealed(
            player,
            suite,
            submitter=submitter,
            results=results,
            executor=executor,
            workers=workers,
            step_timeout=step_timeout,
            progress=True,
        )
    manifest = json.loads((folder / "submission.json").read_text(encoding="utf-8"))
    click.echo(
        f"sealed ({manifest['status']}): {manifest['agent']['name']} on {suite}, "
        f"{manifest['episodes']} episodes, stored in {folder}"
    )


def _served(agent: str):
    """The agent served at ``agent`` if it is a URL (``fbgym serve-agent``), else ``None``."""
    if not agent.startswith(("http://", "https://", "ws://", "wss://")):
        return None
    from fbgym.remote.agent import RemoteAgent
    from fbgym.runner.player import AgentError

    try:
        return RemoteAgent(agent)
    except AgentError as exc:
        raise click.UsageError(str(exc)) from exc


@leaderboard.command()
@_results_option
@click.option("--suite", help="Only this suite: smoke@1, or smoke for every version.")
@click.option("--family", help="Only this family ('all' for the pooled rows).")
@click.option("--channel", help="Only this channel ('all' for the pooled rows).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv", "json"]),
    default="text",
    show_default=True,
)
def show(
    results: Path, suite: str | None, family: str | None, channel: str | None, fmt: str
) -> None:
    """Print the rankings by suite, family and channel: SR@1, SR@K and the gain, with CIs."""
    from fbgym.leaderboard.text import format_leaderboard

    with _clear_errors(results):
        table, index = _table(results, suite, family, channel)
        if table.empty and (suite or family or channel):
            _no_match(index, suite=suite, family=family, channel=channel)
    if fmt == "text":
        click.echo(format_leaderboard(table))
    elif fmt == "csv":
        click.echo(table.to_csv(index=False), nl=False)
    else:
        click.echo(table.to_json(orient="records", indent=2))


def _no_match(index, **filters: str | None) -> None:
    """Fail with what the filters asked for and what the board holds."""
    from fbgym.leaderboard.tables import leaderboard as rank

    everything = rank(index.episodes())
    if everything.empty:
        return
    asked = " ".join(f"--{name} {value}" for name, value in filters.items() if value)
    held = "; ".join(
        f"{name}: {', '.join(sorted(map(str, everything[name].unique())))}" for name in filters
    )
    raise FilterError(f"no results match {asked}; the board holds {held}")


class FilterError(click.ClickException):
    """A filter of ``leaderboard show`` that matches nothing (exit code 2)."""

    exit_code = 2


@leaderboard.command()
@_results_option
@click.option(
    "--out",
    default="leaderboard-plots",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
)
def plot(results: Path, out: Path) -> None:
    """Plot SR@1 to SR@K and each channel's value per agent, and SR@k curves (PNG and SVG)."""
    from fbgym.leaderboard.plots import write_plots

    with _clear_errors(results):
        data = _site_data(results)
        if data.table.empty:
            raise click.ClickException(f"no submissions in {results}")
        paths = write_plots(data.table, data.summary, out)
    for path in paths:
        click.echo(str(path))


@leaderboard.command()
@_results_option
@click.option(
    "--out",
    default="leaderboard-site",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
)
def site(results: Path, out: Path) -> None:
    """Build the static site: a summary per agent and channel, plots, a page per agent."""
    from fbgym.leaderboard.site import write_site

    with _clear_errors(results):
        page = write_site(_site_data(results), out)
    click.echo(f"wrote {page} (open it in a browser; no server needed)")


@leaderboard.command("rebuild-index")
@_results_option
@click.option(
    "--verify/--no-verify",
    default=False,
    help="Also re-play every stored run (slow); the default checks files and schemas only.",
)
def rebuild_index(results: Path, verify: bool) -> None:
    """Rebuild the SQLite index from the submission folders."""
    from fbgym.leaderboard.index import Index
    from fbgym.leaderboard.replay import replay_all
    from fbgym.leaderboard.store import ResultsStore

    store = ResultsStore(results)
    with _clear_errors(results), store.lock():
        if verify:
            for stored in store:
                report = replay_all(stored.episodes)
                click.echo(f"{stored.path}: {report.replayed} episodes re-played")
        count = Index(store).rebuild()
    click.echo(f"indexed {count} submission(s) from {os.fspath(results)}")
