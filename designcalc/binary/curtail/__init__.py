"""Curtailment of any K-look single-arm binary rule (non-stochastic and stochastic), exact."""
