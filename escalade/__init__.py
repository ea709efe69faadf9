"""escalade: Monte Carlo simulation of crisis escalation and alliance commitments.

The stages run one way: scenario file -> validated ``Scenario`` -> ``Compiled`` arrays ->
engine (a pure step over a batch of replicates) -> outcome summaries -> experiments (designs of
cells on common random numbers) -> storage (DuckDB catalogue, Parquet) and reports -> CLI and
the Python API (``escalade.run``, ``compare``, ``sweep``, ``sensitivity``, ``load``, ``report``).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("escalade")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "compare", "load", "report", "resume_result", "run", "sensitivity", "sweep"]
_API = {"compare", "load", "report", "resume_result", "run", "sensitivity", "sweep"}


def __getattr__(name: str) -> object:
    """``escalade.run(...)`` and friends, imported on first use so the CLI starts quickly."""
    if name in _API:
        from escalade import api

        return getattr(api, name)
    raise AttributeError(f"module 'escalade' has no attribute {name!r}")
