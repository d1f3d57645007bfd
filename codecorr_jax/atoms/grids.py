"""Grid atoms: 2-D grids written as list[list[int]], a list of rows.

Generators produce only rectangular grids (at most 5 x 5) or the empty grid []. Other topics'
atoms can still hand a grid atom a ragged list of rows (rows of different lengths, empty rows),
so every grid atom is total on any list[list[int]] and its description says what ragged input
gives.
"""

from __future__ import annotations

import random

from codecorr_jax.atoms.inputs import grid, int_list
from codecorr_jax.atoms.spec import atom


def _gen_grid(rng: random.Random) -> tuple:
    return (grid(rng),)


def _gen_list_and_width(rng: random.Random) -> tuple:
    return (int_list(rng), rng.randint(1, 5))


def _gen_short_list(rng: random.Random) -> tuple:
    return (int_list(rng, lo=-6, hi=6, max_len=5),)


@atom(
    topic="grids",
    description="Return the transpose of grid: row i of the result is column i of grid, so an "
    "r x c grid becomes c x r; [] for an empty grid; if the rows have different lengths, "
    "only as many columns as the shortest row has are used (so an empty row gives []).",
    generate=_gen_grid,
    examples=[
        (([],), []),
        (([[1]],), [[1]]),
        (([[1, 2, 3]],), [[1], [2], [3]]),
        (([[1, 2], [3, 4]],), [[1, 3], [2, 4]]),
        (([[1, 2, 3], [4, 5, 6]],), [[1, 4], [2, 5], [3, 6]]),
        (([[1, 2, 3], [4]],), [[1, 4]]),
        (([[1], []],), []),
    ],
)
def grid_transpose(grid: list[list[int]]) -> list[list[int]]:
    return [list(column) for column in zip(*grid)]


@atom(
    topic="grids",
    description="Return grid rotated a quarter turn clockwise: row i of the result is column i "
    "of grid read from the bottom row up, so an r x c grid becomes c x r; [] for an empty "
    "grid; if the rows have different lengths, only as many columns as the shortest row "
    "has are used (so an empty row gives []).",
    generate=_gen_grid,
    examples=[
        (([],), []),
        (([[5]],), [[5]]),
        (([[1, 2], [3, 4]],), [[3, 1], [4, 2]]),
        (([[1, 2, 3], [4, 5, 6]],), [[4, 1], [5, 2], [6, 3]]),
        (([[1], [2], [3]],), [[3, 2, 1]]),
        (([[1, 2], [3, 4, 5]],), [[3, 1], [4, 2]]),
    ],
)
def grid_rotate_clockwise(grid: list[list[int]]) -> list[list[int]]:
    return [list(column) for column in zip(*grid[::-1])]


@atom(
    topic="grids",
    description="Return the sum of each row of grid, from the top row down, one number per "
    "row (an empty row sums to 0; rows may have different lengths); [] for an empty grid.",
    generate=_gen_grid,
    examples=[
        (([],), []),
        (([[4]],), [4]),
        (([[1, 2], [3, 4]],), [3, 7]),
        (([[-1, 1, 5]],), [5]),
        (([[0], [2], [-3]],), [0, 2, -3]),
        (([[1, 2, 3], [], [4]],), [6, 0, 4]),
    ],
)
def grid_row_sums(grid: list[list[int]]) -> list[int]:
    return [sum(row) for row in grid]


@atom(
    topic="grids",
    description="Return all cells of grid in row-major order: the first row left to right, "
    "then the second row, and so on (rows may have different lengths; empty rows add "
    "nothing); [] for an empty grid.",
    generate=_gen_grid,
    examples=[
        (([],), []),
        (([[1]],), [1]),
        (([[1, 2], [3, 4]],), [1, 2, 3, 4]),
        (([[5], [6]],), [5, 6]),
        (([[1, 2, 3], [4, 5, 6]],), [1, 2, 3, 4, 5, 6]),
        (([[1], [], [2, 3]],), [1, 2, 3]),
    ],
)
def grid_flatten(grid: list[list[int]]) -> list[int]:
    return [value for row in grid for value in row]


@atom(
    topic="grids",
    description="Cut xs into consecutive rows of width elements each (width >= 1), in order, "
    "and pad the last row with zeros on the right if it is short, so the result is a "
    "rectangular grid with width columns; [] for an empty list.",
    generate=_gen_list_and_width,
    examples=[
        (([], 3), []),
        (([1, 2, 3, 4], 2), [[1, 2], [3, 4]]),
        (([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5, 0]]),
        (([7, 8], 1), [[7], [8]]),
        (([1, 2], 4), [[1, 2, 0, 0]]),
        (([9], 1), [[9]]),
    ],
)
def grid_from_list(xs: list[int], width: int) -> list[list[int]]:
    rows = [xs[i : i + width] for i in range(0, len(xs), width)]
    if rows:
        rows[-1] = rows[-1] + [0] * (width - len(rows[-1]))
    return rows


@atom(
    topic="grids",
    description="Return grid[i][i] for each row index i from the top down, skipping any row "
    "that has no column i; for a rectangular grid this is the main diagonal, whose length "
    "is the smaller of the row and column counts; [] for an empty grid.",
    generate=_gen_grid,
    examples=[
        (([],), []),
        (([[7]],), [7]),
        (([[1, 2], [3, 4]],), [1, 4]),
        (([[1, 2, 3], [4, 5, 6]],), [1, 5]),
        (([[1], [2], [3]],), [1]),
        (([[1, 2], [3], [4, 5, 6]],), [1, 6]),
    ],
)
def grid_main_diagonal(grid: list[list[int]]) -> list[int]:
    return [row[i] for i, row in enumerate(grid) if i < len(row)]


@atom(
    topic="grids",
    description="Return the cells of grid in clockwise spiral order: start at the top-left "
    "cell, go right along the top row, down the right column, left along the bottom row, "
    "up the left column, then continue inward the same way until every cell is listed "
    "once; [] for an empty grid; if the rows have different lengths, every row is first "
    "cut to the length of the shortest row (so an empty row gives []).",
    generate=_gen_grid,
    examples=[
        (([],), []),
        (([[1]],), [1]),
        (([[1, 2], [3, 4]],), [1, 2, 4, 3]),
        (([[1, 2, 3], [4, 5, 6], [7, 8, 9]],), [1, 2, 3, 6, 9, 8, 7, 4, 5]),
        (([[1], [2], [3]],), [1, 2, 3]),
        (([[1, 2, 3], [4, 5, 6]],), [1, 2, 3, 6, 5, 4]),
        (([[1, 2, 3], [4, 5], [6, 7, 8]],), [1, 2, 5, 7, 6, 4]),
        (([[1, 2], []],), []),
    ],
)
def grid_spiral_order(grid: list[list[int]]) -> list[int]:
    width = min((len(row) for row in grid), default=0)
    rows = [row[:width] for row in grid]
    out = []
    while rows:
        out.extend(rows.pop(0))
        rows = [list(column) for column in zip(*rows)][::-1]
    return out


@atom(
    topic="grids",
    description="Return the outer product of xs with itself: a square grid with len(xs) rows "
    "and len(xs) columns whose cell in row i and column j is xs[i] * xs[j]; [] for an "
    "empty list.",
    generate=_gen_short_list,
    examples=[
        (([],), []),
        (([3],), [[9]]),
        (([1, 2],), [[1, 2], [2, 4]]),
        (([2, -1, 0],), [[4, -2, 0], [-2, 1, 0], [0, 0, 0]]),
        (([1, 2, 3],), [[1, 2, 3], [2, 4, 6], [3, 6, 9]]),
    ],
)
def grid_outer_product(xs: list[int]) -> list[list[int]]:
    return [[a * b for b in xs] for a in xs]


@atom(
    topic="grids",
    description="Return the sum of the cells on the outer border of grid, each cell counted "
    "once: every cell of the first and last rows, plus the first and last cell of each "
    "row in between (a one-cell row counts its cell once, an empty row adds nothing); a "
    "grid with one row or one column is all border; 0 for an empty grid.",
    generate=_gen_grid,
    examples=[
        (([],), 0),
        (([[5]],), 5),
        (([[1, 2], [3, 4]],), 10),
        (([[1, 2, 3], [4, 5, 6], [7, 8, 9]],), 40),
        (([[1, 1, 1, 1]],), 4),
        (([[2], [3], [-1]],), 4),
        (([[1], [2, 3, 4], [5, 6]],), 18),
    ],
)
def grid_border_sum(grid: list[list[int]]) -> int:
    return sum(
        value
        for i, row in enumerate(grid)
        for j, value in enumerate(row)
        if i in (0, len(grid) - 1) or j in (0, len(row) - 1)
    )


@atom(
    topic="grids",
    description="Return the summed-area table of grid: a grid of the same shape whose cell "
    "(i, j) is the sum of every cell grid[r][c] with r <= i and c <= j; if the rows have "
    "different lengths, the result keeps each row's length and cells missing from shorter "
    "rows add nothing; [] for an empty grid.",
    generate=_gen_grid,
    examples=[
        (([],), []),
        (([[3]],), [[3]]),
        (([[1, 2], [3, 4]],), [[1, 3], [4, 10]]),
        (([[1, 1, 1]],), [[1, 2, 3]]),
        (([[1], [2], [3]],), [[1], [3], [6]]),
        (([[1, 2, 3], [4, 5, 6]],), [[1, 3, 6], [5, 12, 21]]),
        (([[1], [2, 3], []],), [[1], [3, 6], []]),
    ],
)
def grid_summed_area(grid: list[list[int]]) -> list[list[int]]:
    return [
        [sum(sum(r[: j + 1]) for r in grid[: i + 1]) for j in range(len(row))]
        for i, row in enumerate(grid)
    ]
