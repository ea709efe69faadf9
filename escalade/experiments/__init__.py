"""Experiments: sweeps over parameters and policies, built on the engine's public API only."""
