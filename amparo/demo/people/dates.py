"""Dates and ages: dates of birth that give each age on the run's day, and registration dates."""

from __future__ import annotations

import random
from datetime import date

MAX_AGE = 110


class Calendar:
    """The dates of one run, where ages are counted on ``today``."""

    __slots__ = ("_estimated", "_first", "_registration_floor", "_span", "_today", "today")

    def __init__(self, today: date):
        self.today = today
        self._today = today.toordinal()
        # Date of birth for an age of exactly ``a`` years on ``today``: _first[a] + [0, _span[a]).
        bounds = [shift_years(today, a).toordinal() for a in range(MAX_AGE + 2)]
        self._first = [bounds[a + 1] + 1 for a in range(MAX_AGE + 1)]
        self._span = [bounds[a] - bounds[a + 1] for a in range(MAX_AGE + 1)]
        # Estimated dates of birth are 1 July of the year that keeps the declared age.
        july_passed = (today.month, today.day) >= (7, 1)
        self._estimated = [
            date(today.year - a - (0 if july_passed else 1), 7, 1) for a in range(MAX_AGE + 1)
        ]
        self._registration_floor = self._today - 6 * 365

    def birth_date(self, rng: random.Random, age: int) -> tuple[date, bool]:
        """(date of birth, estimated) of someone ``age`` years old on ``today``.

        Some people from two years old only know their age: their date is estimated.
        """
        if rng.random() < (0.14 if age >= 18 else 0.06) and age >= 2:
            return self._estimated[age], True
        return date.fromordinal(self._first[age] + int(rng.random() * self._span[age])), False

    def registration_date(self, rng: random.Random, youngest_born: date) -> date:
        """A day of the last six years, recent ones likelier, not before ``youngest_born``."""
        floor = max(self._registration_floor, youngest_born.toordinal())
        return date.fromordinal(self._today - int((self._today - floor + 1) * rng.random() ** 1.6))


def shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
