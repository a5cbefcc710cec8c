"""The ``evergreen`` command.

Subcommands:

- ``evergreen train``: train a continual method season after season into a run folder (resumable);
- ``evergreen eval DIR``: recompute a run's return matrix from its checkpoints (``--season-agnostic``: not told the season);
- ``evergreen render``: a video (or the live GUI) of a trained policy or the scripted gardener;
- ``evergreen compare DIR...``: continual against retrain-from-scratch, as a report with plots;
- ``evergreen sweep GRID.yaml``: a grid of runs as Ray tasks (local, or a cluster by address), then its report;
- ``evergreen search SPACE.yaml``: a Ray Tune search of PPO's settings on the garden (resumable), then its table;
- ``evergreen envs``: the registered environment ids and the default seasons;
- ``evergreen season NAME``: a season's full spec as YAML (a starting point for your own);
- ``evergreen demo``: the scripted gardener through the four seasons, with a video.

A user error (a bad option or config value, a damaged checkpoint, a path that cannot be read or
written) exits with status 2 and one line on stderr naming the problem and the valid choices;
Ctrl-C exits with status 130 and one line saying how to go on. Any other exception is a bug and
keeps its traceback (status 1). List options take comma-separated values and may be repeated
(``--seasons spring,summer``, see :mod:`experiments.cli_lists`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from experiments.cli_checks import (
    INTERRUPTED,
    check_count,
    check_output_folder,
    check_season,
    fail,
    interrupted,
    parse_options,
    user_errors,
)
from experiments.cli_lists import split_list

app = typer.Typer(
    name="evergreen",
    help="Evergreen: continual reinforcement learning for a garden-watering robot that lives through the seasons.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def evergreen(ctx: typer.Context) -> None:
    """Before a subcommand: for ``train``, ``--method``'s help lists agent.METHODS (agent takes seconds to import)."""
    if ctx.invoked_subcommand == "train":  # train imports agent anyway; `evergreen --help` stays fast
        from agent import METHODS

        group: Any = ctx.command  # click's Group (typer vendors click)
        for param in group.get_command(ctx, "train").params:
            if param.name == "method":
                param.help = f"continual method: {', '.join(METHODS)}"


def list_option(values: list[str] | None) -> list[str] | None:
    """The items of a comma-separated, repeatable option (``None`` when not given); a usage error if malformed."""
    try:
        return split_list(values or None)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


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
    check_season(name)  # exits 2 naming the valid seasons
    from envs.season_spec import resolve_season

    typer.echo(resolve_season(name).to_yaml(), nl=False)


@app.command("demo")
def demo(
    out_dir: Annotated[Path, typer.Option("--out-dir", help="where the video and the returns go")] = Path("demo_output"),
    episodes: Annotated[int, typer.Option(help="days per season for the returns")] = 5,
    seed: Annotated[int, typer.Option(help="first day's seed")] = 0,
) -> None:
    """Run the scripted gardener through the four default seasons: returns per season and a video."""
    if episodes < 1:
        fail(f"--episodes must be >= 1, got {episodes}")
    check_output_folder(out_dir)
    from experiments.media.demo import run_demo

    with user_errors((), out_dir):
        run_demo(out_dir, episodes=episodes, seed=seed)


@app.command("train")
def train(
    method: Annotated[str | None, typer.Option(help="continual method (agent.METHODS)")] = None,
    seasons: Annotated[
        list[str] | None,
        typer.Option(help="the season sequence, comma-separated (or repeated), e.g. spring,summer", callback=list_option),
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
    season_agnostic: Annotated[
        bool | None, typer.Option("--season-agnostic", help="do not tell the learner when seasons change")
    ] = None,
    checkpoint_every: Annotated[
        int | None,
        typer.Option(
            "--checkpoint-every",
            help="env steps between mid-season checkpoints (default: a fifth of the season; 0: none); not part of the config",
        ),
    ] = None,
) -> None:
    """Train a method season after season; running it again on the same folder resumes it."""
    overrides: dict[str, Any] = {"method": method, "seasons": seasons, "steps": steps, "seed": seed}
    overrides |= {"eval_episodes": eval_episodes, "eval_every": eval_every, "season_agnostic": season_agnostic}
    from agent import CheckpointError
    from experiments.pipeline.config import ConfigError, read_config_file, resolve_config
    from experiments.pipeline.train import train_run

    with user_errors((ConfigError, CheckpointError), *[path for path in (run_dir, config) if path is not None]):
        file_config = read_config_file(config) if config else {}
        if option:
            from_file = file_config.get("method_options") or {}
            if not isinstance(from_file, dict):
                raise ConfigError(f"method_options in {config} must be a mapping of the method's options")
            overrides["method_options"] = {**from_file, **parse_options(option)}
        resolved = resolve_config(file_config, overrides)
        folder = run_dir or Path("runs") / f"{resolved['method']}_seed{resolved['seed']}"
        with user_errors((), folder):  # the default run folder is a path the user named too
            train_run(resolved, folder, force=force, progress=progress, checkpoint_every=checkpoint_every)
    print_matrix(folder)
    typer.echo(f"Run folder: {folder} (return_matrix.csv, metrics.json, season checkpoints)")


@app.command("eval")
def evaluate(
    run_dir: Annotated[Path, typer.Argument(help="a run folder of evergreen train")],
    episodes: Annotated[int | None, typer.Option(help="evaluation days per season (default: the run's)")] = None,
    season_agnostic: Annotated[
        bool, typer.Option("--season-agnostic", help="act without the season one-hot (to DIR/eval_agnostic/)")
    ] = False,
    fit_recognizer: Annotated[
        bool, typer.Option("--fit-recognizer", help="with --season-agnostic: fit and save each checkpoint's recognizer")
    ] = False,
) -> None:
    """Recompute a run's return matrix from its saved checkpoints (written to DIR/eval/), told the season or not."""
    if episodes is not None and episodes < 1:
        fail(f"--episodes must be >= 1, got {episodes}")
    if fit_recognizer and not season_agnostic:
        fail("--fit-recognizer fits the recognizers --season-agnostic acts with; give both")
    from agent import CheckpointError
    from experiments.pipeline.agnostic import AGNOSTIC_DIR, check_recognizers, evaluate_agnostic
    from experiments.pipeline.config import ConfigError
    from experiments.pipeline.reevaluate import EVAL_DIR, check_run, reevaluate
    from experiments.pipeline.run_folder import MATRIX_NORMALIZED

    with user_errors((ConfigError, CheckpointError), run_dir):
        check_run(run_dir)  # before any work: a run folder whose checkpoints match its config
        if season_agnostic and not fit_recognizer:
            check_recognizers(run_dir)
        check_output_folder(run_dir / (AGNOSTIC_DIR if season_agnostic else EVAL_DIR))
        out = evaluate_agnostic(run_dir, episodes, fit_recognizer) if season_agnostic else reevaluate(run_dir, episodes)
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
    if episodes < 1:
        fail(f"--episodes must be >= 1, got {episodes}")
    if scripted == (run_dir is not None):
        fail("give a run folder or --scripted (not both, not neither)")
    if out is None and not gui:
        fail("give --out FILE.mp4 (or .gif) or --gui")
    check_season(season)
    from agent import CheckpointError
    from experiments.media.render import check_render
    from experiments.media.render import render as render_days
    from experiments.pipeline.config import ConfigError

    with user_errors((ConfigError, CheckpointError), *[path for path in (run_dir, out) if path is not None]):
        check_render(out, run_dir, checkpoint, gui)  # before any work: the options, the run and its checkpoint
        if out is not None and not gui:
            check_output_folder(out.parent, shown=out)
        returns = render_days(season, out, run_dir=run_dir, checkpoint=checkpoint, episodes=episodes, gui=gui)
    typer.echo(f"{season}: returns {', '.join(f'{r:.2f}' for r in returns)}" + (f"; video {out}" if out and not gui else ""))


@app.command("compare")
def compare(
    run_dirs: Annotated[list[Path], typer.Argument(help="run folders (several seeds per method are grouped)")],
    out: Annotated[Path, typer.Option(help="report folder (report.md and PNGs)")] = Path("report"),
) -> None:
    """Compare continual methods against retraining from scratch: report.md, heatmaps, curves, compute."""
    from experiments.report.compare import group_runs, load_run, write_report

    with user_errors((), out, *run_dirs):
        try:
            group_runs([load_run(path) for path in run_dirs])  # ValueError naming a folder that is not a finished run
        except ValueError as error:
            fail(str(error))
        check_output_folder(out)
        report = write_report(run_dirs, out)
    typer.echo(f"Report: {report}")


@app.command("sweep")
def sweep(
    grid: Annotated[Path, typer.Argument(help="a grid file (experiments/configs/grids/)")],
    address: Annotated[
        str | None, typer.Option(help="join a running Ray cluster: auto or HOST:PORT (default: a local instance)")
    ] = None,
    storage: Annotated[Path | None, typer.Option(help="root of the run folders, seen by every node (default runs/)")] = None,
    jobs: Annotated[int, typer.Option(help="runs at once (0: the machine's cores; with --address, the cluster's)")] = 0,
    retries: Annotated[int, typer.Option(help="times a run is tried again when its worker or node dies")] = 2,
    force: Annotated[bool, typer.Option("--force", help="move aside run folders made with another config")] = False,
    checkpoint_every: Annotated[
        int | None, typer.Option("--checkpoint-every", help="env steps between mid-season checkpoints (0: none)")
    ] = None,
    progress: Annotated[bool, typer.Option(help="show the progress line")] = True,
    archive: Annotated[
        Path | None,
        typer.Option(help="keep each finished run's results (no checkpoints) here; runs archived are not trained again"),
    ] = None,
) -> None:
    """Train a grid of runs (methods × seeds × seasons × options) as Ray tasks, skip finished ones, write the report."""
    check_count("--jobs", jobs)
    check_count("--retries", retries)
    check_count("--checkpoint-every", checkpoint_every, zero="no mid-season checkpoints")
    from agent import CheckpointError
    from experiments.pipeline.config import ConfigError
    from experiments.sweep.archive import archive_hooks
    from experiments.sweep.driver import RunsFailed, check_storage, run_sweep, write_reports
    from experiments.sweep.grid import load_grid

    root = storage or Path("runs")
    with user_errors((ConfigError, CheckpointError), grid, root):
        check_storage(root, create=storage is None)  # the default runs/ is made; a given root must exist
        if archive is not None:
            check_output_folder(archive)
        loaded = load_grid(grid)
        reports = loaded.reports(root)
        for folder in reports:
            check_output_folder(folder)
        skip, on_finished = archive_hooks(loaded.runs, root, archive)  # with an archive, archived runs are done
        try:
            result = run_sweep(
                loaded.runs,
                root,
                address=address,
                jobs=jobs or None,
                retries=retries,
                force=force,
                checkpoint_every=checkpoint_every,
                skip=skip,
                on_finished=on_finished,
                progress=progress,
            )
        except RunsFailed as error:
            typer.echo(f"evergreen: {error}", err=True)
            raise typer.Exit(code=1) from None
        for report in write_reports(reports, archive or root):
            typer.echo(f"Report: {report}")
    kept = len(result.skipped) + len(result.elsewhere)
    typer.echo(f"Trained {len(result.trained)}, already finished {kept}; runs in {root}")


@app.command("search")
def search(
    space_file: Annotated[Path, typer.Argument(help="a search space file (experiments/configs/search/)")],
    address: Annotated[
        str | None, typer.Option(help="join a running Ray cluster: auto or HOST:PORT (default: a local instance)")
    ] = None,
    storage: Annotated[Path, typer.Option(help="root of Ray Tune's experiment folders, seen by every node")] = Path(
        "runs/search"
    ),
    results: Annotated[Path | None, typer.Option(help="where trials.json goes (default: the storage root)")] = None,
    jobs: Annotated[int, typer.Option(help="trials at once (0: the machine's cores)")] = 0,
    retries: Annotated[int, typer.Option(help="times a trial is tried again when its worker or node dies")] = 2,
    confirm: Annotated[int, typer.Option(help="train the K best full-budget settings again on confirm_seeds")] = 0,
) -> None:
    """Search PPO's settings with Ray Tune (Optuna proposes, ASHA stops early); print the best trials."""
    import os

    check_count("--jobs", jobs)
    check_count("--retries", retries)
    check_count("--confirm", confirm)
    from experiments.pipeline.config import ConfigError
    from experiments.search.driver import TrialsFailed
    from experiments.search.run import run_search
    from experiments.search.space import load_space

    results_root = results or storage
    with user_errors((ConfigError,), space_file, storage, results_root):
        space = load_space(space_file)
        check_output_folder(storage)
        check_output_folder(results_root / space.name)
        try:
            for line in run_search(space, storage, results_root, address, jobs or os.cpu_count() or 1, retries, confirm):
                typer.echo(line)
        except TrialsFailed as error:
            typer.echo(f"evergreen: {error}", err=True)
            raise typer.Exit(code=1) from None


def print_matrix(folder: Path) -> None:
    """Print the normalized return matrix of a folder holding ``return_matrix_normalized.csv``."""
    from experiments.pipeline.run_folder import matrix_text

    typer.echo(matrix_text(folder))


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: run the command line (default ``sys.argv[1:]``) and exit with its status."""
    args = list(sys.argv[1:] if argv is None else argv)
    # Exceptions Python cannot raise (in __del__) wait: after Ctrl-C they are noise (objects caught half-built).
    unraisable: list[Any] = []
    previous, sys.unraisablehook = sys.unraisablehook, unraisable.append
    code = 1
    try:
        code = run(args)
    finally:
        sys.unraisablehook = previous
        for report in unraisable if code != 130 else []:
            previous(report)
    if code == 130:  # typer turns Ctrl-C into exit status 130
        command = next((arg for arg in args if not arg.startswith("-")), "")
        typer.echo(f"evergreen: {INTERRUPTED.get(command, 'interrupted')}", err=True)
    sys.exit(code)


def run(args: list[str]) -> int:
    """Run the command line ``args``; its exit status (130 after Ctrl-C). A usage error exits 2 with one line."""
    code: Any
    try:
        # standalone_mode=False: usage errors come back to us, to be said in one line.
        code = app(args=args, prog_name="evergreen", standalone_mode=False)
    except typer.TyperException as error:  # click's errors (typer vendors click): usage errors and the like
        if error.format_message():  # empty after no_args_is_help printed the help
            context = getattr(error, "ctx", None)
            command = context.command_path if context else "evergreen"
            typer.echo(f"evergreen: error: {error.format_message()} (see `{command} --help`)", err=True)
        sys.exit(getattr(error, "exit_code", 2))
    except Exception as error:
        if not interrupted(error):
            raise
        code = 130
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    main()
