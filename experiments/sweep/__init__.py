"""``evergreen sweep``: grids of seasonal runs as Ray tasks, on a local Ray instance or a cluster joined by address.

- :mod:`experiments.sweep.grid`: the grid file (methods × seeds × season sequences × option sets) and its runs;
- :mod:`experiments.sweep.runs`: a run's identity (folder name, resolved config) and what its folder holds;
- :mod:`experiments.sweep.task`: the Ray task, exactly ``train_run`` into the run's folder;
- :mod:`experiments.sweep.ray_instance`: a local loopback-only Ray instance, or a cluster joined by address;
- :mod:`experiments.sweep.driver`: plan, submit, wait, retry, report;
- :mod:`experiments.sweep.progress`: runs finished, running and failed, and each running run's season.

See ``docs/cluster.md``.
"""
