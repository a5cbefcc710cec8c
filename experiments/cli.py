"""The ``evergreen`` command.

Subcommands:

- ``evergreen train``: train a continual method season after season into a run folder (resumable);
- ``evergreen eval DIR``: recompute a run's return matrix from its checkpoints;
- ``evergreen render``: a video (or the live GUI) of a trained policy or the scripted gardener;
- ``evergreen compare DIR...``: continual against retrain-from-scratch, as a report with plots;
- ``evergreen envs``: the registered environment ids and the default seasons;
- ``evergreen season NAME``: a season's full spec as YAML (a starting point for your own);
- ``evergreen demo``: the scripted gardener through the four seasons, with a video.

User errors exit with status 2 and one line on stderr naming the problem and the valid choices.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from typer._click.exceptions import UsageError  # typer vendors click: its usage errors, said in one line

#: The methods ``evergreen train --method`` takes (kept in step with agent.METHODS by a test).
METHOD_NAMES = "finetune, scratch, retrain, replay, ewc, progressive, progressive-random, progress-compress"

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
    from experiments.media.demo import run_demo

    if episodes < 1:
        fail(f"--episodes must be >= 1, got {episodes}")
    try:
        run_demo(out_dir, episodes=episodes, seed=seed)
    except OSError as error:  # unwritable or invalid output folder
        fail(f"cannot write to {error.filename or out_dir}: {error.strerror or error}")


@app.command("train")
def train(
    method: Annotated[str | None, typer.Option(help="continual method: " + METHOD_NAMES)] = None,
    seasons: Annotated[
        list[str] | None, typer.Option(help="the season sequence, e.g. --seasons spring summer autumn winter")
    ] = None,
    steps: Annotated[int | None, typer.Option(help="env steps per season (retrain: k times this at season k)")] = None,
    seed: Annotated[int | None, typer.Option(help="seed of networks and training envs")] = None,
    run_dir: Annotated[Path | None, typer.Option("--run-dir", help="run folder (default runs/METHOD_seedSEED)")] = None,
    config: Annotated[Path | None, typer.Option(help="YAML config (experiments/configs/); options override it")] = None,
    eval_episodes: Annotated[int | None, typer.Option(help="evaluation days per season")] = None,
    eval_every: Annotated[int | None, typer.Option(help="env steps between learning-curve evaluations")] = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", "-o", help="a method option KEY=VALUE, e.g. -o beta_policy=2 (repeatable)"),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="move aside a run folder made with another config")] = False,
    progress: Annotated[bool, typer.Option(help="show progress bars")] = True,
) -> None:
    """Train a method season after season; running it again on the same folder resumes it."""
    from experiments.pipeline.config import read_config_file, resolve_config
    from experiments.pipeline.train import train_run

    overrides = {"method": method, "seasons": seasons, "steps": steps, "seed": seed}
    overrides |= {"eval_episodes": eval_episodes, "eval_every": eval_every}
    with user_errors():
        file_config = read_config_file(config) if config else {}
        if option:
            from_file = file_config.get("method_options") or {}
            if not isinstance(from_file, dict):
                raise ValueError(f"method_options in {config} must be a mapping of the method's options")
            overrides["method_options"] = {**from_file, **parse_options(option)}
        resolved = resolve_config(file_config, overrides)
        folder = run_dir or Path("runs") / f"{resolved['method']}_seed{resolved['seed']}"
        train_run(resolved, folder, force=force, progress=progress)
    print_matrix(folder)
    typer.echo(f"Run folder: {folder} (return_matrix.csv, metrics.json, season checkpoints)")


@app.command("eval")
def evaluate(
    run_dir: Annotated[Path, typer.Argument(help="a run folder of evergreen train")],
    episodes: Annotated[int | None, typer.Option(help="evaluation days per season (default: the run's)")] = None,
) -> None:
    """Recompute a run's return matrix from its saved checkpoints (written to DIR/eval/)."""
    from experiments.pipeline.reevaluate import reevaluate
    from experiments.pipeline.run_folder import MATRIX_NORMALIZED

    if episodes is not None and episodes < 1:
        fail(f"--episodes must be >= 1, got {episodes}")
    with user_errors():
        require_run_dir(run_dir)
        out = reevaluate(run_dir, episodes)
    print_matrix(out)
    typer.echo(f"Wrote {out / MATRIX_NORMALIZED} and the raw matrix and metrics beside it")


@app.command("render")
def render(
    run_dir: Annotated[Path | None, typer.Argument(help="a run folder (omit with --scripted)")] = None,
    season: Annotated[str, typer.Option(help="the season to play")] = "spring",
    checkpoint: Annotated[str, typer.Option(help="final, untrained, or the season after which to take the policy")] = "final",
    out: Annotated[Path | None, typer.Option(help="video file, .mp4 or .gif")] = None,
    episodes: Annotated[int, typer.Option(help="days to play")] = 1,
    scripted: Annotated[bool, typer.Option("--scripted", help="play the scripted gardener instead of a run")] = False,
    gui: Annotated[bool, typer.Option("--gui", help="watch live in the PyBullet GUI (needs a display)")] = False,
) -> None:
    """Play days of a season with a trained policy (or the scripted gardener) into a video or the GUI."""
    from envs.season_spec import resolve_season
    from experiments.media.render import render as render_days

    if episodes < 1:
        fail(f"--episodes must be >= 1, got {episodes}")
    if scripted == (run_dir is not None):
        fail("give a run folder or --scripted (not both, not neither)")
    if out is None and not gui:
        fail("give --out FILE.mp4 (or .gif) or --gui")
    with user_errors():
        resolve_season(season)
        if run_dir is not None:
            require_run_dir(run_dir)
        returns = render_days(season, out, run_dir=run_dir, checkpoint=checkpoint, episodes=episodes, gui=gui)
    typer.echo(f"{season}: returns {', '.join(f'{r:.2f}' for r in returns)}" + (f"; video {out}" if out and not gui else ""))


@app.command("compare")
def compare(
    run_dirs: Annotated[list[Path], typer.Argument(help="run folders (several seeds per method are grouped)")],
    out: Annotated[Path, typer.Option(help="report folder (report.md and PNGs)")] = Path("report"),
) -> None:
    """Compare continual methods against retraining from scratch: report.md, heatmaps, curves, compute."""
    from experiments.report.compare import write_report

    with user_errors():
        report = write_report(run_dirs, out)
    typer.echo(f"Report: {report}")


def parse_options(pairs: list[str]) -> dict[str, object]:
    """``["beta_policy=2", "total_states=null"]`` -> ``{"beta_policy": 2, "total_states": None}`` (YAML values)."""
    import yaml

    options: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--option takes KEY=VALUE, got {pair!r}")
        try:
            options[key.strip()] = yaml.safe_load(value)
        except yaml.YAMLError:
            raise ValueError(f"--option {key}: cannot read the value {value!r}") from None
    return options


def print_matrix(folder: Path) -> None:
    """Print the normalized return matrix of a folder holding ``return_matrix_normalized.csv``."""
    from experiments.pipeline.run_folder import read_matrix

    labels, seasons, matrix = read_matrix(folder, normalized=True)
    typer.echo("Normalized return (0 = random, 1 = scripted gardener); rows: after training through")
    typer.echo(f"{'':12s}" + "".join(f"{season:>10s}" for season in seasons))
    for label, row in zip(labels, matrix, strict=True):
        typer.echo(f"{label:12s}" + "".join(f"{value:10.2f}" for value in row))


def require_run_dir(run_dir: Path) -> None:
    """Raise ValueError unless ``run_dir`` is a run folder of ``evergreen train``."""
    if not (Path(run_dir) / "config.yaml").is_file():
        raise ValueError(f"{run_dir} is not an evergreen run folder (no config.yaml); give a folder made by evergreen train")


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can cause into one line and exit status 2."""
    from agent import CheckpointError

    try:
        yield
    except CheckpointError as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot write or read {error.filename or ''}: {error.strerror or error}".replace("  ", " "))
    except (ValueError, RuntimeError) as error:
        fail(str(error))


def expand_list_options(argv: list[str], options: tuple[str, ...] = ("--seasons",)) -> list[str]:
    """``--seasons a b c`` -> ``--seasons a --seasons b --seasons c`` (click options take one value each).

    Raises ValueError when a list option is followed by no value.
    """
    expanded: list[str] = []
    current: str | None = None
    taken = 0
    for token in [*argv, None]:
        if current is not None and (token is None or token.startswith("-")) and not taken:
            raise ValueError(f"{current} needs at least one value, e.g. {current} spring summer autumn winter")
        if token is None:
            break
        if token in options:
            current, taken = token, 0
        elif current is not None and not token.startswith("-"):
            expanded += [current, token]
            taken += 1
        else:
            current = None
            expanded.append(token)
    return expanded


def main() -> None:
    """Console entry point."""
    try:
        # standalone_mode=False: usage errors come back to us, to be said in one line.
        code = app(args=expand_list_options(sys.argv[1:]), standalone_mode=False)
    except ValueError as error:  # a list option without values
        typer.echo(f"evergreen: error: {error}", err=True)
        sys.exit(2)
    except UsageError as error:
        if error.format_message():  # empty after no_args_is_help printed the help
            command = error.ctx.command_path if error.ctx else "evergreen"
            typer.echo(f"evergreen: error: {error.format_message()} (see `{command} --help`)", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("evergreen: interrupted", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
