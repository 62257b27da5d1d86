"""The ``fbgym`` command: list envs and suites, run agents on a suite, play an env yourself."""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

import click

import fbgym
from fbgym.errors import FbgymError, RunDirError

CHANNELS = ("verbal", "unary", "ranked", "scalar")


class UserError(click.ClickException):
    """A mistake on the command line: one line saying what was wrong, exit code 2."""

    exit_code = 2


class RunFolderError(UserError):
    """A run folder cannot be written (exit code 2); the episodes it holds are intact."""


class _Group(click.Group):
    """A command group that turns fbgym's errors into a short message (``--debug``: traceback)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except (FbgymError, ValueError) as exc:
            if _debugging(ctx):
                raise
            raise UserError(str(exc)) from None
        except Exception as exc:
            if _debugging(ctx):
                raise
            raise click.ClickException(
                f"{type(exc).__name__}: {exc} (fbgym --debug ... shows the traceback)"
            ) from None


def _debugging(ctx: click.Context) -> bool:
    return bool(ctx.find_root().params.get("debug"))


@click.group(cls=_Group)
@click.version_option(fbgym.__version__, prog_name="fbgym")
@click.option(
    "--debug",
    is_flag=True,
    envvar="FBGYM_DEBUG",
    help="Show the traceback of an error (also $FBGYM_DEBUG=1).",
)
def main(debug: bool) -> None:
    """fbgym: a gym for learning from feedback."""


@main.command()
@click.option("--family", help="Only this family.")
def envs(family: str | None) -> None:
    """List registered environments with their family and channels."""
    rows = fbgym.list_envs(family)
    if family and not rows:
        known = sorted({e.family for e in fbgym.list_envs()})
        raise UserError(f"no family {family!r}; known families: {', '.join(known)}")
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
    from fbgym.runner import all_suites

    for suite in all_suites().values():
        count = len(suite.specs())
        click.echo(f"{suite.label:<12} {count:>6} episodes  {suite.description}")


@main.command()
@click.option("--suite", "suite_name", default="default", show_default=True, help="Suite to play.")
@click.option(
    "--env",
    "env_ids",
    multiple=True,
    metavar="ENV_ID",
    help="Play these env ids instead of a suite (repeat for several).",
)
@click.option(
    "--data",
    "data_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Play a data file's problems in its order instead of a suite (GSM8K, MATH, "
    "HumanEval, MBPP, or a plugin's format; .jsonl, .jsonl.gz or .json).",
)
@click.option(
    "--data-format",
    default=None,
    help="With --data: the file's format, when its fields do not tell it.",
)
@click.option(
    "--channel",
    "channels",
    multiple=True,
    type=click.Choice(CHANNELS),
    help="With --env or --data: only these channels (repeatable) [default: each env's "
    "verbal, unary, ranked].",
)
@click.option(
    "--episodes",
    type=click.IntRange(min=1),
    default=None,
    help="With --env: seeds per env and channel [default: 20]; with --data: the first so "
    "many records [default: all].",
)
@click.option(
    "--agent",
    "agent_specs",
    multiple=True,
    default=("feedback-baseline", "blind-baseline"),
    show_default=True,
    help="Agent name or module:Class (modules in the current folder are found); repeatable.",
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
    "--workers", type=click.IntRange(min=1), default=None, help="Judge processes [default: CPUs]."
)
@click.option(
    "--step-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds an agent may take for one action; a slower one fails that episode.",
)
@click.option(
    "--run-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The run folder (with several agents, one sub-folder each); running again with the "
    "same folder resumes it.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue each agent's newest run of this suite under --out instead of a new one.",
)
@click.option(
    "--out",
    default="runs",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where new run folders go (named suite-agent-time).",
)
@click.option("--seed", default=0, show_default=True, help="First episode seed.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show progress per family [default: when stderr is a terminal].",
)
def run(
    suite_name: str,
    env_ids: tuple[str, ...],
    data_path: Path | None,
    data_format: str | None,
    channels: tuple[str, ...],
    episodes: int | None,
    agent_specs: tuple[str, ...],
    agent_args: tuple[str, ...],
    executor: str,
    workers: int | None,
    step_timeout: float | None,
    run_dir: Path | None,
    resume: bool,
    out: Path,
    seed: int,
    progress: bool | None,
) -> None:
    """Evaluate agents on a suite (or --env ids); print the scores per channel; write the runs.

    Prints, per agent, env and channel, SR@1 and SR@K (success within 1 and K attempts) with
    the gain from more attempts, and the value of each channel's feedback over unary.
    Ctrl-C stops at once, keeps every finished episode and prints the command that resumes.
    Exits with 1 when every episode of an agent failed because the agent raised, 2 on a
    usage error or a run folder that cannot be written, 130 when interrupted.
    """
    from fbgym.runner import get_suite
    from fbgym.runner.data import data_suite

    if env_ids and data_path:
        raise UserError("--env and --data each choose what to play; give one")
    if env_ids:
        plan: object = list(env_ids)
        label = "envs"
    elif data_path is not None:
        plan = data_suite(
            data_path,
            data_format=data_format,
            channels=channels or ("verbal", "unary", "ranked"),
            episodes=episodes,
        )
        label = data_path.name.partition(".")[0]
        channels, episodes = (), None  # the suite holds them
    elif channels or episodes:
        raise UserError("--channel and --episodes go with --env or --data; a suite fixes its own")
    else:
        plan = suite = get_suite(suite_name)
        label = suite.name
    if run_dir is not None and resume:
        raise UserError("--run-dir already names the run to resume; drop --resume")
    agents = load_agents(agent_specs, parse_keywords(agent_args))
    check_executor(executor, agents)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    frames = []
    for agent in agents:
        if run_dir is not None:
            folder = run_dir if len(agents) == 1 else run_dir / agent.name
        elif resume:
            folder = newest_run(out, f"{label}-{agent.name}-")
        else:
            folder = out / f"{label}-{agent.name}-{stamp}"
        try:
            df = fbgym.evaluate(
                agent,
                plan,
                channels=channels or None,
                episodes=episodes or 20,
                seed=seed,
                run_dir=folder,
                executor=executor,
                workers=workers,
                step_timeout=step_timeout,
                progress=sys.stderr.isatty() if progress is None else progress,
            )
        except RunDirError as exc:
            raise RunFolderError(str(exc)) from exc
        except KeyboardInterrupt:
            interrupted(folder, run_dir, len(agents))
        click.echo(f"wrote {folder}", err=True)
        frames.append(df)
    report(frames)


def load_agents(specs: tuple[str, ...], kwargs: dict[str, object]) -> list:
    """The agents ``specs`` name; a ``module:Class`` may live in the current folder."""
    from fbgym.agents import load_agent

    if "" not in sys.path and str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    agents = []
    for spec in specs:
        module, sep, attr = spec.partition(":")
        if sep and not (module and attr):
            raise UserError(
                f"--agent {spec!r}: write module:Class, e.g. mypackage.agents:Guesser "
                "(a module in the current folder or installed), or an agent's name"
            )
        try:
            agents.append(load_agent(spec, **kwargs))
        except FbgymError as exc:
            hint = ""
            if isinstance(exc.__cause__, ModuleNotFoundError):
                hint = f" (looked in {Path.cwd()} and the installed packages)"
            raise UserError(f"{exc}{hint}") from None
        except TypeError as exc:
            raise UserError(f"--agent {spec}: {exc}") from None
    return agents


def check_executor(executor: str, agents: list) -> None:
    """That ``executor`` can play ``agents``, before any run folder is written."""
    import importlib.util

    from fbgym.runner.player import batches

    if executor == "ray" and importlib.util.find_spec("ray") is None:
        raise UserError("--executor ray needs Ray: pip install 'fbgym[ray]'")
    if executor == "batched":
        for agent in agents:
            if not batches(agent):
                raise UserError(
                    f"--executor batched needs an agent with act_batch; {agent.name!r} has "
                    "none: use --executor process or serial"
                )


def newest_run(out: Path, prefix: str) -> Path:
    """The newest run folder under ``out`` whose name starts with ``prefix``."""
    found = sorted(p.parent for p in out.glob(f"{prefix}*/meta.json"))
    if not found:
        raise UserError(f"--resume: no run {prefix}<time> under {out} to resume")
    return found[-1]


def interrupted(folder: Path, run_dir: Path | None, agents: int) -> None:
    """Say what an interrupted run kept and how to resume it; exit 130."""
    from fbgym.runner.records import RunDir

    run = RunDir(folder)
    saved = sum(1 for _ in run.episodes())
    total = len(run.read_meta().get("episodes", [])) if run.meta_path.exists() else 0
    args = [a for a in sys.argv[1:] if a != "--resume"]
    if run_dir is None:
        args += ["--run-dir", str(folder)] if agents == 1 else ["--resume"]
    command = " ".join(["fbgym", *(shlex.quote(a) for a in args)])
    click.echo(f"\ninterrupted: {saved} of {total} episodes saved in {folder}", err=True)
    click.echo(f"resume with: {command}", err=True)
    sys.exit(130)


def report(frames: list) -> None:
    """Print the score tables of the runs in ``frames``; exit 1 if an agent only raised."""
    import pandas as pd

    from fbgym.runner.evaluate import STREAM_LENGTH
    from fbgym.runner.metrics import (
        INTERVAL,
        SR_NOTE,
        VALUE_NOTE,
        channel_value,
        family_summary,
        format_channel_value,
        format_family,
        format_table,
        format_teachability,
        summarize,
        teachability,
    )

    df = pd.concat(frames, ignore_index=True)
    click.echo(f"\n{SR_NOTE}\n")
    click.echo(format_table(summarize(df)))
    value = channel_value(df)
    if len(value):
        click.echo(f"\n{VALUE_NOTE}\n")
        click.echo(format_channel_value(value))
    click.echo(
        f"\nTurns per episode, first vs second half of each {STREAM_LENGTH}-episode stream\n"
    )
    click.echo(format_teachability(teachability(df)))
    family = family_summary(df)
    if len(family):
        click.echo(f"\nFamily metrics (mean, {INTERVAL})\n")
        click.echo(format_family(family))
    errors = int(df["error"].notna().sum())
    if errors:
        click.secho(
            f"\n{errors} episode(s) failed because the agent raised; see the run records.",
            fg="yellow",
        )
    for name, episodes in df.groupby("agent", sort=False):
        if episodes["error"].notna().all():
            first = episodes["error"].iloc[0].strip().splitlines()[-1]
            raise click.ClickException(
                f"every episode of {name} failed because the agent raised; the first: {first}"
            )


@main.command()
@click.argument("env_id")
@click.option(
    "--feedback",
    default="verbal",
    show_default=True,
    type=click.Choice(CHANNELS),
    help="Feedback channel.",
)
@click.option("--seed", default=0, show_default=True, help="Which problem (episode seed).")
def play(env_id: str, feedback: str, seed: int) -> None:
    """Play ENV_ID yourself: read the problem, type answers, read the feedback.

    One line is one action. A block of several lines is one action: start it with a line
    holding only three quotes (\"\"\") and end it with another, or paste a fenced block
    (a line starting with three backticks, e.g. ```python, up to the closing ```), which is
    sent whole, fences included. Ctrl-D quits.
    """
    env = fbgym.make(env_id, feedback=feedback)
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
    """One action from the terminal: a line, a \"\"\"-delimited block, or a fenced block."""
    try:
        line = input("> ")
    except EOFError:
        return None
    if line.strip() == '"""':
        return "\n".join(_read_until(lambda text: text.strip() == '"""'))
    if line.lstrip().startswith("```") and line.strip().count("```") == 1:
        body = _read_until(lambda text: text.strip() == "```")
        return "\n".join([line, *body, "```"])
    return line


def _read_until(end) -> list[str]:
    """The lines typed up to one for which ``end`` holds (that line left out), or to Ctrl-D."""
    lines = []
    for line in sys.stdin:
        if end(line):
            break
        lines.append(line.rstrip("\n"))
    return lines


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
