"""Linear and integer programs for the suppression, solved by HiGHS (the `highspy` package).

A `Program` is ``lower <= A x <= upper`` with bounds on every variable, built
once and then minimised for as many objectives as its caller needs: the
solver starts each linear solve from the last one's basis, so the minimum and
the maximum of many counts over one set of relations cost little more than
one solve.

`extreme` is what the audit asks of it: the exact minimum of a linear
objective over whole numbers. It first solves the linear relaxation; tables
of sums are usually totally unimodular, so its optimal vertex is usually whole,
and then (checked exactly, in whole numbers, against every row and bound) it
is the integer optimum too: no whole-number point can do better than the
relaxation. Only where the vertex is fractional is the integer program solved.

The chooser's programs are solved as integer programs outright (`solve`),
with options that make the same figures give the same answer on any machine
under any load (a node limit, never a time limit).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np

_SOLVED = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kSolutionLimit,
           highspy.HighsModelStatus.kIterationLimit, highspy.HighsModelStatus.kTimeLimit)
_UNBOUNDED = (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible)
_WHOLE = 1e-6  # a value this close to a whole number is taken to be it, and then checked exactly


class NoSolution(Exception):
    """The solver found no solution (within the options' limits)."""


@dataclass(frozen=True)
class Solution:
    x: np.ndarray  # whole numbers where the program was solved in them (checked), else the solver's values
    objective: float
    whole: bool  # x is a whole-number point satisfying every row and bound exactly


class Program:
    """``row_lo <= A x <= row_hi``, ``col_lo <= x <= col_hi``; A given as (value, row, column) triplets."""

    def __init__(self, col_lo: Sequence[float], col_hi: Sequence[float], data: Sequence[float],
                 rows: Sequence[int], cols: Sequence[int], row_lo: Sequence[float], row_hi: Sequence[float],
                 options: dict | None = None, integer: bool = False):
        self.n = len(col_lo)
        self.col_lo, self.col_hi = np.asarray(col_lo, dtype=float), np.asarray(col_hi, dtype=float)
        self.row_lo, self.row_hi = np.asarray(row_lo, dtype=float), np.asarray(row_hi, dtype=float)
        self.data = np.asarray(data, dtype=float)
        self.rows, self.cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        self.integer = integer
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.n, len(self.row_lo)
        lp.col_cost_ = np.zeros(self.n)
        lp.col_lower_, lp.col_upper_ = self.col_lo, self.col_hi
        lp.row_lower_, lp.row_upper_ = self.row_lo, self.row_hi
        # column-wise, each column's rows in order and repeated entries added up (as SciPy's sparse matrices do)
        order = np.lexsort((self.rows, self.cols))
        keys = self.cols[order] * max(1, lp.num_row_) + self.rows[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        values = np.add.reduceat(self.data[order], np.flatnonzero(first)) if len(keys) else self.data
        index, column = self.rows[order][first], self.cols[order][first]
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = self.n, lp.num_row_
        lp.a_matrix_.start_ = np.searchsorted(column, np.arange(self.n + 1)).astype(np.int32)
        lp.a_matrix_.index_ = index.astype(np.int32)
        lp.a_matrix_.value_ = values
        if integer:
            lp.integrality_ = [highspy.HighsVarType.kInteger] * self.n
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        for key, value in (options or {}).items():
            self.highs.setOptionValue(key, value)
        self.highs.passModel(lp)

    def _run(self, cost: np.ndarray, integer: bool) -> Solution | None:
        """The minimum of ``cost @ x``; None if it is unbounded."""
        h = self.highs
        if integer != self.integer:
            kind = highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
            h.changeColsIntegrality(self.n, np.arange(self.n, dtype=np.int32), np.array([kind] * self.n))
            h.clearSolver()  # a linear solve after an integer one starts afresh, not from the search's last state
            self.integer = integer
        h.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), np.asarray(cost, dtype=float))
        h.run()
        status = h.getModelStatus()
        if status in _UNBOUNDED:
            return None
        info = h.getInfo()
        if status not in _SOLVED or not math.isfinite(info.objective_function_value):
            raise NoSolution(h.modelStatusToString(status))
        x = np.asarray(h.getSolution().col_value)
        near = np.round(x)
        whole = bool(np.all(np.abs(x - near) <= _WHOLE)) and self.satisfied(near)
        return Solution(near if whole else x, info.objective_function_value, whole)

    def satisfied(self, x: np.ndarray) -> bool:
        """Does the whole-number point `x` satisfy every row and bound exactly?"""
        if np.any(x < self.col_lo) or np.any(x > self.col_hi):
            return False
        if not len(self.row_lo):
            return True
        ax = np.bincount(self.rows, weights=self.data * x[self.cols], minlength=len(self.row_lo))
        return bool(np.all(ax >= self.row_lo) and np.all(ax <= self.row_hi))

    def solve(self, cost) -> Solution | None:
        """The integer program's best solution within the options' limits; None if unbounded or none found."""
        try:
            return self._run(np.asarray(cost, dtype=float), True)
        except NoSolution:
            return None

    def extreme(self, cost) -> tuple[int, np.ndarray] | None:
        """The exact minimum of ``cost @ x`` over whole numbers (cost whole too), and a point that has it.

        None if it is unbounded. The linear relaxation first; the integer program only if its vertex is fractional.
        """
        cost = np.asarray(cost, dtype=float)
        try:
            found = self._run(cost, False)
            if found is not None and not found.whole:
                found = self._run(cost, True)
        except NoSolution as exc:  # the true counts satisfy every relation: this would be a bug in the model
            raise AssertionError(f"no solution: {exc}") from None
        if found is None:  # unbounded over the reals, and a whole-number point exists: unbounded over them too
            return None
        if not found.whole:
            raise AssertionError("the integer program's solution is not a whole-number point")
        return round(float(cost @ found.x)), found.x
