"""The learner base class, ContinualPPO, checkpoint files, option checks, accounting and PPO defaults."""

# Every import of the agent package passes here before any of its modules imports torch, and torch and
# MKL read their CPU code paths once, at their first kernel (see agent.core.numerics).
from agent.core.numerics import pin_cpu_numerics

pin_cpu_numerics()
