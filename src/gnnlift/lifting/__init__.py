"""Lossless compression of computation graphs: detect equivalent neurons, execute the quotient."""

from gnnlift.lifting.lift import DETECTORS, SCOPES, LiftConfig, Lifted, lift, statistics

__all__ = ["DETECTORS", "SCOPES", "LiftConfig", "Lifted", "lift", "statistics"]
