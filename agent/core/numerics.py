"""CPU numerics pinned, so that a run's numbers do not depend on the machine that ran it.

torch chooses its vectorized ATen kernels, and MKL its BLAS and LAPACK code paths (the matrix products of
every layer, the QR of orthogonal initialization), from the instruction sets of the processor it runs on.
Results from an AVX-512 path and an AVX2 path differ in the last bits, and PPO turns a last-bit difference
into a different policy within a few updates: the same seed gives a different return matrix on another
machine. Pinning both libraries to their AVX2 paths (``ATEN_CPU_CAPABILITY=avx2``, and MKL's Conditional
Numerical Reproducibility mode ``MKL_CBWR=AVX2``) makes every x86-64 processor with AVX2 compute the same
bits. Both variables are read when torch runs its first kernel, so :func:`pin_cpu_numerics` runs when
:mod:`agent` is imported, before any learner exists. A value the user set already is kept.
"""

from __future__ import annotations

import os

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
