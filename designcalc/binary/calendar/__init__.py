"""A two-stage rule on a landmark endpoint in calendar time (family ``calendar``).

The design and its simulation live in :mod:`~designcalc.binary.calendar.design`, the
registry entry in :mod:`~designcalc.binary.calendar.spec`.
"""
