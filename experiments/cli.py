"""The ``evergreen`` command.

Subcommands:

- ``evergreen envs``: the registered environment ids and the default seasons;
- ``evergreen season NAME``: a season's full spec as YAML (a starting point for your own);
- ``evergreen demo``: the scripted gardener through the four seasons, with a video.

Training, rendering and comparison subcommands arrive with the learners.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="evergreen",
    help="Evergreen: continual reinforcement learning for a garden-watering robot that lives through the seasons.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str) -> None:
    """Print one line naming a user error and exit with status 2 (no traceback)."""
    typer.echo(f"evergreen: error: {message}", err=True)
    raise typer.Exit(code=2)


@app.command("envs")
def list_envs() -> None:
    """List the registered environment ids and the default seasons."""
    import gymnasium as gym

    import envs

    typer.echo("Registered environments:")
    for env_id in envs.ENV_IDS:
        spec = gym.spec(env_id)
        season = spec.kwargs.get("season", "any (season=...)")
        typer.echo(f"  {env_id:28s} season: {season:18s} max_episode_steps: {spec.max_episode_steps}")
    typer.echo("Default seasons:")
    for name, season in envs.default_seasons().items():
        typer.echo(
            f"  {name:8s} index {season.index}  water: {', '.join(season.thirsty_kinds):20s} "
            f"keep dry: {', '.join(season.dormant_kinds):20s} friction {season.ground_friction:<5} "
            f"wind {season.wind_mean:g}+{season.wind_gust:g} N  day {season.episode_steps} steps"
        )
    typer.echo("Your own seasons: season='path/to/file.yaml' or 'path/to/file.yaml:name' (see `evergreen season spring`).")


@app.command("season")
def show_season(
    name: Annotated[str, typer.Argument(help="a default season name, file.yaml or file.yaml:name")],
) -> None:
    """Print a season's full spec as YAML."""
    from envs.season_spec import resolve_season

    try:
        spec = resolve_season(name)
    except ValueError as error:
        fail(str(error))
    typer.echo(spec.to_yaml(), nl=False)


@app.command("demo")
def demo(
    out_dir: Annotated[Path, typer.Option("--out-dir", help="where the video and the returns go")] = Path("demo_output"),
    episodes: Annotated[int, typer.Option(help="days per season for the returns")] = 5,
    seed: Annotated[int, typer.Option(help="first day's seed")] = 0,
) -> None:
    """Run the scripted gardener through the four default seasons: returns per season and a video."""
    from experiments.demo import run_demo

    if episodes < 1:
        fail(f"--episodes must be >= 1, got {episodes}")
    try:
        run_demo(out_dir, episodes=episodes, seed=seed)
    except OSError as error:  # unwritable or invalid output folder
        fail(f"cannot write to {error.filename or out_dir}: {error.strerror or error}")


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("evergreen: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
