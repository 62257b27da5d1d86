"""The ``fbgym`` command: list envs and suites, run agents on a suite, play an env yourself."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

import fbgym
from fbgym.errors import FbgymError, RunDirError


class RunFolderError(click.ClickException):
    """A run folder cannot be written (exit code 2); the episodes it holds are intact."""

    exit_code = 2


@click.group()
@click.version_option(fbgym.__version__, prog_name="fbgym")
def main() -> None:
    """fbgym: a gym for learning from feedback."""


@main.command()
@click.option("--family", help="Only this family.")
def envs(family: str | None) -> None:
    """List registered environments with their family and channels."""
    rows = fbgym.list_envs(family)
    width = max((len(e.id) for e in rows), default=10)
    for e in rows:
        source = "" if e.source == "fbgym" else f"  [{e.source}]"
        click.echo(
            f"{e.id:<{width}}  {e.family:<8} {','.join(e.channels):<28} {e.description}{source}"
        )
    for err in fbgym.registry.plugin_errors:
        click.secho(
            f"plugin {err.name!r} ({err.value}) failed to load: {err.error}", fg="red", err=True
        )


@main.command()
def suites() -> None:
    """List the named suites."""
    from fbgym.runner import SUITES

    for suite in SUITES.values():
        count = len(suite.specs())
        click.echo(f"{suite.label:<12} {count:>6} episodes  {suite.description}")


@main.command()
@click.option("--suite", "suite_name", default="default", show_default=True, help="Suite to play.")
@click.option(
    "--agent",
    "agent_specs",
    multiple=True,
    default=("feedback-baseline", "blind-baseline"),
    show_default=True,
    help="Agent name or package.module:Class; repeat for several.",
)
@click.option(
    "--agent-arg",
    "agent_args",
    multiple=True,
    metavar="KEY=VALUE",
    help="A keyword argument for the agents' constructors (a JSON value, else text); "
    "repeat for several, e.g. --agent-arg model_name_or_path=Qwen/Qwen2.5-0.5B-Instruct.",
)
@click.option(
    "--executor",
    default="process",
    show_default=True,
    type=click.Choice(["process", "serial", "ray", "batched"]),
    help="How episodes run; batched asks the agent for a batch of actions at once (LLMs).",
)
@click.option(
    "--out",
    default="runs",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Directory for the run directories.",
)
@click.option("--seed", default=0, show_default=True, help="First episode seed.")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar.")
def run(
    suite_name: str,
    agent_specs: tuple[str, ...],
    agent_args: tuple[str, ...],
    executor: str,
    out: str,
    seed: int,
    progress: bool,
) -> None:
    """Evaluate agents on a suite; print SR@1 and SR@K per channel; write the runs.

    Exits with 1 when every episode of an agent failed because the agent raised, and with 2
    when a run folder cannot be written (another run holds it, or the disk is read-only or
    full); the folder keeps every finished episode, and ``fbgym.evaluate`` with the same
    agent and ``run_dir`` resumes it.
    """
    import pandas as pd

    from fbgym.agents import load_agent
    from fbgym.runner import get_suite
    from fbgym.runner.evaluate import STREAM_LENGTH
    from fbgym.runner.metrics import (
        family_summary,
        format_family,
        format_table,
        format_teachability,
        summarize,
        teachability,
    )

    try:
        suite = get_suite(suite_name)
        kwargs = parse_keywords(agent_args)
        agents = [load_agent(spec, **kwargs) for spec in agent_specs]
    except (FbgymError, TypeError) as exc:
        raise click.UsageError(str(exc)) from exc
    stamp = time.strftime("%Y%m%d-%H%M%S")
    frames = []
    for agent in agents:
        run_dir = Path(out) / f"{suite.name}-{agent.name}-{stamp}"
        try:
            df = fbgym.evaluate(
                agent, suite, seed=seed, run_dir=run_dir, executor=executor, progress=progress
            )
        except RunDirError as exc:
            raise RunFolderError(str(exc)) from exc
        click.echo(f"wrote {run_dir}", err=True)
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    click.echo(f"\n{suite.label}: success within 1 and K attempts (95% bootstrap CI)\n")
    click.echo(format_table(summarize(df)))
    click.echo(
        f"\nTurns per episode, first vs second half of each {STREAM_LENGTH}-episode stream\n"
    )
    click.echo(format_teachability(teachability(df)))
    family = family_summary(df)
    if len(family):
        click.echo("\nFamily metrics (mean, 95% bootstrap CI)\n")
        click.echo(format_family(family))
    errors = int(df["error"].notna().sum())
    if errors:
        click.secho(
            f"\n{errors} episode(s) failed because the agent raised; see the run records.",
            fg="yellow",
        )
    for name, episodes in df.groupby("agent", sort=False):
        if episodes["error"].notna().all():
            raise click.ClickException(
                f"every episode of {name} failed because the agent raised; the first error:\n"
                + episodes["error"].iloc[0].rstrip()
            )


@main.command()
@click.argument("env_id")
@click.option("--feedback", default="verbal", show_default=True, help="Feedback channel.")
@click.option("--seed", default=0, show_default=True, help="Which problem (episode seed).")
def play(env_id: str, feedback: str, seed: int) -> None:
    """Play ENV_ID yourself: read the problem, type answers, read the feedback.

    One line is one action; a line holding only three quotes (\"\"\") starts a multi-line
    action that another such line ends. Ctrl-D quits.
    """
    try:
        env = fbgym.make(env_id, feedback=feedback)
    except FbgymError as exc:
        raise click.UsageError(str(exc)) from exc
    obs, info = env.reset(seed=seed)
    click.secho(obs["instruction"], bold=True)
    shown = obs["observation"]
    click.echo(shown)
    while True:
        action = _read_action()
        if action is None:
            click.echo("\nbye")
            return
        obs, reward, terminated, truncated, info = env.step(action)
        if obs["observation"] != shown:
            shown = obs["observation"]
            click.echo(shown)
        click.secho(obs["feedback"] or "(no feedback)", fg="cyan")
        if terminated or truncated:
            verdict = "solved" if info["success"] else "not solved"
            click.secho(f"Episode over after {info['turn']} turn(s): {verdict}.", bold=True)
            return


def parse_keywords(pairs: tuple[str, ...]) -> dict[str, object]:
    """``("a=1", "b=x")`` as ``{"a": 1, "b": "x"}``: JSON values, else text."""
    kwargs: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.isidentifier():
            raise click.UsageError(f"--agent-arg takes KEY=VALUE, got {pair!r}")
        try:
            kwargs[key] = json.loads(value)
        except json.JSONDecodeError:
            kwargs[key] = value
    return kwargs


def _read_action() -> str | None:
    try:
        line = input("> ")
    except EOFError:
        return None
    if line.strip() != '"""':
        return line
    lines = []
    for line in sys.stdin:
        if line.strip() == '"""':
            break
        lines.append(line.rstrip("\n"))
    return "\n".join(lines)


from fbgym.leaderboard.cli import leaderboard  # noqa: E402

main.add_command(leaderboard)

# Serving envs and agents over the network (fbgym.remote).
from fbgym.remote.cli import serve, serve_agent  # noqa: E402

main.add_command(serve)
main.add_command(serve_agent)

# Training data from a run's transcripts (fbgym.integrations.export; needs the train extra).
from fbgym.integrations.export import FORMATS  # noqa: E402


@main.command()
@click.argument("run", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="Dataset kind.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder to write.")
def export(run: str, fmt: str, out: str) -> None:
    """Export RUN's transcripts as a training dataset: a `datasets` folder and a JSONL file.

    sft: accepted attempts in context; dpo: pairs the user ranked and accepted-over-failed
    attempts; kto: every attempt labelled accepted or not; coh: verbal episodes as
    Chain-of-Hindsight sequences; prompts: episode openings. Rows keep env id, channel, seed,
    turn and the simulated user's noise flags.
    """
    from fbgym.integrations.export import export_run

    try:
        dataset = export_run(run, fmt, out)
    except ImportError as exc:
        raise click.UsageError(
            f"fbgym export needs the train extra ({exc.name} is missing): "
            "pip install 'fbgym[train]'"
        ) from exc
    except FbgymError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"wrote {len(dataset)} {fmt} rows to {out}")


@main.command("export-verl")
@click.argument("suite_or_envs", nargs=-1, required=True)
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder to write.")
@click.option("--channel", "channels", multiple=True, help="A channel (repeatable).")
@click.option("--episodes", default=20, show_default=True, help="Seeds per env id and channel.")
@click.option("--seed", default=0, show_default=True, help="First episode seed.")
@click.option("--split", default="train", show_default=True, help="The env split to draw from.")
def export_verl(
    suite_or_envs: tuple[str, ...],
    out: str,
    channels: tuple[str, ...],
    episodes: int,
    seed: int,
    split: str,
) -> None:
    """Write OUT/<split>.parquet for verl from a suite or env ids (episode openings).

    Each row names its episode in extra_info.interaction_kwargs, for the interaction
    fbgym.integrations.verl.FeedbackInteraction.
    """
    from fbgym.integrations.verl import verl_rows, write_parquet

    target = suite_or_envs[0] if len(suite_or_envs) == 1 else list(suite_or_envs)
    try:
        rows = verl_rows(
            target,
            channels=channels or None,
            episodes=episodes,
            seed=seed,
            env_kwargs={"split": split},
            split=split,
        )
        path = write_parquet(Path(out) / f"{split}.parquet", rows)
    except (FbgymError, TypeError, ValueError) as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"wrote {len(rows)} rows to {path}")


if __name__ == "__main__":
    main()
