"""The matching engine: pure Python with numpy, scipy and HiGHS (no web framework, no database).

from resettle.matching.engine import solve
result = solve(problem_dict, time_limit=60.0)
"""

from .problem import ProblemError
from .solver import solve

__all__ = ["ProblemError", "solve"]
