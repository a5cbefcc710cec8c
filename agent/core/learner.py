"""The continual learner interface: a season loop around Stable-Baselines3 PPO.

A run drives a learner season by season::

    learner = make_learner("finetune", seed=0)
    for season in ["spring", "summer", "autumn", "winter"]:
        learner.start_season(season)
        learner.learn(learner.season_timesteps(100_000))
        learner.end_season()
        learner.save(run_dir / season)

Methods differ only in their hooks (``_on_season_start`` / ``_on_season_end``), in the networks
they keep, and, for losses, in the one ``auxiliary_loss`` hook of :class:`ContinualPPO`; the
training loop itself is SB3's. Every learner is told the season (observations end with the
season one-hot; trained season-agnostic, with the one of the season it believes it is in, see
:attr:`ContinualLearner.env_source`) and runs torch on the CPU with one thread by default.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.buffers import RolloutBuffer
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.policies import ActorCriticPolicy
from stable_baselines3.common.vec_env import VecEnv
from torch import nn

from agent.core.accounting import ComputeAccount, count_parameters
from agent.core.checkpoint import (
    LEARNER_FILE,
    MODEL_FILE,
    STATE_FILE,
    CheckpointError,
    capture_rng,
    load_model,
    read_learner_info,
    read_state,
    restore_rng,
    write_checkpoint,
)
from agent.core.continual_ppo import ContinualPPO
from agent.core.ppo_defaults import default_ppo_config, ppo_kwargs
from agent.core.season_envs import (
    DEFAULT_ENV_ID,
    check_env_id,
    close_envs,
    collect_states,
    season_vec_env,
)
from envs.ids import LEGACY_ENV_ID
from envs.season_spec import resolve_season, season_label


class ContinualLearner(ABC):
    """Base class of every continual method: SB3 PPO underneath, a season loop on top.

    :param ppo_config: ``n_envs`` plus ``stable_baselines3.PPO`` keyword arguments
        (default: ``agent/core/ppo.yaml``)
    :param seed: seed of the networks and of the training envs
    :param tensorboard_log: folder for TensorBoard logs (one run per season), or None
    :param torch_threads: torch CPU threads (1: the machine's other core runs the physics)
    :param env_id: the garden env version trained and played on, one of
        :func:`~agent.core.season_envs.season_env_ids` (saved with every checkpoint)

    A method's own hyperparameters (its *options*, e.g. replay's ``beta_policy``) are the extra
    keyword arguments of its ``__init__``; :meth:`default_options` lists them with their defaults,
    and they are saved with every checkpoint.
    """

    #: The name users pass to ``evergreen train --method``.
    method: ClassVar[str]
    #: Whether the method works with ``ppo.use_sde`` (its losses or networks may need SB3's
    #: state-independent Gaussian log-std).
    supports_sde: ClassVar[bool] = True
    #: Options added after checkpoints were first saved, with the value that reproduces how those
    #: older checkpoints were trained (used when a ``learner.json`` does not list the option).
    legacy_options: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        ppo_config: dict[str, Any] | None = None,
        seed: int = 0,
        tensorboard_log: str | Path | None = None,
        torch_threads: int = 1,
        env_id: str = DEFAULT_ENV_ID,
    ) -> None:
        self.env_id = check_env_id(env_id)
        torch.set_num_threads(torch_threads)
        self.ppo_config = ppo_config if ppo_config is not None else default_ppo_config()
        self.n_envs, self._ppo_kwargs = ppo_kwargs(self.ppo_config)
        self.seed = seed
        self.tensorboard_log = str(tensorboard_log) if tensorboard_log is not None else None
        self.model: ContinualPPO | None = None
        self.seasons: list[str] = []
        self.account = ComputeAccount()
        self._untimed_seconds = 0.0
        # The current season's training so far: where ``learn`` started, and what a mid-season
        # checkpoint it resumed from had already done (counted once the season's learn ends).
        self._season_start_timesteps = 0
        self._learn_started = 0.0
        self._resumed_steps = 0
        self._resumed_seconds = 0.0
        # Season-agnostic training: the driver's world gives the training envs, and the states seen end the season.
        self.env_source: Callable[[str], VecEnv] | None = None
        self.seen_states: np.ndarray | None = None

    # ---- Options: a method's own hyperparameters ----
    @classmethod
    def default_options(cls) -> dict[str, Any]:
        """The method's options (``__init__`` keyword arguments beyond the base ones) and their defaults."""
        base = set(inspect.signature(ContinualLearner.__init__).parameters)
        return {
            name: parameter.default
            for name, parameter in inspect.signature(cls.__init__).parameters.items()
            if name not in base and parameter.kind is inspect.Parameter.KEYWORD_ONLY
        }

    def options(self) -> dict[str, Any]:
        """This learner's option values (each option is stored as the attribute of its name)."""
        return {name: getattr(self, name) for name in self.default_options()}

    def season_work(self, env_steps: int = 0) -> contextlib.AbstractContextManager[None]:
        """Count a block of method work outside ``learn`` (collecting a memory) as training compute."""
        return self.account.work(env_steps)

    # ---- The season loop ----
    @property
    def season(self) -> str:
        """The season being learned (the last one started)."""
        if not self.seasons:
            raise RuntimeError("no season started: call start_season(season) first")
        return self.seasons[-1]

    def start_season(self, season: str) -> None:
        """Begin learning ``season`` (a default name, ``file.yaml`` or ``file.yaml:name``)."""
        resolve_season(season)  # fail early, naming the season, if it does not exist
        self.seasons.append(season)
        self._on_season_start(season)
        self._update_size()
        self._season_start_timesteps = self._require_model().num_timesteps
        self._resumed_steps, self._resumed_seconds = 0, 0.0

    def season_timesteps(self, timesteps: int) -> int:
        """Env steps this method spends on the current season given a per-season budget."""
        return timesteps

    def learn(self, timesteps: int, callback: BaseCallback | list[BaseCallback] | None = None) -> None:
        """Train on the current season for ``timesteps`` env steps (SB3's ``learn``)."""
        model = self._require_model()
        steps_before = model.num_timesteps - self._resumed_steps  # a resumed season counts its steps before the stop
        self._untimed_seconds = 0.0
        self._learn_started = start = time.perf_counter()
        model.learn(
            timesteps,
            callback=callback,
            reset_num_timesteps=False,
            tb_log_name=f"season_{len(self.seasons)}_{season_label(self.season)}",
        )
        self.account.wall_seconds += time.perf_counter() - start - self._untimed_seconds + self._resumed_seconds
        self.account.env_steps += model.num_timesteps - steps_before
        self._resumed_steps, self._resumed_seconds = 0, 0.0

    def season_steps(self) -> int:
        """Env steps trained on the current season so far (a resumed season's steps before the stop included)."""
        return self._require_model().num_timesteps - self._season_start_timesteps

    def season_progress(self) -> dict[str, Any]:
        """The current season's training so far (inside ``learn``): env steps and training wall seconds."""
        seconds = self._resumed_seconds + time.perf_counter() - self._learn_started - self._untimed_seconds
        return {"env_steps": self.season_steps(), "wall_seconds": seconds}

    def count_resumed(self, env_steps: int, wall_seconds: float) -> None:
        """Count what a mid-season checkpoint had trained of the current season when ``learn`` ends."""
        self._resumed_steps, self._resumed_seconds = env_steps, wall_seconds

    def end_season(self, seen_states: np.ndarray | None = None) -> None:
        """Finish the current season (method work such as snapshots happens in the hook).

        ``seen_states``: observations met in the season while training, for season-end work that
        cannot play the season again (season-agnostic training); see :meth:`season_states`.
        """
        self.seen_states = seen_states
        try:
            self._on_season_end(self.season)
        finally:
            self.seen_states = None
        self._update_size()

    def season_states(self, model: BaseAlgorithm, n_states: int, seed: int) -> np.ndarray:
        """``n_states`` states of the season ending visited by ``model``'s stochastic policy: played on ``n_envs`` envs
        seeded from ``seed``, or the latest of :attr:`seen_states` (all of them if fewer) when given."""
        if self.seen_states is not None:
            return np.asarray(self.seen_states[-n_states:], dtype=np.float32)
        return collect_states(model, self.season, n_states, self.n_envs, seed, env_id=self.env_id)

    @contextlib.contextmanager
    def untimed(self) -> Iterator[None]:
        """Exclude a block (an evaluation inside ``learn``) from the training wall time."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self._untimed_seconds += time.perf_counter() - start

    # ---- Acting ----
    def acting_model(self, season: str) -> ContinualPPO:
        """The SB3 model that acts on ``season`` (usable with ``evaluate_policy``)."""
        return self._require_model()

    def can_act(self, season: str) -> bool:
        """Whether the learner has a policy for ``season`` (a progressive network needs its column)."""
        return True

    def predict(self, observation: np.ndarray, season: str, deterministic: bool = True) -> np.ndarray:
        """The action(s) for ``observation`` (which ends with the season one-hot) in ``season``."""
        action, _ = self.acting_model(season).predict(observation, deterministic=deterministic)
        return action

    # ---- Hooks and sizes for subclasses ----
    @abstractmethod
    def _on_season_start(self, season: str) -> None:
        """Prepare the model for ``season`` (a fresh network, or point the current one at it)."""

    def _on_season_end(self, season: str) -> None:  # noqa: B027  (optional hook)
        """Method work at the end of a season (snapshots, memories); nothing by default."""

    def networks(self) -> list[nn.Module]:
        """Every network the learner keeps (counted in the parameter accounting)."""
        return [self._require_model().policy]

    def memory_bytes(self) -> int:
        """Bytes of stored data the learner keeps between seasons (replay memories, Fishers)."""
        return 0

    def method_state(self) -> dict[str, Any]:
        """Method state saved beside the model (tensors, arrays); nothing by default."""
        return {}

    def load_method_state(self, state: dict[str, Any]) -> None:  # noqa: B027  (optional hook)
        """Inverse of :meth:`method_state`."""

    def _save_files(self, directory: Path) -> None:  # noqa: B027  (optional hook)
        """Write method files of their own (a replay memory) into a checkpoint folder."""

    def _load_files(self, directory: Path) -> None:  # noqa: B027  (optional hook)
        """Read what :meth:`_save_files` wrote; raise :class:`CheckpointError` naming a bad file."""

    # ---- Models ----
    def season_env(self, season: str) -> VecEnv:
        """The training vec env of ``season`` here in the sequence (seeded by position), or :attr:`env_source`'s."""
        if self.env_source is not None:
            return self.env_source(season)
        return season_vec_env(season, self.n_envs, self.env_seed(), env_id=self.env_id)

    def env_seed(self) -> int:
        """Seed of the training envs of the current season: differs by position in the sequence."""
        return self.seed + 1000 * len(self.seasons)

    def new_model(
        self,
        env: VecEnv,
        seed: int | None = None,
        policy: str | type[ActorCriticPolicy] = "MlpPolicy",
        policy_kwargs: dict[str, Any] | None = None,
        rollout_buffer_class: type[RolloutBuffer] | None = None,
    ) -> ContinualPPO:
        """A fresh PPO network on ``env`` with this learner's hyperparameters.

        ``policy``, ``policy_kwargs`` (merged over the config's ``policy_kwargs``) and
        ``rollout_buffer_class`` let a method use its own architecture.
        """
        kwargs = copy.deepcopy(self._ppo_kwargs)
        kwargs["policy_kwargs"] = {**kwargs.get("policy_kwargs", {}), **(policy_kwargs or {})}
        if rollout_buffer_class is not None:
            kwargs["rollout_buffer_class"] = rollout_buffer_class
        return ContinualPPO(
            policy,
            env,
            seed=self.seed if seed is None else seed,
            device="cpu",
            verbose=0,
            tensorboard_log=self.tensorboard_log,
            **kwargs,
        )

    def checkpoint_model(self) -> ContinualPPO:
        """The SB3 model saved as the checkpoint's ``model.zip`` (the one that acts)."""
        return self._require_model()

    def load_model(self, path: Path) -> ContinualPPO:
        """Open the checkpoint's SB3 zip (a method may check it against its metadata)."""
        return load_model(path)

    def close(self) -> None:
        """Close the envs the learner's models hold (each holds Bullet worlds)."""
        close_envs(self.model)

    def _replace_model(self, model: ContinualPPO) -> None:
        """Make ``model`` the trained one; close the envs of the one it replaces (each holds Bullet worlds)."""
        old, self.model = self.model, model
        if old is not model:
            close_envs(old)

    def _require_model(self) -> ContinualPPO:
        if self.model is None:
            raise RuntimeError("the learner has no model yet: call start_season(season) first")
        return self.model

    def _update_size(self) -> None:
        self.account.trainable_parameters, self.account.total_parameters = count_parameters(*self.networks())
        self.account.memory_bytes = self.memory_bytes()

    # ---- Checkpoints ----
    def save(self, directory: str | Path) -> None:
        """Write ``model.zip`` (an SB3 zip), ``learner.json`` and ``state.pt`` (method state, RNG states).

        Write into a fresh folder and rename it into place: the run folder does that, so a
        kill never leaves a half-written checkpoint.
        """
        self.write_checkpoint(Path(directory), self.checkpoint_model(), {}, {})

    def write_checkpoint(
        self, directory: Path, model: ContinualPPO, extra_info: dict[str, Any], extra_state: dict[str, Any]
    ) -> None:
        """Write ``model`` with this learner's info (method, seasons, seed, env, options, compute) and state
        (method state, RNG states) into ``directory``, plus ``extra_info`` and ``extra_state`` (a mid-season
        checkpoint adds its optimizer and env RNGs), and the method's own files."""
        info = {"method": self.method, "seasons": self.seasons, "seed": self.seed, "env_id": self.env_id}
        info |= {"options": self.options(), "compute": self.account.to_dict(), **extra_info}
        state = {"method_state": self.method_state(), "rng": capture_rng(), **extra_state}
        write_checkpoint(directory, model, info, state)
        self._save_files(directory)

    def load_checkpoint_state(self, directory: Path, state: dict[str, Any]) -> None:
        """The method state of ``state.pt`` and the method's files; :class:`CheckpointError` naming a bad one."""
        try:
            self.load_method_state(state["method_state"])
        except (KeyError, TypeError, ValueError, RuntimeError) as error:  # another method's state, or damaged
            raise CheckpointError(
                f"corrupted checkpoint file {directory / STATE_FILE}: its method state does not fit a {self.method!r} "
                f"learner ({type(error).__name__}: {error})"
            ) from None
        self._load_files(directory)

    @classmethod
    def load(
        cls,
        directory: str | Path,
        ppo_config: dict[str, Any] | None = None,
        tensorboard_log: str | Path | None = None,
        restore_random_state: bool = True,
    ) -> ContinualLearner:
        """Rebuild a learner of this class saved by :meth:`save` (``agent.load_learner`` picks the class).

        With ``restore_random_state`` the torch, numpy and python RNGs continue exactly where the
        saved run was, so training on from here is bit-identical to a run that never stopped.
        Raises :class:`CheckpointError` naming the file when one is missing or unreadable.
        """
        directory = Path(directory)
        info = read_learner_info(directory)
        if info["method"] != cls.method:
            raise CheckpointError(
                f"checkpoint {directory / LEARNER_FILE} holds a {info['method']!r} learner, not {cls.method!r}"
                " (agent.load_learner opens any method)"
            )
        options = {**cls.legacy_options, **info.get("options", {})}
        unknown = sorted(set(options) - set(cls.default_options()))
        if unknown:
            raise CheckpointError(
                f"corrupted checkpoint file {directory / LEARNER_FILE}: method {cls.method!r} has no option "
                f"{', '.join(unknown)}; its options: {', '.join(cls.default_options()) or 'none'}"
            )
        env_id = info.get("env_id", LEGACY_ENV_ID)  # checkpoints saved before the env id was recorded: v0
        try:
            learner = cls(
                ppo_config=ppo_config, seed=int(info["seed"]), tensorboard_log=tensorboard_log, env_id=env_id, **options
            )
        except (TypeError, ValueError) as error:
            raise CheckpointError(f"corrupted checkpoint file {directory / LEARNER_FILE}: {error}") from None
        learner.seasons = list(info["seasons"])
        learner.account = ComputeAccount.from_dict(info["compute"])
        learner.model = learner.load_model(directory / MODEL_FILE)
        learner.model.tensorboard_log = learner.tensorboard_log
        state = read_state(directory / STATE_FILE)
        learner.load_checkpoint_state(directory, state)
        if restore_random_state:
            restore_rng(state["rng"])
        return learner
