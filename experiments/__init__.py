"""Evergreen's experiments: the ``evergreen`` command, its run pipeline, reports, media, benchmarks and studies."""

from pathlib import Path

#: Where benchmarks and studies keep the results their reports are rebuilt from (in the repository,
#: relative to its root, where they are run; never inside the installed package).
RESULTS = Path("docs/results")
