"""Small counts are hidden and no hidden cell can be worked out from the published totals
(property-based: random tables)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rarecare.suppression import suppress, with_margins


def _derivable(grid: list[list[int]], hidden: list[list[bool]]) -> list[tuple[int, int]]:
    """Hidden cells whose value follows from the published figures by linear algebra: each
    row's cells sum to its total, each column's to its total."""
    n_rows, n_cols = len(grid), len(grid[0])
    unknowns = [(i, j) for i in range(n_rows) for j in range(n_cols) if hidden[i][j]]
    index = {cell: k for k, cell in enumerate(unknowns)}
    equations = []
    for i in range(n_rows):  # sum of the row's cells minus its total = 0
        cells = [(i, j, 1) for j in range(n_cols - 1)] + [(i, n_cols - 1, -1)]
        equations.append(cells)
    for j in range(n_cols):
        cells = [(i, j, 1) for i in range(n_rows - 1)] + [(n_rows - 1, j, -1)]
        equations.append(cells)
    matrix = np.zeros((len(equations), len(unknowns)))
    for e, cells in enumerate(equations):
        for i, j, sign in cells:
            if (i, j) in index:
                matrix[e, index[(i, j)]] += sign
    rank = np.linalg.matrix_rank(matrix) if unknowns else 0
    out = []
    for cell, k in index.items():
        unit = np.zeros((1, len(unknowns)))
        unit[0, k] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            out.append(cell)
    return out


tables = st.integers(2, 5).flatmap(
    lambda rows: st.integers(2, 5).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(0, 30), min_size=cols, max_size=cols),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_suppressed_cell_can_be_derived_from_the_totals(table: list[list[int]]) -> None:
    grid = with_margins(table)
    hidden = suppress(table)
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            if 1 <= value <= 4:
                assert hidden[i][j], (i, j, grid)
    assert _derivable(grid, hidden) == [], (grid, hidden)


def test_a_lone_small_cell_takes_a_partner_in_its_row_and_column() -> None:
    hidden = suppress([[3, 10, 12], [20, 15, 11]])
    hidden_cells = {(i, j) for i, row in enumerate(hidden) for j, h in enumerate(row) if h}
    assert (0, 0) in hidden_cells and len(hidden_cells) >= 4
