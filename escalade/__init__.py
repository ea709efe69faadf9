"""escalade: Monte Carlo simulation of crisis escalation and alliance commitments.

The stages run one way: scenario file -> validated ``Scenario`` -> ``Compiled`` arrays ->
engine (a pure step over a batch of replicates) -> outcome summaries -> CLI.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("escalade")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
