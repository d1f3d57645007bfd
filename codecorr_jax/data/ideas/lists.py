"""The lists atoms' ideas in the corpus's own words and code (see `data.ideas`)."""

from codecorr_jax.data.ideas import Idea
from codecorr_jax.data.function_ops import GRID, INT, INTS, STR

IDEAS: tuple[Idea, ...] = (
    Idea(
        atom="running_sum",
        params=(("nums", INTS),),
        returns=INTS,
        names=("prefix_sums", "cumulative_totals", "cumsum", "partial_sums",
               "accumulate_totals"),
        sentences=(
            "Return the cumulative totals of $nums: position i holds the sum of every value "
            "from the start up to and including index i. An empty input gives an empty list.",
            "Given a list of integers $nums, produce a list of the same length whose i-th entry "
            "is $nums[0] + ... + $nums[i]; for no numbers the answer is [].",
            "Compute the partial sums of $nums, one per element, so [2, 5, -1] becomes "
            "[2, 7, 6] and an empty list stays empty.",
            "What are the prefix totals of $nums, i.e. the sum of the first i + 1 values for "
            "each index i? Returns [] when $nums is empty.",
            "Cumulative sum of a list.\n\nEach output element is the total of all inputs seen "
            "so far, including the current one; [4, 4] gives [4, 8] and [] gives [].",
        ),
        nouns=("the prefix sums of $nums",
               "the cumulative totals of $nums (entry i adds up $nums[0] through $nums[i])",
               "the running totals of the values in $nums, one per position"),
        bodies=(
            "sums = []\nacc = 0\nfor value in $nums:\n    acc = acc + value\n"
            "    sums.append(acc)\nreturn sums",
            "return list(itertools.accumulate($nums))",
            "return [sum($nums[:end + 1]) for end in range(len($nums))]",
        ),
        imports=("itertools",),
    ),
    Idea(
        atom="swap_adjacent_pairs",
        params=(("items", INTS),),
        returns=INTS,
        names=("swap_pairs", "pairwise_swap", "swap_neighbours", "exchange_pairs",
               "flip_each_pair"),
        sentences=(
            "Return a new list where items 0 and 1 of $items trade places, then items 2 and 3, "
            "and so on; with an odd length the final item has no partner and is left where it "
            "is. An empty list gives [].",
            "Given $items, swap the first element with the second, the third with the fourth, "
            "etc., and return the result as a new list (a trailing unpaired element stays "
            "last; [] stays []).",
            "Flip every consecutive pair of $items without touching the input: [6, 8, 1, 2] "
            "becomes [8, 6, 2, 1] and [6, 8, 1] becomes [8, 6, 1].",
            "How does $items look when each non-overlapping pair of neighbours, starting at "
            "index 0, is reversed? A lone last element keeps its place.",
            "Pairwise swap.\n\nElements at positions 2j and 2j + 1 change places for every j; "
            "if the length is odd, the last element does not move, and an empty list comes "
            "back empty.",
        ),
        nouns=("$items with each pair of neighbours (0 and 1, 2 and 3, ...) swapped",
               "a copy of $items in which every non-overlapping adjacent pair trades places",
               "the pairwise-swapped version of $items (an unpaired last element stays put)"),
        bodies=(
            "out = []\nfor i in range(0, len($items) - 1, 2):\n    out += [$items[i + 1], "
            "$items[i]]\nif len($items) % 2 == 1:\n    out.append($items[-1])\nreturn out",
            "return [$items[i ^ 1] if (i ^ 1) < len($items) else $items[i]\n"
            "        for i in range(len($items))]",
        ),
    ),
    Idea(
        atom="rotate_left_by",
        params=(("seq", INTS), ("steps", INT)),
        returns=INTS,
        names=("rotate_left", "left_rotation", "shift_left_cyclic", "rotate_list",
               "cycle_left"),
        sentences=(
            "Return $seq rotated to the left by $steps places, as a new list: the value at "
            "index $steps % len($seq) comes first. A negative $steps rotates to the right, "
            "and an empty list gives [].",
            "Given a list $seq and a count $steps, move the first $steps elements (counting "
            "modulo the length) to the back, keeping everything else in order; [] gives [].",
            "Rotate $seq cyclically leftwards by $steps positions; $steps wraps around the "
            "length, so rotating [5, 6, 7] by 4 gives [6, 7, 5] and by -1 gives [7, 5, 6].",
            "What does $seq look like after a left circular shift of $steps steps, where "
            "$steps is reduced modulo the list length and negative values shift right?",
            "Circular left rotation.\n\nThe list is turned $steps places to the left, taking "
            "$steps modulo the length first (so negative counts turn it right); the input is "
            "left alone and an empty list returns [].",
        ),
        nouns=("$seq rotated left by $steps positions (modulo its length)",
               "the left circular shift of $seq by $steps places",
               "a copy of $seq turned $steps steps to the left, wrapping around"),
        bodies=(
            "ring = collections.deque($seq)\nring.rotate(-$steps)\nreturn list(ring)",
            "size = len($seq)\nreturn [$seq[(pos + $steps) % size] for pos in range(size)]",
            "out = list($seq)\nif out:\n    for _ in range($steps % len(out)):\n"
            "        out.append(out.pop(0))\nreturn out",
        ),
        imports=("collections",),
    ),
    Idea(
        atom="split_list_on_value",
        params=(("values", INTS), ("marker", INT)),
        returns=GRID,
        names=("split_on", "split_by_delimiter", "chunk_at_marker", "partition_on_value",
               "split_sequence"),
        sentences=(
            "Return the pieces of $values separated by $marker, in order, with the markers "
            "themselves dropped. Markers at the start, at the end or next to each other yield "
            "empty pieces, and if $marker never appears the result is [$values] (so [] gives "
            "[[]]).",
            "Given a list $values and a delimiter $marker, cut the list wherever the "
            "delimiter occurs, the way str.split cuts text, and return the list of runs "
            "between delimiters; there is always one more run than there are delimiters.",
            "Split $values on $marker: with marker 9, [4, 9, 9, 2] gives [[4], [], [2]], "
            "[9] gives [[], []], and an empty list gives [[]].",
            "Which sublists of $values lie between the occurrences of $marker? Every "
            "occurrence ends one group and starts another, so k occurrences give k + 1 groups, "
            "some possibly empty.",
            "List version of str.split.\n\nEach element equal to $marker closes the current "
            "group and opens a new one; the marker is not kept. Empty groups are kept too, and "
            "a list without the marker comes back as a single group.",
        ),
        nouns=("the groups of $values between occurrences of $marker",
               "$values split at every $marker (markers removed, empty groups kept)",
               "the runs of $values delimited by $marker, like str.split on a list"),
        bodies=(
            "parts = []\ncurrent = []\nfor item in $values:\n    if item == $marker:\n"
            "        parts.append(current)\n        current = []\n    else:\n"
            "        current.append(item)\nparts.append(current)\nreturn parts",
            "cuts = [pos for pos, item in enumerate($values) if item == $marker]\n"
            "starts = [0] + [pos + 1 for pos in cuts]\nends = cuts + [len($values)]\n"
            "return [$values[a:b] for a, b in zip(starts, ends)]",
        ),
    ),
    Idea(
        atom="remove_all_occurrences",
        params=(("nums", INTS), ("target", INT)),
        returns=INTS,
        names=("without_value", "drop_value", "filter_out", "purge_value", "strip_matches"),
        sentences=(
            "Return a new list holding the elements of $nums that differ from $target, in "
            "their original order; if nothing is left (or $nums is empty) the result is [].",
            "Given $nums and a value $target, delete every copy of $target and keep the rest "
            "in sequence.",
            "Produce $nums minus each occurrence of $target: removing 6 from [6, 3, 6, 8] gives "
            "[3, 8], and removing a value that is absent changes nothing.",
            "What remains of $nums once all entries equal to $target are taken out? The "
            "survivors keep their relative order; an all-$target list leaves [].",
            "Filter out one value.\n\nEvery element equal to $target is discarded, not just "
            "the first one, and the order of the remaining elements is preserved.",
        ),
        nouns=("$nums with every $target removed",
               "the elements of $nums other than $target, in order",
               "what is left of $nums after deleting all copies of $target"),
        bodies=(
            "return list(filter(lambda item: item != $target, $nums))",
            "kept = []\nfor item in $nums:\n    if item == $target:\n        continue\n"
            "    kept.append(item)\nreturn kept",
        ),
    ),
    Idea(
        atom="alternating_sum",
        params=(("xs", INTS),),
        returns=INT,
        names=("alternating_total", "plus_minus_sum", "signed_alternate_sum",
               "even_minus_odd", "alternate_add_subtract"),
        sentences=(
            "Return the sum of $xs taken with alternating signs, starting with a plus: the "
            "first value is added, the second subtracted, the third added, and so on. An "
            "empty list gives 0.",
            "Given integers $xs, add those at positions 0, 2, 4, ... and subtract those at "
            "positions 1, 3, 5, ...; return the result (0 when there are none).",
            "Compute $xs[0] - $xs[1] + $xs[2] - ... , so [6, 2, 5] gives 9 and [1, 4] gives -3.",
            "What is the total of the even-index elements of $xs minus the total of the "
            "odd-index elements? Zero for an empty list.",
            "Alternating-sign sum.\n\nSigns go +, -, +, - from the first element onward; a "
            "single element is returned as is and no elements give 0.",
        ),
        nouns=("the alternating sum of $xs (first element added, second subtracted, ...)",
               "the even-position total of $xs minus its odd-position total",
               "$xs summed with signs +, -, +, - from the front"),
        bodies=(
            "return sum($xs[0::2]) - sum($xs[1::2])",
            "total = 0\nsign = 1\nfor value in $xs:\n    total += sign * value\n"
            "    sign = -sign\nreturn total",
            "return functools.reduce(lambda acc, pair: acc + (pair[1] if pair[0] % 2 == 0 "
            "else -pair[1]),\n                        enumerate($xs), 0)",
        ),
        imports=("functools",),
    ),
    Idea(
        atom="join_ints_with",
        params=(("numbers", INTS), ("glue", STR)),
        returns=STR,
        names=("join_numbers", "numbers_to_text", "format_int_list", "implode_ints",
               "stringify_with_separator"),
        sentences=(
            "Return one string made of the numbers in $numbers written in decimal (negatives "
            "keep their minus sign), with $glue placed between neighbours but not at the ends; "
            "an empty list gives the empty string.",
            "Given a list of integers $numbers and a separator string $glue, turn each "
            "integer into text and concatenate them with $glue in between.",
            "Join the decimal forms of $numbers using $glue, e.g. [8, -4, 15] with \"/\" "
            "gives \"8/-4/15\" and a single number gives just its digits.",
            "What text do you get by writing out each integer of $numbers and putting $glue "
            "between consecutive ones? Nothing at all for an empty list.",
            "Render integers as a delimited string.\n\nEach number is converted with str(), "
            "so negatives show a leading '-', and the pieces are glued with $glue (which may "
            "be empty); no leading or trailing separator is added.",
        ),
        nouns=("the integers of $numbers written out and separated by $glue",
               "$numbers joined into one string with $glue between the numbers",
               "the text of $numbers, each number in decimal, delimited by $glue"),
        bodies=(
            "return $glue.join(map(str, $numbers))",
            "text = ''\nfor pos, value in enumerate($numbers):\n    if pos > 0:\n"
            "        text += $glue\n    text += str(value)\nreturn text",
        ),
    ),
    Idea(
        atom="elements_at_even_indices",
        params=(("xs", INTS),),
        returns=INTS,
        names=("every_other", "even_positions", "take_alternate", "even_indexed_items",
               "every_second_from_first"),
        sentences=(
            "Return every other element of $xs, starting with the first one, in the order "
            "they appear; [] if $xs is empty.",
            "Given a list $xs, keep the items at positions 0, 2, 4 and so on and discard the "
            "ones at odd positions.",
            "Take the even-indexed values of $xs: [8, 1, 6, 2, 7] gives [8, 6, 7], and a "
            "one-element list gives itself.",
            "Which elements of $xs sit at an even index (counting from 0)? Return them as a "
            "list, preserving order.",
            "Every second element.\n\nThe first element is kept, the second skipped, the "
            "third kept, and so on; an empty input gives an empty list.",
        ),
        nouns=("the even-indexed elements of $xs",
               "every other element of $xs, beginning with the first",
               "the items of $xs at positions 0, 2, 4, ..."),
        bodies=(
            "return [value for pos, value in enumerate($xs) if pos % 2 == 0]",
            "picked = []\npos = 0\nwhile pos < len($xs):\n    picked.append($xs[pos])\n"
            "    pos += 2\nreturn picked",
            "return list(itertools.islice($xs, 0, None, 2))",
        ),
        imports=("itertools",),
    ),
    Idea(
        atom="count_sign_changes",
        params=(("values", INTS),),
        returns=INT,
        names=("sign_flips", "number_of_sign_switches", "zero_crossings",
               "count_sign_flips", "sign_alternations"),
        sentences=(
            "Return how many neighbouring pairs in $values have opposite signs, one strictly "
            "positive and the other strictly negative. Zero counts as neither sign, so any "
            "pair involving 0 is ignored; lists shorter than two give 0.",
            "Given a list of integers $values, count the consecutive pairs where the sign "
            "flips from plus to minus or from minus to plus; a 0 never takes part in a flip.",
            "Count the sign changes between adjacent elements of $values: [4, -2, -7, 3] "
            "has 2, while [4, 0, -2] has none because 0 is unsigned.",
            "How many times does the sign switch between one element of $values and the "
            "next? Pairs containing a zero do not count, and fewer than two elements gives 0.",
            "Number of sign flips.\n\nOnly adjacent pairs are compared; a pair counts when "
            "one value is above zero and the other below zero.",
        ),
        nouns=("the number of adjacent pairs in $values with opposite (nonzero) signs",
               "how many times the sign flips between neighbours of $values",
               "the count of sign changes along $values, zeros never counting"),
        bodies=(
            "flips = 0\nfor pos in range(1, len($values)):\n    left, right = $values[pos - 1], "
            "$values[pos]\n    if (left > 0 and right < 0) or (left < 0 and right > 0):\n"
            "        flips += 1\nreturn flips",
            "return sum((prev > 0 > cur) or (prev < 0 < cur)\n"
            "           for prev, cur in zip($values, $values[1:]))",
        ),
    ),
    Idea(
        atom="clamp_to_range",
        params=(("nums", INTS), ("low", INT), ("high", INT)),
        returns=INTS,
        names=("clip_values", "bound_each", "limit_to_interval", "clip_list", "saturate"),
        sentences=(
            "Return a new list in which every number of $nums is clipped to the interval "
            "[$low, $high]: values under $low become $low, values over $high become $high, "
            "and values inside are unchanged. Assumes $low <= $high.",
            "Given $nums and bounds $low <= $high, force each value into the closed range "
            "between them and return the clipped list ([] for an empty input).",
            "Make each element of $nums lie between $low and $high inclusive, so clipping "
            "[-8, 3, 12] to 0..6 yields [0, 3, 6].",
            "What does $nums become when each value is limited to at least $low and at most "
            "$high? The result has the same length and order.",
            "Clamp a list to a range.\n\nAnything smaller than $low is raised to $low, "
            "anything larger than $high is lowered to $high, and everything else is kept; the "
            "caller guarantees $low <= $high.",
        ),
        nouns=("$nums with each value clipped into [$low, $high]",
               "the elements of $nums limited to the range $low..$high",
               "$nums clamped between $low and $high"),
        bodies=(
            "out = []\nfor v in $nums:\n    if v < $low:\n        out.append($low)\n"
            "    elif v > $high:\n        out.append($high)\n    else:\n        out.append(v)\n"
            "return out",
            "return [$low if v < $low else $high if v > $high else v for v in $nums]",
        ),
    ),
)
