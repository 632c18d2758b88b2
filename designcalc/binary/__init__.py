"""Families on a binary endpoint (response, landmark PFS, toxicity).

* :mod:`~designcalc.binary.single_stage` -- exact single-stage designs (A'Hern), power by n;
* :mod:`~designcalc.binary.binomial` -- confidence intervals for a binomial proportion;
* :mod:`~designcalc.binary.simon` -- Simon two-stage designs, audit, post-trial inference;
* :mod:`~designcalc.binary.multistage` -- K-look rules, Fleming, Sargent, inference;
* :mod:`~designcalc.binary.bayes` -- predictive probability, BOP2, posterior monitoring;
* :mod:`~designcalc.binary.monitor` -- clinfun-style toxicity/futility boundaries, SPRT;
* :mod:`~designcalc.binary.calendar` -- a two-stage rule on a landmark endpoint in calendar time.
"""
