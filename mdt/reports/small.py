"""The small-count rule, the one place it is applied: the dashboard, the API, the PDF and every
export show a count under ``SMALL`` as ``"<5"`` unless every person counted in it is on a team the
reader works on, and protect its complement.

A breakdown (people by sex, say) whose cells add up to a total that is shown would let anyone
work out a hidden cell by subtraction. So other cells are hidden too, shown as ``"*"``, the
smallest non-zero first, until no ``"<5"`` cell can be pinned to one value by a reader who knows
the total, that each ``"<5"`` is between 1 and 4 and that each ``"*"`` is at least 5 (the rule is
public; a careful reader knows how ``"*"`` cells are chosen). When even hiding every other cell
leaves a ``"<5"`` exact (5 women, 1 man and 1 "other" in a total of 7), the whole breakdown is
withheld: every cell shows ``"*"``. Zero is shown otherwise: it says nobody, about nobody.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

SMALL = 5
HIDDEN = "<5"
COMPLEMENT = "*"
_UNBOUNDED = 10**12


@dataclass(frozen=True)
class Cell:
    """A count, and how many of those counted are on one of the reader's teams."""

    n: int
    team: int = 0

    def __add__(self, other: Cell) -> Cell:
        return Cell(self.n + other.n, self.team + other.team)


ZERO = Cell(0, 0)


def is_small(cell: Cell) -> bool:
    return 0 < cell.n < SMALL and cell.team < cell.n


def shown(cell: Cell) -> int | str:
    """One count on its own (a headline figure)."""
    return HIDDEN if is_small(cell) else cell.n


def hides(value) -> bool:
    return value in (HIDDEN, COMPLEMENT)


def exposed(line: Iterable[tuple[int, int | str]]) -> bool:
    """Whether a reader who knows the sum of a line (its cells' true counts with how each is
    shown) could pin a ``"<5"`` cell of it to a single value."""
    hidden = [(n, value) for n, value in line if hides(value)]
    rest = sum(n for n, _value in hidden)
    lows = [1 if value == HIDDEN else SMALL for _n, value in hidden]
    highs = [SMALL - 1 if value == HIDDEN else _UNBOUNDED for _n, value in hidden]
    low_sum, high_sum = sum(lows), sum(highs)
    for i, (_n, value) in enumerate(hidden):
        if value != HIDDEN:
            continue
        low = max(1, rest - (high_sum - highs[i]))
        high = min(SMALL - 1, rest - (low_sum - lows[i]))
        if high <= low:
            return True
    return False


def _hide_next(keys: Sequence, cells: dict, out: dict) -> bool:
    """Hide the smallest non-zero shown cell among ``keys``; False when there is none."""
    others = [(cells[key].n, str(key), key) for key in keys if not hides(out[key]) and cells[key].n > 0]
    if not others:
        return False
    out[min(others)[2]] = COMPLEMENT
    return True


def _protect_lines(cells: dict, lines: Sequence[Sequence[Hashable]]) -> dict:
    out: dict = {key: shown(cell) for key, cell in cells.items()}
    changed = True
    while changed:
        changed = False
        for line in lines:
            while exposed((cells[key].n, out[key]) for key in line):
                if not _hide_next(line, cells, out):
                    return {key: COMPLEMENT for key in cells}
                changed = True
    return out


def protect(cells: dict, total: Cell | None = None) -> dict:
    """The cells of one breakdown as they may be shown (see the module's rule). The total, when
    given and itself hidden, tells nothing, so nothing more needs hiding."""
    if total is not None and is_small(total):
        return {key: shown(cell) for key, cell in cells.items()}
    return _protect_lines(cells, [list(cells)])


def protect_table(table: dict, columns: tuple) -> dict:
    """A two-way table (rows by, say, district; columns by risk level) as it may be shown: the
    rule of ``protect`` applied to every row and every column until none is exposed (sums of rows
    and columns may be known from other figures)."""
    cells = {(row, col): table[row].get(col, ZERO) for row in table for col in columns}
    lines = [[(row, col) for col in columns] for row in table] + [
        [(row, col) for row in table] for col in columns
    ]
    out = _protect_lines(cells, lines)
    return {row: {col: out[(row, col)] for col in columns} for row in table}
