"""The small-count rule, the one place it is applied: the dashboard, the API, the PDF and every
export show a count under ``SMALL`` as ``"<5"`` unless every person counted in it is on a team the
reader works on, and protect its complement.

A breakdown (people by sex, say) whose cells add up to a total that is shown would let anyone
recover a single hidden cell by subtraction: when exactly one cell of a breakdown is hidden, the
next smallest cell is hidden too, shown as ``"*"`` (it is not under five; it is hidden so that the
small one beside it cannot be worked out). Zero is shown: it says nobody, about nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

SMALL = 5
HIDDEN = "<5"
COMPLEMENT = "*"


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


def protect(cells: dict, total: Cell | None = None) -> dict:
    """The cells of one breakdown as they may be shown: small ones as ``"<5"``, and when exactly
    one is hidden (and the total is shown) the smallest other non-zero cell as ``"*"``."""
    out: dict = {key: shown(cell) for key, cell in cells.items()}
    hidden = [key for key, value in out.items() if value == HIDDEN]
    total_shown = total is None or not is_small(total)
    if len(hidden) == 1 and total_shown:
        others = [(cell.n, str(key), key) for key, cell in cells.items() if key not in hidden and cell.n > 0]
        if others:
            out[min(others)[2]] = COMPLEMENT
    return out


def hides(value) -> bool:
    return value in (HIDDEN, COMPLEMENT)


def protect_table(table: dict, columns: tuple) -> dict:
    """A two-way table (rows by, say, district; columns by risk level) as it may be shown: small
    cells as ``"<5"``, and wherever a row or a column would hold a single hidden cell, its smallest
    other non-zero cell as ``"*"``, until no row or column does (sums of rows and columns may be
    known from other figures)."""
    cells = {(row, col): table[row].get(col, ZERO) for row in table for col in columns}
    hidden = {key for key, cell in cells.items() if is_small(cell)}
    complement: set = set()
    lines = [[(row, col) for col in columns] for row in table] + [
        [(row, col) for row in table] for col in columns
    ]
    changed = True
    while changed:
        changed = False
        for line in lines:
            inside = [key for key in line if key in hidden or key in complement]
            if len(inside) != 1:
                continue
            others = [(cells[key].n, str(key), key) for key in line if key not in inside and cells[key].n > 0]
            if others:
                complement.add(min(others)[2])
                changed = True
    return {
        row: {
            col: HIDDEN
            if (row, col) in hidden
            else COMPLEMENT
            if (row, col) in complement
            else cells[(row, col)].n
            for col in columns
        }
        for row in table
    }
