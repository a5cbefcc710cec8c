"""CPU numerics pinned, so that a run's numbers do not depend on the machine that ran it.

torch chooses its vectorized ATen kernels, and MKL its BLAS and LAPACK code paths (the matrix products of
every layer, the QR of orthogonal initialization), from the instruction sets of the processor it runs on.
Results from an AVX-512 path and an AVX2 path differ in the last bits, and PPO turns a last-bit difference
into a different policy within a few updates: the same seed gives a different return matrix on another
machine. Pinning both libraries to their AVX2 paths (``ATEN_CPU_CAPABILITY=avx2``, and MKL's Conditional
Numerical Reproducibility mode ``MKL_CBWR=AVX2``) makes every x86-64 processor with AVX2 compute the same
bits, per processor vendor: an AMD processor computes other last bits than an Intel one under the same
pins (some library of the stack dispatches on the vendor as well as on the instruction sets; which one
is not isolated), so a seed gives one return matrix on Intel machines and another on AMD machines
(:func:`processor_vendor`). Both
variables are read when torch runs its first kernel, so :func:`pin_cpu_numerics` runs when
:mod:`agent` is imported, before any learner exists. A value the user set already is kept.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

PINNED_NUMERICS: dict[str, str] = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2"}


def pin_cpu_numerics() -> dict[str, str]:
    """Set torch's and MKL's CPU code paths to AVX2 unless the environment chose them already.

    Must run before torch runs its first kernel (both libraries read the variables once). Processes that
    train or evaluate (the CLI, a Ray task, the test suite) call it through ``import agent``; a process
    started from one of them inherits the variables.

    :return: the values in effect, e.g. ``{"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2"}``
    """
    for name, value in PINNED_NUMERICS.items():
        os.environ.setdefault(name, value)
    return {name: os.environ[name] for name in PINNED_NUMERICS}


def processor_vendor(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The processor's vendor string, e.g. ``"GenuineIntel"`` or ``"AuthenticAMD"``.

    Pinned numerics give the same bits on processors of one vendor (see the module docstring), so
    results recorded for a bit-exact comparison are kept per vendor.

    :param cpuinfo: where Linux lists the processor (its ``vendor_id`` line is read)
    :return: the ``vendor_id`` of the first processor, or the platform's processor name where there is none
    """
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "vendor_id":
                return value.strip()
    return platform.processor() or platform.machine()
