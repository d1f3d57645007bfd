"""Grid atoms: 2-D grids written as list[list[int]], a list of rows of equal length.

Every grid atom treats the empty grid [] as a grid with no rows; generators produce only
rectangular grids (at most 5 x 5) or [].
"""

from __future__ import annotations

import random

from codecorr_jax.atoms.spec import atom


def _gen_grid(rng: random.Random) -> tuple:
    if rng.random() < 0.06:
        return ([],)
    rows, cols = rng.randint(1, 5), rng.randint(1, 5)
    return ([[rng.randint(-9, 9) for _ in range(cols)] for _ in range(rows)],)


def _gen_list_and_width(rng: random.Random) -> tuple:
    n = rng.choice([0, 1, 2] + list(range(3, 13)))
    return ([rng.randint(-9, 9) for _ in range(n)], rng.randint(1, 5))


def _gen_table_size(rng: random.Random) -> tuple:
    return (rng.randint(0, 6),)


@atom(
    topic="grids",
    description="Return the transpose of the rectangular grid: row i of the result is column i "
    "of grid, so an r x c grid becomes c x r; [] for an empty grid.",
    generate=_gen_grid,
    examples=[
        (([],), []),
        (([[1]],), [[1]]),
        (([[1, 2, 3]],), [[1], [2], [3]]),
        (([[1, 2], [3, 4]],), [[1, 3], [2, 4]]),
        (([[1, 2, 3], [4, 5, 6]],), [[1, 4], [2, 5], [3, 6]]),
    ],
)
def grid_transpose(grid: list[list[int]]) -> list[list[int]]:
    return [list(column) for column in zip(*grid)]


@atom(
    topic="grids",
    description="Return the rectangular grid rotated a quarter turn clockwise: row i of the "
    "result is column i of grid read from the bottom row up, so an r x c grid becomes "
    "c x r; [] for an empty grid.",
    generate=_gen_grid,
    examples=[
        (([],), []),
        (([[5]],), [[5]]),
        (([[1, 2], [3, 4]],), [[3, 1], [4, 2]]),
        (([[1, 2, 3], [4, 5, 6]],), [[4, 1], [5, 2], [6, 3]]),
        (([[1], [2], [3]],), [[3, 2, 1]]),
    ],
)
def grid_rotate_clockwise(grid: list[list[int]]) -> list[list[int]]:
    return [list(column) for column in zip(*grid[::-1])]


@atom(
    topic="grids",
    description="Return the sum of each row of grid, from the top row down, one number per "
    "row; [] for an empty grid.",
    generate=_gen_grid,
    examples=[
        (([],), []),
        (([[4]],), [4]),
        (([[1, 2], [3, 4]],), [3, 7]),
        (([[-1, 1, 5]],), [5]),
        (([[0], [2], [-3]],), [0, 2, -3]),
    ],
)
def grid_row_sums(grid: list[list[int]]) -> list[int]:
    return [sum(row) for row in grid]


@atom(
    topic="grids",
    description="Return all cells of grid in row-major order: the first row left to right, "
    "then the second row, and so on; [] for an empty grid.",
    generate=_gen_grid,
    examples=[
        (([],), []),
        (([[1]],), [1]),
        (([[1, 2], [3, 4]],), [1, 2, 3, 4]),
        (([[5], [6]],), [5, 6]),
        (([[1, 2, 3], [4, 5, 6]],), [1, 2, 3, 4, 5, 6]),
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
    description="Return the main diagonal of grid: grid[0][0], grid[1][1], ... for as long as "
    "both the row and the column exist, so its length is the smaller of the row and column "
    "counts; [] for an empty grid.",
    generate=_gen_grid,
    examples=[
        (([],), []),
        (([[7]],), [7]),
        (([[1, 2], [3, 4]],), [1, 4]),
        (([[1, 2, 3], [4, 5, 6]],), [1, 5]),
        (([[1], [2], [3]],), [1]),
    ],
)
def grid_main_diagonal(grid: list[list[int]]) -> list[int]:
    return [row[i] for i, row in enumerate(grid) if i < len(row)]


@atom(
    topic="grids",
    description="Return the cells of the rectangular grid in clockwise spiral order: start at "
    "the top-left cell, go right along the top row, down the right column, left along the "
    "bottom row, up the left column, then continue inward the same way until every cell "
    "is listed once; [] for an empty grid.",
    generate=_gen_grid,
    examples=[
        (([],), []),
        (([[1]],), [1]),
        (([[1, 2], [3, 4]],), [1, 2, 4, 3]),
        (([[1, 2, 3], [4, 5, 6], [7, 8, 9]],), [1, 2, 3, 6, 9, 8, 7, 4, 5]),
        (([[1], [2], [3]],), [1, 2, 3]),
        (([[1, 2, 3], [4, 5, 6]],), [1, 2, 3, 6, 5, 4]),
    ],
)
def grid_spiral_order(grid: list[list[int]]) -> list[int]:
    rows = [list(row) for row in grid]
    out = []
    while rows:
        out.extend(rows.pop(0))
        rows = [list(column) for column in zip(*rows)][::-1]
    return out


@atom(
    topic="grids",
    description="Return the n x n multiplication table as a grid whose cell in row i and "
    "column j (counting from 0) is (i + 1) * (j + 1); [] when n <= 0.",
    generate=_gen_table_size,
    examples=[
        ((0,), []),
        ((1,), [[1]]),
        ((2,), [[1, 2], [2, 4]]),
        ((3,), [[1, 2, 3], [2, 4, 6], [3, 6, 9]]),
        ((-1,), []),
    ],
)
def grid_multiplication_table(n: int) -> list[list[int]]:
    return [[(i + 1) * (j + 1) for j in range(n)] for i in range(n)]


@atom(
    topic="grids",
    description="Return the sum of the cells on the outer border of the rectangular grid (its "
    "first and last rows and its first and last columns), each cell counted once even "
    "where the border lines meet; a grid with one row or one column is all border; 0 for "
    "an empty grid.",
    generate=_gen_grid,
    examples=[
        (([],), 0),
        (([[5]],), 5),
        (([[1, 2], [3, 4]],), 10),
        (([[1, 2, 3], [4, 5, 6], [7, 8, 9]],), 40),
        (([[1, 1, 1, 1]],), 4),
        (([[2], [3], [-1]],), 4),
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
    description="Return the summed-area table of the rectangular grid: a grid of the same shape "
    "whose cell (i, j) is the sum of all cells of grid in rows 0..i and columns 0..j; "
    "[] for an empty grid.",
    generate=_gen_grid,
    examples=[
        (([],), []),
        (([[3]],), [[3]]),
        (([[1, 2], [3, 4]],), [[1, 3], [4, 10]]),
        (([[1, 1, 1]],), [[1, 2, 3]]),
        (([[1], [2], [3]],), [[1], [3], [6]]),
        (([[1, 2, 3], [4, 5, 6]],), [[1, 3, 6], [5, 12, 21]]),
    ],
)
def grid_summed_area(grid: list[list[int]]) -> list[list[int]]:
    out = []
    for i, row in enumerate(grid):
        running = 0
        new_row = []
        for j, value in enumerate(row):
            running += value
            new_row.append(running + (out[i - 1][j] if i else 0))
        out.append(new_row)
    return out
