"""Ray for a sweep: a local instance on loopback that starts and stops with the command, or a cluster joined by address.

Ray binds a local instance to the machine's network interface by default; with
``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` set before ``ray`` is imported, every process of it
(GCS, raylet, workers) binds to 127.0.0.1 instead, so a sweep on a laptop opens nothing to the
network. The same holds when joining a cluster at a loopback address (a test cluster). A cluster
at another address is joined as it is (``ray start`` chose its addresses).

An unreachable address is refused before Ray is asked (Ray itself retries a dead address for
minutes): :class:`SweepError`, naming the address and how to start a cluster.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import socket
from collections.abc import Iterator
from typing import Any

from experiments.pipeline.config import ConfigError

#: The environment of a loopback-only Ray: set before ``ray`` is imported (read at import). Usage
#: statistics off: Ray would otherwise report them to its servers, and a local sweep talks to no one.
LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
#: The object store of a local instance: a sweep passes configs and small results only (Ray's default is 30% of RAM).
OBJECT_STORE_BYTES = 100 * 1024**2
HOW_TO_START = "start one with `ray start --head` (and `ray start --address HEAD_IP:6379` on the other machines)"


class SweepError(ConfigError):
    """A sweep's bad input (an address, a storage root, a grid, a run folder): one line naming it and the valid choices."""


def host_port(address: str) -> tuple[str, int]:
    """``HOST:PORT`` split; :class:`SweepError` if it is not of that form."""
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise SweepError(f"--address {address!r} is not auto or HOST:PORT (e.g. 192.168.1.10:6379)")
    return host.strip("[]"), int(port)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine's loopback (127.0.0.0/8, ::1 or localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_address(address: str) -> str:
    """``HOST:PORT`` of the cluster to join (``auto``: the cluster ``ray start`` started on this machine)."""
    if address != "auto":
        return address
    from ray._private.services import canonicalize_bootstrap_address  # how ray.init reads "auto"

    try:
        found = canonicalize_bootstrap_address("auto")
    except ConnectionError:
        found = None
    if not found:
        raise SweepError(f"--address auto: no Ray cluster runs on this machine; {HOW_TO_START}, or leave out --address")
    return str(found)


def check_reachable(address: str, timeout: float = 5.0) -> None:
    """Refuse an address whose port does not answer (Ray would retry it for minutes)."""
    host, port = host_port(address)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as error:
        raise SweepError(
            f"cannot reach a Ray cluster at {address} ({error.strerror or error}); {HOW_TO_START}, "
            "or leave out --address for a local instance"
        ) from None


def _loopback_only() -> None:
    """Make every Ray process of this driver bind to 127.0.0.1 (must run before ``ray`` is imported to take effect)."""
    for name, value in LOOPBACK_ENV.items():
        os.environ[name] = value


@contextlib.contextmanager
def connected(address: str | None, jobs: int, env_vars: dict[str, str] | None = None) -> Iterator[Any]:
    """Yield the ``ray`` module connected to a local instance of ``jobs`` CPUs (``address`` None) or to a cluster.

    ``env_vars`` are set in every worker of this driver (its job's runtime environment). The local
    instance is stopped on leaving; a cluster is only disconnected from.
    """
    runtime_env = {"env_vars": env_vars} if env_vars else None
    if address is None:
        _loopback_only()
        import ray

        ray.init(
            address="local",  # a new instance, never a cluster found on the machine or in RAY_ADDRESS
            num_cpus=jobs,
            include_dashboard=False,
            log_to_driver=False,  # each run logs to its own file
            object_store_memory=OBJECT_STORE_BYTES,
            logging_level=logging.WARNING,
            runtime_env=runtime_env,
        )
    else:
        if address != "auto" and is_loopback(host_port(address)[0]):
            _loopback_only()
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # the cluster's own setting (ray start) rules its nodes
        target = resolve_address(address)
        check_reachable(target)
        import ray

        ray.init(address=target, log_to_driver=False, logging_level=logging.WARNING, runtime_env=runtime_env)
    try:
        yield ray
    finally:
        ray.shutdown()
