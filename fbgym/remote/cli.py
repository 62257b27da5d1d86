"""``fbgym serve`` and ``fbgym serve-agent``: envs or an agent over HTTP and WebSocket."""

from __future__ import annotations

import click

from fbgym.errors import FbgymError

_host = click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")


def _port(default: int):
    return click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=default,
        show_default=True,
        help="Port to listen on (0: any free port).",
    )


def _needs_server() -> None:
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise click.UsageError(
            f"serving needs the serve extra ({exc.name} is missing): pip install 'fbgym[serve]'"
        ) from None


@click.command()
@click.argument("env_ids", nargs=-1)
@_host
@_port(8000)
@click.option("--max-sessions", type=click.IntRange(min=1), default=1024, show_default=True)
@click.option(
    "--idle-timeout",
    type=float,
    default=300.0,
    show_default=True,
    help="Seconds without a request after which a session is closed.",
)
@click.option(
    "--max-request-bytes",
    type=click.IntRange(min=1024),
    default=16 * 2**20,
    show_default=True,
    help="Largest request or WebSocket message accepted.",
)
@click.option(
    "--allow-kwarg",
    "allow_kwargs",
    multiple=True,
    metavar="NAME",
    help="Another env kwarg clients may set (besides feedback, pairwise, max_turns, user), "
    "e.g. privileged; repeatable.",
)
def serve(
    env_ids: tuple[str, ...],
    host: str,
    port: int,
    max_sessions: int,
    idle_timeout: float,
    max_request_bytes: int,
    allow_kwargs: tuple[str, ...],
) -> None:
    """Serve ENV_IDS (default: every registered env) to remote trainers and agents.

    Each client gets a session with an env of its own; only the agent's view leaves the
    server. Clients: fbgym.remote.make(URL, ENV_ID, feedback=...), or HTTP and WebSocket
    (GET /envs and /schema describe them).
    """
    _needs_server()
    from fbgym.remote.protocol import DEFAULT_KWARGS
    from fbgym.remote.server import ServeConfig, create_app
    from fbgym.remote.serving import bind, url_of
    from fbgym.remote.serving import serve as run

    try:
        config = ServeConfig(
            envs=env_ids,
            allowed_kwargs=frozenset(DEFAULT_KWARGS) | set(allow_kwargs),
            max_sessions=max_sessions,
            idle_timeout=idle_timeout,
            max_request_bytes=max_request_bytes,
        )
        sock = bind(host, port)
    except FbgymError as exc:
        raise click.UsageError(str(exc)) from exc
    count = len(config.served())
    run(
        create_app(config),
        sock,
        max_message_bytes=max_request_bytes,
        on_ready=lambda: click.echo(f"serving {count} envs at {url_of(sock)}", err=True),
    )


@click.command("serve-agent")
@click.argument("agent")
@click.option(
    "--agent-arg",
    "agent_args",
    multiple=True,
    metavar="KEY=VALUE",
    help="A keyword for the agent's constructor (a JSON value, else text); repeatable.",
)
@_host
@_port(8001)
@click.option("--max-connections", type=click.IntRange(min=1), default=256, show_default=True)
def serve_agent(
    agent: str, agent_args: tuple[str, ...], host: str, port: int, max_connections: int
) -> None:
    """Serve AGENT (a name or module:Class) for runners elsewhere to play.

    `fbgym leaderboard evaluate URL` and fbgym.evaluate(URL, ...) play it; each of their
    connections gets a fresh copy of the agent.
    """
    _needs_server()
    from fbgym.agents import load_agent
    from fbgym.cli import parse_keywords
    from fbgym.remote.agent_server import create_agent_app
    from fbgym.remote.serving import bind, url_of
    from fbgym.remote.serving import serve as run
    from fbgym.runner.player import agent_name

    try:
        player = load_agent(agent, **parse_keywords(agent_args))
        app = create_agent_app(player, max_connections=max_connections)
        sock = bind(host, port)
    except (FbgymError, TypeError) as exc:
        raise click.UsageError(str(exc)) from exc
    run(
        app,
        sock,
        max_message_bytes=64 * 2**20,
        on_ready=lambda: click.echo(
            f"serving agent {agent_name(player)} at {url_of(sock)}", err=True
        ),
    )
