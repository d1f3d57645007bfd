"""The sorting atoms' ideas in the corpus's own words and code (see `data.ideas`)."""

from codecorr_jax.data.ideas import Idea
from codecorr_jax.data.function_ops import INT, INTS, STRS

IDEAS: tuple[Idea, ...] = (
    Idea(
        atom="sorted_descending",
        params=(("nums", INTS),),
        returns=INTS,
        names=("sort_desc", "largest_first", "reverse_sorted", "order_high_to_low",
               "sort_decreasing"),
        sentences=(
            "Return a sorted copy of $nums arranged from the largest value down to the "
            "smallest; repeated values all stay, and an empty list gives [].",
            "Given a list of integers $nums, produce a new list with the same values ordered "
            "high to low, leaving the input unchanged.",
            "Sort $nums in non-increasing order without modifying it: [6, -2, 9, 6] becomes "
            "[9, 6, 6, -2].",
            "What does $nums look like sorted biggest-first? Duplicates are kept side by side "
            "and an empty list comes back empty.",
            "Descending sort.\n\nThe result holds exactly the elements of $nums, each larger "
            "or equal one before the smaller ones; the original list is not touched.",
        ),
        nouns=("$nums sorted from largest to smallest",
               "a copy of $nums in non-increasing order, duplicates included",
               "the values of $nums ordered high to low"),
        bodies=(
            "result = sorted($nums)\nresult.reverse()\nreturn result",
            "out = []\nfor value in $nums:\n    pos = 0\n"
            "    while pos < len(out) and out[pos] >= value:\n        pos += 1\n"
            "    out.insert(pos, value)\nreturn out",
            "return sorted($nums, key=operator.neg)",
        ),
        imports=("operator",),
    ),
    Idea(
        atom="index_of_max",
        params=(("values", INTS),),
        returns=INT,
        names=("argmax", "position_of_largest", "max_position", "where_is_max",
               "largest_index"),
        sentences=(
            "Return the position of the biggest number in $values. When several positions "
            "hold that maximum, the earliest one wins; an empty list gives -1.",
            "Given a list $values, find where its maximum first occurs and return that index, "
            "or -1 if there are no elements.",
            "Find the argmax of $values: for [2, 8, 8, 5] it is 1 (first of the tied "
            "maxima), and for [] it is -1.",
            "At which index does the largest element of $values first appear? Answer -1 for "
            "an empty list.",
            "Index of the maximum.\n\nScans $values for its greatest element and reports the "
            "lowest index holding it; -1 signals an empty input.",
        ),
        nouns=("the index of the first maximum of $values (-1 if empty)",
               "the earliest position of the largest element of $values",
               "the argmax of $values, ties going to the lower index"),
        bodies=(
            "best = -1\nfor pos, value in enumerate($values):\n"
            "    if best == -1 or value > $values[best]:\n        best = pos\nreturn best",
            "if len($values) == 0:\n    return -1\n"
            "return max(range(len($values)), key=$values.__getitem__)",
        ),
    ),
    Idea(
        atom="k_smallest_sorted",
        params=(("xs", INTS), ("count", INT)),
        returns=INTS,
        names=("smallest_n", "bottom_k", "lowest_values", "first_k_sorted", "n_smallest"),
        sentences=(
            "Return the $count lowest values of $xs, smallest first, where equal values count "
            "as separate entries. If $count is at least the length you get all of $xs sorted; "
            "if $count is zero or negative you get [].",
            "Given $xs and a number $count, sort the values ascending and keep only the first "
            "$count of them (none when $count <= 0).",
            "Collect the $count smallest numbers in $xs in increasing order: with $count = 3, "
            "[7, 2, 9, 2, 5] gives [2, 2, 5].",
            "Which $count elements of $xs are the smallest, listed in ascending order? "
            "Duplicates may appear more than once, and a non-positive $count gives an empty "
            "list.",
            "Bottom k of a list.\n\nSorts a copy of $xs in ascending order and cuts it after "
            "$count items; a $count beyond the length returns everything, and $count <= 0 "
            "returns [].",
        ),
        nouns=("the $count smallest elements of $xs in ascending order",
               "the first $count values of $xs once sorted ascending",
               "the bottom $count of $xs, sorted, duplicates counted separately"),
        bodies=(
            "if $count <= 0:\n    return []\nreturn sorted($xs)[:$count]",
            "pool = list($xs)\npicked = []\nwhile pool and len(picked) < $count:\n"
            "    low = min(pool)\n    pool.remove(low)\n    picked.append(low)\nreturn picked",
        ),
    ),
    Idea(
        atom="sort_by_absolute_value",
        params=(("nums", INTS),),
        returns=INTS,
        names=("sort_by_magnitude", "order_by_abs", "magnitude_sorted", "abs_sort",
               "closest_to_zero_first"),
        sentences=(
            "Return a new list of the numbers in $nums ordered by their distance from zero, "
            "nearest first. Numbers with the same magnitude, like 6 and -6, stay in the order "
            "they had in $nums; an empty list gives [].",
            "Given integers $nums, sort them by magnitude (absolute value) in ascending order "
            "using a stable sort, so ties keep their original sequence.",
            "Sort $nums by abs value: [-7, 2, 0, 7, -1] becomes [0, -1, 2, -7, 7], where -7 "
            "stays ahead of 7 because it came first.",
            "How would $nums be ordered if only the size of each number mattered, not its "
            "sign? Equal magnitudes keep their relative positions.",
            "Magnitude sort.\n\nValues are compared by abs(); the sort is stable, so a "
            "positive and a negative number of equal size are left in input order.",
        ),
        nouns=("$nums sorted by magnitude, ties in original order",
               "the values of $nums ordered by absolute value, smallest first",
               "a stable abs-keyed sort of $nums"),
        bodies=(
            "return sorted($nums, key=lambda v: v if v >= 0 else -v)",
            "out = []\nfor value in $nums:\n    pos = len(out)\n"
            "    while pos > 0 and abs(out[pos - 1]) > abs(value):\n        pos -= 1\n"
            "    out.insert(pos, value)\nreturn out",
            "order = sorted(range(len($nums)), key=lambda i: (abs($nums[i]), i))\n"
            "return [$nums[i] for i in order]",
        ),
    ),
    Idea(
        atom="lower_median",
        params=(("data", INTS),),
        returns=INT,
        names=("low_median", "median_low", "middle_value", "lesser_median", "median_element"),
        sentences=(
            "Return the middle element of $data after sorting; for an even count take the "
            "smaller of the two central values. An empty list gives 0.",
            "Given $data, sort a copy ascending and return the item at position "
            "(n - 1) // 2, where n is the number of items; 0 when there are none.",
            "Find the low median of $data, for example 5 for [9, 1, 5] and 4 for [8, 4, 6, 1]; "
            "the answer is always one of the elements.",
            "What is the median of $data if, for even lengths, the lower of the two middle "
            "numbers is chosen instead of their average? Use 0 for an empty list.",
            "Lower median of a list.\n\nNo averaging happens: with an odd number of values "
            "the exact middle one is returned, with an even number the left-middle one, and "
            "with no values 0.",
        ),
        nouns=("the low median of $data (0 if empty)",
               "the left-middle value of $data once sorted",
               "the median of $data, taking the smaller middle value for even lengths"),
        bodies=(
            "ranked = sorted($data)\nreturn ranked[(len(ranked) - 1) // 2] if ranked else 0",
            "vals = sorted($data)\nwhile len(vals) > 2:\n    vals = vals[1:-1]\n"
            "return vals[0] if vals else 0",
            "size = len($data)\nif size == 0:\n    return 0\n"
            "return sorted($data)[(size - 1) // 2]",
        ),
    ),
    Idea(
        atom="dense_ranks",
        params=(("xs", INTS),),
        returns=INTS,
        names=("rank_dense", "compress_values", "value_levels", "ordinal_ranks",
               "coordinate_compress"),
        sentences=(
            "Return a list giving each element of $xs its dense rank starting at 0, i.e. how "
            "many different values in $xs are strictly smaller. Equal elements get equal "
            "ranks and no rank number is skipped; [] gives [].",
            "Given $xs, replace every value by its index in the sorted list of distinct "
            "values (coordinate compression), keeping the positions of $xs.",
            "Compute dense 0-based ranks for $xs: [40, 15, 40, 7] becomes [2, 1, 2, 0].",
            "How many distinct values of $xs are below each element? Return that count for "
            "every position; ties share a rank and the ranks run 0, 1, 2, ... without gaps.",
            "Dense ranking.\n\nThe smallest value gets rank 0, the next different value rank "
            "1, and so on; duplicates share one rank, so the ranks are consecutive.",
        ),
        nouns=("the dense 0-based ranks of the elements of $xs",
               "$xs with each value replaced by the number of distinct smaller values",
               "the coordinate-compressed form of $xs"),
        bodies=(
            "levels = {v: pos for pos, v in enumerate(sorted(set($xs)))}\n"
            "return [levels[v] for v in $xs]",
            "return [len({w for w in $xs if w < v}) for v in $xs]",
        ),
    ),
    Idea(
        atom="argsort_indices",
        params=(("values", INTS),),
        returns=INTS,
        names=("argsort", "sorting_permutation", "order_indices", "indices_by_value",
               "rank_positions"),
        sentences=(
            "Return the positions of $values listed in the order that would sort the values "
            "ascending; when two values are equal, the smaller position comes first. An "
            "empty list gives [].",
            "Given a list $values, produce the permutation of its indices that visits the "
            "elements from smallest to largest, breaking ties by index.",
            "Compute the argsort of $values, e.g. [8, 3, 8, 1] gives [3, 1, 0, 2].",
            "In what order should the indices of $values be read so the elements come out "
            "sorted ascending? Ties are resolved by the lower index first.",
            "Stable argsort.\n\nThe output holds every index of $values exactly once, "
            "ordered by the value stored there, with equal values keeping index order.",
        ),
        nouns=("the indices of $values in ascending order of their elements",
               "the argsort of $values (stable, ties by index)",
               "the sorting permutation of $values"),
        bodies=(
            "pairs = sorted((value, pos) for pos, value in enumerate($values))\n"
            "return [pos for _, pos in pairs]",
            "left = list(range(len($values)))\norder = []\nwhile left:\n"
            "    pick = min(left, key=lambda pos: ($values[pos], pos))\n"
            "    left.remove(pick)\n    order.append(pick)\nreturn order",
        ),
    ),
    Idea(
        atom="count_inversions",
        params=(("seq", INTS),),
        returns=INT,
        names=("inversion_count", "out_of_order_pairs", "num_inversions", "disorder",
               "count_swapped_pairs"),
        sentences=(
            "Return how many pairs of positions i < j in $seq have the earlier value "
            "strictly greater than the later one; equal values never form such a pair, so "
            "a sorted or empty list gives 0.",
            "Given a list $seq, count the out-of-order pairs, where a larger number appears "
            "somewhere before a smaller one.",
            "Count the inversions of $seq: [4, 1, 3, 1] has 4 of them, while [2, 2, 5] has "
            "none.",
            "How many ordered pairs of elements of $seq, not necessarily adjacent, are in "
            "strictly decreasing order? Ties are not counted.",
            "Number of inversions.\n\nEvery pair of indices i < j with $seq[i] > $seq[j] "
            "adds one; this equals the number of adjacent swaps bubble sort would make.",
        ),
        nouns=("the number of inversions in $seq",
               "how many pairs in $seq have a larger value before a smaller one",
               "the count of strictly out-of-order pairs of $seq"),
        bodies=(
            "return sum(a > b for a, b in itertools.combinations($seq, 2))",
            "total = 0\nfor pos, a in enumerate($seq):\n    for b in $seq[pos + 1:]:\n"
            "        if b < a:\n            total += 1\nreturn total",
        ),
        imports=("itertools",),
    ),
    Idea(
        atom="sorted_insertion_index",
        params=(("xs", INTS), ("value", INT)),
        returns=INT,
        names=("bisect_position", "insertion_point", "lower_bound", "insert_position",
               "count_below"),
        sentences=(
            "Return where $value would go in $xs once $xs is sorted ascending, inserting it "
            "to the left of any equal entries; that is the number of elements of $xs smaller "
            "than $value (0 for an empty list).",
            "Given an unsorted list $xs and a number $value, compute the left insertion point "
            "of $value in the sorted order of $xs.",
            "Count how many elements of $xs are strictly below $value; for [6, 2, 9] and 6 "
            "that is 1, which is also where 6 would be inserted before the existing 6.",
            "At what index would $value be placed in sorted($xs) to keep it sorted, going in "
            "front of values equal to it?",
            "Lower-bound position.\n\nSort $xs and find the first index whose element is not "
            "less than $value, or len($xs) if every element is smaller.",
        ),
        nouns=("the left insertion index of $value into sorted $xs",
               "the number of elements of $xs strictly smaller than $value",
               "the lower-bound position of $value in $xs sorted ascending"),
        bodies=(
            "return sum(1 for item in $xs if item < $value)",
            "ordered = sorted($xs)\nlo, hi = 0, len(ordered)\nwhile lo < hi:\n"
            "    mid = (lo + hi) // 2\n    if ordered[mid] < $value:\n        lo = mid + 1\n"
            "    else:\n        hi = mid\nreturn lo",
        ),
    ),
    Idea(
        atom="sort_words_by_length",
        params=(("words", STRS),),
        returns=STRS,
        names=("order_by_length", "shortest_first", "sort_by_len", "length_sorted",
               "sort_strings_by_size"),
        sentences=(
            "Return a new list of the strings in $words ordered from shortest to longest; "
            "strings of the same length keep the order they had in $words. [] gives [].",
            "Given a list of strings, stably sort it by character count, ascending, without "
            "changing the original list.",
            "Sort $words by length so that [\"pear\", \"fig\", \"kiwi\", \"\"] becomes "
            "[\"\", \"fig\", \"pear\", \"kiwi\"].",
            "How are the strings of $words ordered if shorter ones go first and equal-length "
            "ones stay in their original sequence?",
            "Length sort for strings.\n\nThe key is len(); because the sort is stable, two "
            "strings of equal length appear in the same relative order as in $words.",
        ),
        nouns=("$words sorted by length, shortest first (stable)",
               "the strings of $words ordered by their lengths",
               "a stable length-ascending copy of $words"),
        bodies=(
            "return sorted($words, key=lambda w: len(w))",
            "buckets = collections.defaultdict(list)\nfor w in $words:\n"
            "    buckets[len(w)].append(w)\n"
            "return [w for size in sorted(buckets) for w in buckets[size]]",
        ),
        imports=("collections",),
    ),
)
