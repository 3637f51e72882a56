"""Small numbers never leave the ministry's own views: counts from 1 to 4 are shown as "<5"
(primary suppression) and further cells are hidden (complementary suppression) so that no hidden
cell can be worked out from the published row and column totals.

A table is taken with its margins: an (r+1) × (c+1) grid whose last row and column are the
totals and whose corner is the grand total. A set of hidden cells is safe when every hidden cell
lies on a cycle of hidden cells (alternating along rows and columns of the grid): any hidden
value can then be shifted up and down along the cycle without changing a published figure.
A cell on no cycle — alone in its row or column, or a bridge between two groups — is recoverable
by adding and subtracting totals; the algorithm hides the smallest further cell next to it until
none is left."""

from __future__ import annotations

from collections.abc import Sequence

SMALL = range(1, 5)


def with_margins(table: Sequence[Sequence[int]]) -> list[list[int]]:
    rows = [[*row, sum(row)] for row in table]
    columns = [sum(row[j] for row in rows) for j in range(len(rows[0]))] if rows else [0]
    return [*rows, columns]


def suppress(table: Sequence[Sequence[int]]) -> list[list[bool]]:
    """Which cells of ``table`` with its margins (see :func:`with_margins`) to hide."""
    grid = with_margins(table)
    n_rows, n_cols = len(grid), len(grid[0])
    hidden = [[grid[i][j] in SMALL for j in range(n_cols)] for i in range(n_rows)]
    if grid[-1][-1] in SMALL:  # the grand total itself is small: nothing is shown
        return [[grid[i][j] > 0 for j in range(n_cols)] for i in range(n_rows)]
    hidden[-1][-1] = False
    while True:
        exposed = _exposed(hidden)
        if exposed is None:
            return hidden
        i, j = exposed
        if not _protect(grid, hidden, i, j):
            return [[grid[a][b] > 0 for b in range(n_cols)] for a in range(n_rows)]


def _protect(grid: list[list[int]], hidden: list[list[bool]], i: int, j: int) -> bool:
    """Hide the smallest visible cell in row ``i`` or column ``j`` (the grand total excepted),
    preferring one whose own column or row already has a hidden cell (it closes a cycle)."""
    n_rows, n_cols = len(grid), len(grid[0])
    candidates = [(i, b) for b in range(n_cols) if b != j and not hidden[i][b]]
    candidates += [(a, j) for a in range(n_rows) if a != i and not hidden[a][j]]
    candidates = [(a, b) for a, b in candidates if (a, b) != (n_rows - 1, n_cols - 1)]
    if not candidates:
        return False

    def cost(cell: tuple[int, int]) -> tuple[int, int, int]:
        a, b = cell
        closes = any(hidden[a][y] for y in range(n_cols) if y != b) and any(
            hidden[x][b] for x in range(n_rows) if x != a
        )
        return (0 if closes else 1, 0 if grid[a][b] > 0 else 1, grid[a][b])

    a, b = min(candidates, key=cost)
    hidden[a][b] = True
    return True


def _exposed(hidden: list[list[bool]]) -> tuple[int, int] | None:
    """A hidden cell that lies on no cycle of hidden cells (a bridge of the bipartite graph
    rows–columns whose edges are the hidden cells), or None."""
    edges = [(i, j) for i, row in enumerate(hidden) for j, is_hidden in enumerate(row) if is_hidden]
    for cell in edges:
        if not _on_cycle(edges, cell):
            return cell
    return None


def _on_cycle(edges: list[tuple[int, int]], cell: tuple[int, int]) -> bool:
    """Whether row ``cell[0]`` still reaches column ``cell[1]`` through the other hidden cells."""
    start, goal = ("r", cell[0]), ("c", cell[1])
    neighbours: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for edge in edges:
        if edge == cell:
            continue
        row, col = ("r", edge[0]), ("c", edge[1])
        neighbours.setdefault(row, []).append(col)
        neighbours.setdefault(col, []).append(row)
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt in neighbours.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def shown(value: float | None, is_hidden: bool) -> str:
    """How a count is published."""
    if value is None:
        return ""
    if is_hidden:
        return "<5" if value in SMALL else "x"
    return f"{value:g}"
