"""Basket trials: independent Simon or single-stage baskets, and exact borrowing designs
(Fujikawa et al. 2020; power priors), by enumerating every response-count vector."""

from designcalc.binary.basket.design import BasketDesign

__all__ = ["BasketDesign"]
