"""The grids atoms' ideas in the corpus's own words and code (see `data.ideas`)."""

from codecorr_jax.data.ideas import Idea
from codecorr_jax.data.function_ops import GRID, INT, INTS

IDEAS: tuple[Idea, ...] = (
    Idea(
        atom="grid_transpose",
        params=(("matrix", GRID),),
        returns=GRID,
        names=("transpose_matrix", "transposed", "swap_rows_and_columns", "columns_as_rows",
               "matrix_transpose", "flip_diagonal"),
        sentences=(
            "Return $matrix with rows and columns swapped: the j-th row of the answer holds "
            "the j-th entry of every input row, top to bottom. An empty matrix gives [], and "
            "ragged rows are trimmed to the shortest row first, so an empty row gives [].",
            "Given a list of rows $matrix, build its transpose, turning an r-by-c matrix into "
            "a c-by-r one. Only the first k columns are kept, k being the length of the "
            "shortest row; no rows at all, or any empty row, yields [].",
            "Compute the transpose of the matrix $matrix (a list of rows). When rows differ "
            "in length the extra cells past the shortest row are dropped; an empty input or "
            "an empty row produces [].",
            "What does $matrix look like after mirroring it across its main diagonal, so "
            "that its columns become rows? Rows longer than the shortest one lose their "
            "tail cells, and [] comes back for an empty matrix or one with an empty row.",
            "Transpose a list-of-rows matrix.\n\nFor example [[7, 8], [9, 6], [5, 4]] becomes "
            "[[7, 9, 5], [8, 6, 4]]. Columns beyond the length of the shortest row are "
            "ignored, so an empty matrix or an empty row gives [].",
        ),
        nouns=("the transpose of $matrix (columns cut to the shortest row)",
               "$matrix with its rows and columns exchanged",
               "the columns of $matrix, each as a list, left to right"),
        bodies=(
            "return list(map(list, zip(*$matrix)))",
            "if not $matrix:\n    return []\nncols = min(len(row) for row in $matrix)\n"
            "result = []\nfor j in range(ncols):\n    result.append([row[j] for row in $matrix])"
            "\nreturn result",
            "ncols = min(map(len, $matrix), default=0)\n"
            "return [[$matrix[i][j] for i in range(len($matrix))] for j in range(ncols)]",
        ),
    ),
    Idea(
        atom="grid_rotate_clockwise",
        params=(("matrix", GRID),),
        returns=GRID,
        names=("rotate_right_90", "rotate_matrix_cw", "quarter_turn_right", "turn_clockwise",
               "rotate90"),
        sentences=(
            "Return $matrix turned 90 degrees to the right. Row j of the result is column j "
            "of $matrix read upward from its last row, so r rows of c cells become c rows of "
            "r cells; [] for an empty matrix, and ragged rows are trimmed to the shortest "
            "(an empty row gives []).",
            "Given a matrix $matrix stored as a list of rows, rotate it clockwise by a "
            "quarter turn. Cells past the length of the shortest row are ignored; an empty "
            "matrix or an empty row produces [].",
            "Rotate the list of rows $matrix by 90 degrees clockwise and return the new list "
            "of rows. The old bottom row becomes the new first column. Columns beyond the "
            "shortest row are dropped, so any empty row, or no rows, gives [].",
            "How does $matrix look after a clockwise quarter turn? Each output row is one "
            "input column taken from bottom to top; only the columns every row has are used, "
            "and the answer is [] when $matrix is empty or has an empty row.",
            "Clockwise 90-degree rotation of a matrix.\n\nFor instance [[6, 7, 8], [2, 3, 9]] "
            "turns into [[2, 6], [3, 7], [9, 8]]. Rows of unequal length are cut to the "
            "shortest one first; an empty input gives [].",
        ),
        nouns=("$matrix rotated a quarter turn to the right",
               "the clockwise 90-degree rotation of $matrix",
               "the columns of $matrix read bottom to top, one per row"),
        bodies=(
            "return [list(col)[::-1] for col in zip(*$matrix)]",
            "if not $matrix:\n    return []\nncols = min(len(row) for row in $matrix)\n"
            "turned = []\nfor j in range(ncols):\n    new_row = []\n"
            "    for i in range(len($matrix) - 1, -1, -1):\n"
            "        new_row.append($matrix[i][j])\n    turned.append(new_row)\nreturn turned",
            "flipped = list(reversed($matrix))\nreturn list(map(list, zip(*flipped)))",
        ),
    ),
    Idea(
        atom="grid_row_sums",
        params=(("matrix", GRID),),
        returns=INTS,
        names=("sum_each_row", "row_totals", "totals_per_row", "sums_by_row", "row_sum_list"),
        sentences=(
            "Return a list with the total of every row of $matrix, in top-to-bottom order. "
            "Rows may be of any length and an empty row totals 0; an empty matrix gives [].",
            "Given a list of integer rows $matrix, add up the numbers in each row and return "
            "those totals as a list, one per row (0 for an empty row, [] when there are no "
            "rows).",
            "Compute the per-row sums of $matrix. The output has exactly as many entries as "
            "$matrix has rows, keeps their order, and counts an empty row as 0.",
            "What is the sum of each row of $matrix? Give one integer per row, first row "
            "first; rows need not share a length, a row with no cells adds up to 0, and no "
            "rows means [].",
            "Row totals of a matrix.\n\nFor example [[2, 5], [], [10, -4, 1]] gives "
            "[7, 0, 7]. An empty matrix yields an empty list.",
        ),
        nouns=("the list of row totals of $matrix",
               "the sum of every row of $matrix, top row first",
               "one total per row of $matrix (0 for an empty row)"),
        bodies=(
            "return list(map(sum, $matrix))",
            "totals = []\nfor row in $matrix:\n    acc = 0\n    for value in row:\n"
            "        acc += value\n    totals.append(acc)\nreturn totals",
            "return [functools.reduce(operator.add, row, 0) for row in $matrix]",
        ),
        imports=("functools", "operator"),
    ),
    Idea(
        atom="grid_flatten",
        params=(("matrix", GRID),),
        returns=INTS,
        names=("flatten_matrix", "cells_row_major", "concat_rows", "matrix_to_list",
               "flatten_rows"),
        sentences=(
            "Return one flat list holding the cells of $matrix row after row, each row read "
            "left to right. Rows may differ in length, empty rows contribute nothing, and "
            "an empty matrix gives [].",
            "Given a list of rows $matrix, chain the rows together into a single list in "
            "reading order (top row first). Empty rows are simply skipped; [] for no rows.",
            "Turn $matrix into a single list in row-major order: all of the first row, "
            "then all of the next, and so on. An empty matrix gives an empty list.",
            "Which list do you get by concatenating every row of $matrix in order? That is "
            "what this returns; rows of unequal or zero length are fine, and no rows give [].",
            "Concatenate the rows of a matrix.\n\nFor example [[3], [], [8, 1]] becomes "
            "[3, 8, 1]. An empty matrix becomes [].",
        ),
        nouns=("the cells of $matrix in row-major order",
               "all rows of $matrix joined end to end into one list",
               "$matrix flattened row by row"),
        bodies=(
            "return list(itertools.chain.from_iterable($matrix))",
            "flat = []\nfor row in $matrix:\n    flat.extend(row)\nreturn flat",
            "return sum($matrix, [])",
        ),
        imports=("itertools",),
    ),
    Idea(
        atom="grid_from_list",
        params=(("nums", INTS), ("width", INT)),
        returns=GRID,
        names=("reshape_to_rows", "chunk_into_rows", "to_matrix", "wrap_into_grid",
               "rows_of_width", "list_to_matrix"),
        sentences=(
            "Return $nums laid out as rows of $width numbers each (width at least 1), in "
            "the original order; a short final row is filled up with 0s on the right so "
            "every row has $width cells. An empty $nums gives [].",
            "Given a flat list $nums and a positive row length $width, split the list into "
            "consecutive pieces of $width items and pad the last piece with zeros to full "
            "length. No items means no rows, i.e. [].",
            "Build a matrix with $width columns from $nums, filling it row by row; if the "
            "numbers run out in the middle of the last row, the remaining cells are 0. "
            "Returns [] for an empty list.",
            "How would $nums look reshaped into a rectangle that is $width cells wide? Rows "
            "are filled left to right, top to bottom, the final row is zero-padded on the "
            "right, and an empty input gives [].",
            "Reshape a list into zero-padded rows.\n\nWith width 3, [4, 5, 6, 7] becomes "
            "[[4, 5, 6], [7, 0, 0]]. The width is at least 1; an empty list gives [].",
        ),
        nouns=("$nums cut into rows of $width with the last row zero-padded",
               "the $width-column matrix filled row by row from $nums",
               "$nums reshaped into rows of length $width, padded with 0"),
        bodies=(
            "rows = []\nfor start in range(0, len($nums), $width):\n"
            "    piece = $nums[start:start + $width]\n    piece += [0] * ($width - len(piece))\n"
            "    rows.append(piece)\nreturn rows",
            "padded = $nums + [0] * (-len($nums) % $width)\n"
            "return [padded[k:k + $width] for k in range(0, len(padded), $width)]",
            "source = iter($nums)\n"
            "return [list(chunk) for chunk in itertools.zip_longest(*[source] * $width, "
            "fillvalue=0)]",
        ),
        imports=("itertools",),
    ),
    Idea(
        atom="grid_main_diagonal",
        params=(("matrix", GRID),),
        returns=INTS,
        names=("diagonal_entries", "main_diagonal", "leading_diagonal", "diag_values",
               "get_diagonal"),
        sentences=(
            "Return the entries $matrix[k][k] for k = 0, 1, 2, ... going down the rows, "
            "leaving out any row too short to have a cell at index k. For a rectangular "
            "matrix that is the leading diagonal, as long as the smaller dimension; [] when "
            "$matrix is empty.",
            "Given a list of rows $matrix, collect the cell at column k of row k for every "
            "row k that is long enough, top to bottom. An empty matrix gives [].",
            "Find the main diagonal of $matrix, starting at the top-left cell. Rows that are "
            "too short to reach their own diagonal position are skipped; no rows give [].",
            "Which values sit on the top-left to bottom-right diagonal of $matrix? Take "
            "element k of row k for each row, skip rows with k or fewer cells, and return "
            "them in row order ([] for an empty matrix).",
            "Leading diagonal of a matrix.\n\nFor example [[9, 0, 2], [1, 8, 3]] gives "
            "[9, 8]; a 3-by-1 matrix gives just its first cell. Short rows are passed over "
            "and an empty matrix gives [].",
        ),
        nouns=("the main diagonal of $matrix",
               "the cells $matrix[k][k] for every row k that has a column k",
               "the top-left to bottom-right diagonal of $matrix"),
        bodies=(
            "return [$matrix[k][k] for k in range(len($matrix)) if len($matrix[k]) > k]",
            "diag = []\nk = 0\nfor row in $matrix:\n    if k < len(row):\n"
            "        diag.append(row[k])\n    k += 1\nreturn diag",
        ),
    ),
    Idea(
        atom="grid_spiral_order",
        params=(("matrix", GRID),),
        returns=INTS,
        names=("spiral_traversal", "spiral_walk", "read_in_spiral", "clockwise_spiral",
               "spiral_cells"),
        sentences=(
            "Return every cell of $matrix exactly once, visited in a clockwise spiral: begin "
            "at the top-left corner, move right, then down, then left, then up, and keep "
            "winding inward. Rows are first cut to the shortest row's length, so an empty "
            "row, or an empty matrix, gives [].",
            "Given a matrix $matrix as a list of rows, walk it in a clockwise spiral from the "
            "upper-left corner towards the centre and return the values in the order seen. "
            "Ragged input is trimmed to the shortest row; [] if nothing remains.",
            "Collect the cells of $matrix layer by layer, outer ring first, each ring read "
            "clockwise starting at its top-left cell. Extra cells past the shortest row are "
            "ignored, and [] comes back for an empty matrix or one with an empty row.",
            "In what order are the cells of $matrix met when spiralling clockwise inward "
            "from the top-left corner? List them in that order, each once; rows longer than "
            "the shortest row are trimmed first, and no cells give [].",
            "Clockwise spiral order of a matrix.\n\nFor example [[1, 5, 9], [2, 6, 7], "
            "[4, 8, 3]] gives [1, 5, 9, 7, 3, 8, 4, 2, 6]. A single column is read top to "
            "bottom; ragged rows are cut to the shortest; empty input gives [].",
        ),
        nouns=("the cells of $matrix in clockwise spiral order",
               "$matrix read as a clockwise spiral from its top-left corner",
               "the spiral walk over $matrix, outer ring first"),
        bodies=(
            "if not $matrix:\n    return []\nncols = min(len(row) for row in $matrix)\n"
            "top, bottom, left, right = 0, len($matrix) - 1, 0, ncols - 1\nseen = []\n"
            "while top <= bottom and left <= right:\n"
            "    for j in range(left, right + 1):\n        seen.append($matrix[top][j])\n"
            "    for i in range(top + 1, bottom + 1):\n        seen.append($matrix[i][right])\n"
            "    if top < bottom:\n        for j in range(right - 1, left - 1, -1):\n"
            "            seen.append($matrix[bottom][j])\n    if left < right:\n"
            "        for i in range(bottom - 1, top, -1):\n"
            "            seen.append($matrix[i][left])\n"
            "    top, bottom, left, right = top + 1, bottom - 1, left + 1, right - 1\n"
            "return seen",
            "if not $matrix:\n    return []\nh = len($matrix)\nw = min(len(row) for row in "
            "$matrix)\nvisited = [[False] * w for _ in range(h)]\n"
            "steps = [(0, 1), (1, 0), (0, -1), (-1, 0)]\nr = c = d = 0\nout = []\n"
            "for _ in range(h * w):\n    out.append($matrix[r][c])\n    visited[r][c] = True\n"
            "    nr, nc = r + steps[d][0], c + steps[d][1]\n"
            "    if not (0 <= nr < h and 0 <= nc < w) or visited[nr][nc]:\n"
            "        d = (d + 1) % 4\n        nr, nc = r + steps[d][0], c + steps[d][1]\n"
            "    r, c = nr, nc\nreturn out",
        ),
    ),
    Idea(
        atom="grid_outer_product",
        params=(("nums", INTS),),
        returns=GRID,
        names=("outer_product", "self_outer_product", "multiplication_table_of",
               "pairwise_products", "outer_square"),
        sentences=(
            "Return the n-by-n table of pairwise products of $nums, where n = len($nums): "
            "row i, column j holds $nums[i] * $nums[j]. An empty list gives [].",
            "Given a list of integers $nums, build the square matrix whose entry at (i, j) "
            "is the product of the i-th and j-th numbers. The result is [] when $nums is "
            "empty.",
            "Compute the outer product of the vector $nums with itself, as a list of rows; "
            "there is one row and one column per number in $nums, and no numbers give [].",
            "What is the multiplication table you get by multiplying every element of $nums "
            "by every element of $nums? Row i lists $nums[i] times each entry in order; [] "
            "for an empty list.",
            "Outer product of a list with itself.\n\nFor example [3, -2] gives "
            "[[9, -6], [-6, 4]]. Each row i is the whole list scaled by its i-th element; an "
            "empty list gives [].",
        ),
        nouns=("the outer product of $nums with itself",
               "the square table of products $nums[i] * $nums[j]",
               "the pairwise product matrix of $nums"),
        bodies=(
            "table = []\nfor a in $nums:\n    row = []\n    for b in $nums:\n"
            "        row.append(a * b)\n    table.append(row)\nreturn table",
            "return [list(map(operator.mul, [scale] * len($nums), $nums)) for scale in $nums]",
            "size = len($nums)\nreturn [[$nums[i] * $nums[j] for j in range(size)] "
            "for i in range(size)]",
        ),
        imports=("operator",),
    ),
    Idea(
        atom="grid_border_sum",
        params=(("matrix", GRID),),
        returns=INT,
        names=("perimeter_sum", "sum_of_edges", "frame_total", "edge_cells_total",
               "boundary_sum"),
        sentences=(
            "Return the total of the edge cells of $matrix, counting each cell once: the "
            "whole top and bottom rows, and the first and last cells of the rows between "
            "them (a middle row of one cell adds it once, an empty row adds 0). An empty "
            "matrix gives 0.",
            "Given a list of rows $matrix, add up its frame: every cell of the first and of "
            "the last row, plus both end cells of each middle row, never counting a cell "
            "twice. With a single row or column everything is on the frame; 0 for no rows.",
            "Compute the total of the perimeter of $matrix. Inner cells (not in the top or "
            "bottom row, not at either end of their row) are left out; a one-cell row "
            "contributes its value once, and an empty matrix sums to 0.",
            "What do the boundary cells of $matrix add up to? Boundary means the top row, "
            "the bottom row, and the two ends of each row in between, each cell counted a "
            "single time; empty rows add nothing and no rows give 0.",
            "Sum of the outer ring of a matrix.\n\nEvery cell except the strictly inner "
            "ones counts once, so [[1, 1, 1], [1, 9, 1], [1, 1, 1]] gives 8, while a single "
            "row or column is summed entirely; an empty matrix gives 0.",
        ),
        nouns=("the sum of the border cells of $matrix",
               "the total of the outer ring of $matrix, each cell once",
               "what the edge cells of $matrix add up to"),
        bodies=(
            "total = 0\nlast = len($matrix) - 1\nfor i, row in enumerate($matrix):\n"
            "    if i == 0 or i == last:\n        total += sum(row)\n    elif len(row) == 1:\n"
            "        total += row[0]\n    elif row:\n        total += row[0] + row[-1]\n"
            "return total",
            "everything = sum(map(sum, $matrix))\n"
            "inside = sum(sum(row[1:-1]) for row in $matrix[1:-1])\nreturn everything - inside",
        ),
    ),
    Idea(
        atom="grid_summed_area",
        params=(("matrix", GRID),),
        returns=GRID,
        names=("prefix_sums_2d", "integral_image", "cumulative_matrix", "two_d_prefix_sum",
               "area_sums"),
        sentences=(
            "Return the 2-D prefix-sum table of $matrix: same shape as $matrix, and the "
            "entry at row i, column j is the total of all cells at or above row i and at or "
            "left of column j. Ragged rows keep their own lengths, cells a shorter row lacks "
            "count as nothing, and [] gives [].",
            "Given a list of rows $matrix, produce its integral image, where each position "
            "(i, j) holds the sum of the rectangle from the top-left corner down to (i, j). "
            "Every output row is as long as the input row; absent cells add 0.",
            "Compute two-dimensional cumulative sums over $matrix, accumulating both down "
            "the rows and across the columns. The output mirrors the input's row lengths "
            "even when they differ, and an empty matrix gives [].",
            "What is the sum of the top-left rectangle ending at each cell of $matrix? Return "
            "those sums in a matrix shaped like $matrix; missing cells of short rows count "
            "as 0 and an empty matrix gives [].",
            "Summed-area table (2-D prefix sums).\n\nFor example [[2, 1], [0, 5]] gives "
            "[[2, 3], [2, 8]]. Rows of different lengths keep their lengths, treating cells "
            "they lack as 0; empty input gives [].",
        ),
        nouns=("the 2-D prefix-sum table of $matrix",
               "the integral image of $matrix",
               "the cumulative sums of $matrix over rows and columns"),
        bodies=(
            "column_totals = []\nresult = []\nfor row in $matrix:\n"
            "    for j, value in enumerate(row):\n        if j < len(column_totals):\n"
            "            column_totals[j] += value\n        else:\n"
            "            column_totals.append(value)\n    acc = 0\n    line = []\n"
            "    for j in range(len(row)):\n        acc += column_totals[j]\n"
            "        line.append(acc)\n    result.append(line)\nreturn result",
            "prefix = [list(itertools.accumulate(row)) for row in $matrix]\nout = []\n"
            "for i, row in enumerate($matrix):\n    above = [p for p in prefix[:i + 1] if p]\n"
            "    out.append([sum(p[min(j, len(p) - 1)] for p in above) "
            "for j in range(len(row))])\nreturn out",
        ),
        imports=("itertools",),
    ),
)
