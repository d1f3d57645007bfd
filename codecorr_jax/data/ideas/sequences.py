"""The sequences atoms' ideas in the corpus's own words and code (see `data.ideas`)."""

from codecorr_jax.data.ideas import Idea
from codecorr_jax.data.function_ops import BOOL, INT, INTS

IDEAS: tuple[Idea, ...] = (
    Idea(
        atom="tribonacci_terms",
        params=(("n", INT),),
        returns=INTS,
        names=("tribonacci_list", "first_tribonacci", "trib_sequence", "tribonacci_prefix",
               "three_term_fibonacci"),
        sentences=(
            "Return a list with the leading $n tribonacci numbers, where the sequence opens "
            "with 0, 0, 1 and every later number adds up the previous three; a non-positive "
            "$n gives [].",
            "Given a count $n, build the tribonacci sequence seeded with 0, 0, 1 (each next "
            "value is the total of the last three) and return its first $n values, or [] when "
            "$n is not positive.",
            "Produce $n terms of the tribonacci series 0, 0, 1, 1, 2, 4, 7, ... in which any "
            "term past the third is the sum of its three predecessors. Zero or negative $n "
            "yields an empty list.",
            "What are the first $n tribonacci numbers, starting 0, 0, 1 and summing the "
            "preceding three each step? Empty when $n <= 0.",
            "Tribonacci prefix.\n\nSeeds 0, 0, 1; then a[k] = a[k-1] + a[k-2] + a[k-3]. "
            "Returns the first $n entries, so $n = 2 gives [0, 0] and $n <= 0 gives [].",
        ),
        nouns=("the first $n tribonacci numbers (seeded 0, 0, 1)",
               "the opening $n terms of the tribonacci sequence, [] if $n <= 0",
               "a list of $n tribonacci values starting 0, 0, 1"),
        bodies=(
            "a, b, c = 0, 0, 1\nout = []\nfor _ in range($n):\n    out.append(a)\n"
            "    a, b, c = b, c, a + b + c\nreturn out",
            "seq = [0, 0, 1][:max($n, 0)]\nwhile len(seq) < $n:\n"
            "    seq.append(sum(seq[-3:]))\nreturn seq",
        ),
    ),
    Idea(
        atom="collatz_steps",
        params=(("n", INT),),
        returns=INT,
        names=("hailstone_length", "steps_to_one", "count_hailstone_moves",
               "three_n_plus_one_steps", "stopping_time"),
        sentences=(
            "Return how many moves of the 3n + 1 process it takes for $n to reach 1: halve "
            "an even number, otherwise triple it and add one. Values of $n at or below 1 "
            "need 0 moves.",
            "Given a starting integer $n, follow the hailstone rule (even: divide by two, "
            "odd: multiply by three and add one) and count the moves until the value is 1; "
            "answer 0 if $n <= 1.",
            "Count the iterations of the Collatz map needed to bring $n to 1. For example 5 "
            "goes 16, 8, 4, 2, 1, which is 5 moves. Inputs of 1 or less give 0.",
            "How many hailstone steps does $n need before it hits 1? Even values are halved, "
            "odd ones become 3 * value + 1; for $n <= 1 the answer is 0.",
            "Collatz stopping time.\n\nRepeatedly maps $n to $n // 2 (even) or 3 * $n + 1 "
            "(odd) and returns the number of maps applied before reaching 1. Zero, one and "
            "negative inputs return 0.",
        ),
        nouns=("the number of hailstone moves that take $n down to 1 (0 if $n <= 1)",
               "the Collatz stopping time of $n",
               "how many 3x + 1 iterations $n needs to reach 1"),
        bodies=(
            "count = 0\nvalue = $n\nwhile value > 1:\n    if value % 2:\n"
            "        value = 3 * value + 1\n    else:\n        value //= 2\n    count += 1\n"
            "return count",
            "value = $n\nfor moves in itertools.count():\n    if value <= 1:\n"
            "        return moves\n    value = value * 3 + 1 if value & 1 else value >> 1",
        ),
        imports=("itertools",),
    ),
    Idea(
        atom="consecutive_differences",
        params=(("xs", INTS),),
        returns=INTS,
        names=("deltas", "pairwise_gaps", "successive_differences", "first_differences",
               "step_sizes"),
        sentences=(
            "Return the list of gaps between neighbouring items of $xs, each computed as the "
            "later item minus the earlier one; it has one element fewer than $xs and is [] "
            "when $xs has under two items.",
            "Given a list $xs, subtract every element from the element that follows it and "
            "return those results in order; fewer than two elements give [].",
            "Compute the first differences of $xs: position k holds $xs[k + 1] - $xs[k]. "
            "Lists of length 0 or 1 give [].",
            "What are the step sizes between adjacent values of $xs, next minus current? For "
            "[10, 4, 4, 9] that is [-6, 0, 5]; a list of under two values has none.",
            "First differences of a sequence.\n\nThe output is one shorter than $xs, each "
            "entry being an element subtracted from its successor; fewer than two elements "
            "yield an empty list.",
        ),
        nouns=("the successive differences of $xs (next minus current)",
               "the gaps between adjacent elements of $xs",
               "the first-difference list of $xs, one shorter than it"),
        bodies=(
            "return [$xs[i + 1] - $xs[i] for i in range(len($xs) - 1)]",
            "out = []\nfor i in range(1, len($xs)):\n    out.append($xs[i] - $xs[i - 1])\n"
            "return out",
            "return list(map(operator.sub, $xs[1:], $xs[:-1]))",
        ),
        imports=("operator",),
    ),
    Idea(
        atom="prefix_products",
        params=(("nums", INTS),),
        returns=INTS,
        names=("cumulative_product", "running_products", "partial_products",
               "accumulate_product"),
        sentences=(
            "Return the cumulative products of $nums: entry k is $nums[0] * ... * $nums[k]. "
            "An empty list gives [].",
            "Given a list $nums, multiply the elements together from the left and record the "
            "product after each one ([] for an empty list).",
            "Compute the running product of $nums, so [3, -1, 2, 0, 7] becomes "
            "[3, -3, -6, 0, 0]; once a zero appears every later entry is 0.",
            "What is the product of each prefix of $nums, from the first element alone up to "
            "the whole list? No elements means no products.",
            "Running product.\n\nThe k-th output is the product of the first k + 1 numbers of "
            "$nums, so the result is as long as $nums ([] for an empty list).",
        ),
        nouns=("the cumulative products of $nums",
               "the running product of $nums, one entry per element",
               "the list of prefix products of $nums"),
        bodies=(
            "return list(itertools.accumulate($nums, operator.mul))",
            "out = []\nfor i, x in enumerate($nums):\n"
            "    out.append(x if i == 0 else out[-1] * x)\nreturn out",
            "return [functools.reduce(operator.mul, $nums[:k + 1]) for k in range(len($nums))]",
        ),
        imports=("functools", "itertools", "operator"),
    ),
    Idea(
        atom="arithmetic_terms",
        params=(("first", INT), ("diff", INT), ("count", INT)),
        returns=INTS,
        names=("arithmetic_sequence", "linear_sequence", "evenly_spaced", "progression_terms",
               "make_progression"),
        sentences=(
            "Return $count numbers that begin with $first and grow by $diff each time (the "
            "increment may be zero or negative); a $count of zero or less gives [].",
            "Given a start value $first, a common difference $diff and a length $count, list "
            "the arithmetic progression $first, $first + $diff, $first + 2 * $diff, ... with "
            "$count entries (none if $count <= 0).",
            "Build an arithmetic progression of $count terms starting at $first with constant "
            "gap $diff, e.g. first=4, diff=-5, count=3 gives [4, -1, -6]; a $count below 1 "
            "gives [].",
            "What are the first $count terms of the progression that starts at $first and "
            "steps by $diff? None at all when $count <= 0.",
            "Terms of an arithmetic progression.\n\nTerm k (from 0) equals $first + k * $diff; "
            "$count terms are returned, and a non-positive $count means an empty list.",
        ),
        nouns=("the $count-term arithmetic progression from $first with difference $diff",
               "the terms $first, $first + $diff, ... ($count of them)",
               "the first $count values of the progression starting at $first, step $diff"),
        bodies=(
            "terms = []\nvalue = $first\nfor _ in range($count):\n    terms.append(value)\n"
            "    value += $diff\nreturn terms",
            "return list(itertools.islice(itertools.count($first, $diff), max($count, 0)))",
        ),
        imports=("itertools",),
    ),
    Idea(
        atom="is_arithmetic_progression",
        params=(("xs", INTS),),
        returns=BOOL,
        names=("has_constant_step", "evenly_spaced_check", "is_linear_sequence",
               "constant_difference", "equal_gaps"),
        sentences=(
            "Return True if $xs goes up or down by one fixed amount at every step (a constant "
            "list qualifies), else False; lists of fewer than three values are always True.",
            "Given a list $xs, decide whether all gaps between neighbouring entries are equal, "
            "i.e. whether $xs forms an arithmetic sequence; fewer than three entries give True.",
            "Check that $xs has a single common difference between consecutive elements, "
            "returning a bool. [8, 5, 2, -1] passes, [1, 2, 4] fails, and any list of length "
            "0, 1 or 2 passes.",
            "Is $xs an arithmetic progression, with every next-minus-current difference the "
            "same? Short lists (under three items) count as yes.",
            "Constant-step test.\n\nTrue when $xs[k + 1] - $xs[k] is the same for every k "
            "(zero steps included), False otherwise; empty, single and two-element lists "
            "are True.",
        ),
        nouns=("whether $xs has one common difference between neighbours",
               "whether $xs is an arithmetic sequence",
               "True if the steps of $xs are all equal, else False"),
        bodies=(
            "if len($xs) < 3:\n    return True\ngap = $xs[1] - $xs[0]\n"
            "for i in range(2, len($xs)):\n    if $xs[i] - $xs[i - 1] != gap:\n"
            "        return False\nreturn True",
            "return all($xs[i] - $xs[i - 1] == $xs[1] - $xs[0] for i in range(2, len($xs)))",
            "return len(set(map(operator.sub, $xs[1:], $xs))) < 2",
        ),
        imports=("operator",),
    ),
    Idea(
        atom="look_and_say_step",
        params=(("xs", INTS),),
        returns=INTS,
        names=("describe_runs", "say_what_you_see", "run_length_pairs", "audioactive_next",
               "next_look_and_say"),
        sentences=(
            "Return the next look-and-say term of $xs: scan left to right, and for each block "
            "of identical neighbouring values write how long the block is followed by the "
            "value itself. An empty list gives [].",
            "Given a list of digits $xs, read it aloud in runs (\"three 7s, one 2\") and "
            "return the spoken form as numbers, count before value, e.g. [7, 7, 7, 2] "
            "gives [3, 7, 1, 2]; [] gives [].",
            "Encode $xs as (run length, value) pairs flattened into one list, one pair per "
            "maximal group of equal adjacent elements, in order; an empty $xs gives [].",
            "What does one round of the look-and-say rule turn $xs into, each run of equal "
            "values replaced by its length and then its value? (Empty stays empty.)",
            "One look-and-say iteration.\n\nEvery maximal stretch of repeated adjacent values "
            "in $xs becomes two numbers, the stretch length then the repeated value; [] "
            "stays [].",
        ),
        nouns=("the look-and-say successor of $xs",
               "$xs described run by run as length-then-value pairs",
               "the run-length reading of $xs, count before value"),
        bodies=(
            "out = []\nfor value, group in itertools.groupby($xs):\n"
            "    out.extend([len(list(group)), value])\nreturn out",
            "result = []\ni = 0\nwhile i < len($xs):\n    j = i\n"
            "    while j < len($xs) and $xs[j] == $xs[i]:\n        j += 1\n"
            "    result += [j - i, $xs[i]]\n    i = j\nreturn result",
        ),
        imports=("itertools",),
    ),
    Idea(
        atom="next_term_by_differences",
        params=(("xs", INTS),),
        returns=INT,
        names=("extrapolate_next", "predict_following", "difference_table_forecast",
               "next_value_guess", "newton_forward_next"),
        sentences=(
            "Return the value predicted to follow $xs by a difference table: add up the last "
            "entry of $xs and the last entry of each successive difference row (later minus "
            "earlier), stopping at the first row that is empty or all zeros. A one-item list "
            "predicts its item; an empty list, or one of only zeros, yields 0.",
            "Given a sequence $xs, keep taking differences of neighbours until nothing is "
            "left or only zeros remain, and return the sum of the final elements of $xs and "
            "of every row built before that point (0 if $xs itself is empty or all zeros).",
            "Work out the next value of $xs with finite differences, so the squares "
            "[4, 9, 16, 25] give 36 and a constant [6, 6] gives 6. Rows that are empty or all "
            "zero end the process and add nothing, so [] gives 0.",
            "What comes next after $xs if each difference layer is extended by its last value? "
            "Sum the tail element of $xs and of each difference layer until a layer is empty "
            "or entirely zero; [] gives 0.",
            "Next term from a difference table.\n\nThe result is the sum of the last items of "
            "$xs, of its first differences, of their differences, and so on, up to (not "
            "including) the first row that is empty or all zeros.",
        ),
        nouns=("the next term of $xs predicted by finite differences",
               "the difference-table extrapolation of $xs",
               "the value that would follow $xs by repeated differencing"),
        bodies=(
            "row = list($xs)\nresult = 0\nwhile row and any(v != 0 for v in row):\n"
            "    result += row[-1]\n    row = [row[k] - row[k - 1] for k in range(1, len(row))]\n"
            "return result",
            "rows = []\ncur = list($xs)\nwhile any(cur):\n    rows.append(cur)\n"
            "    cur = list(map(operator.sub, cur[1:], cur[:-1]))\n"
            "return sum(r[-1] for r in rows)",
        ),
        imports=("operator",),
    ),
    Idea(
        atom="triangular_numbers",
        params=(("n", INT),),
        returns=INTS,
        names=("triangle_numbers", "first_triangular", "triangular_sequence",
               "sums_one_to_k", "triangle_list"),
        sentences=(
            "Return the first $n triangle numbers 1, 3, 6, 10, 15, ..., the k-th being the "
            "sum of the integers from 1 to k; an empty list when $n is zero or negative.",
            "Given $n, list the triangular numbers T(1) through T($n), where T(k) = "
            "k * (k + 1) / 2; if $n < 1 the list is empty.",
            "Produce the running totals of 1, 2, 3, ..., $n, which are the triangular "
            "numbers; $n <= 0 gives [].",
            "What are the first $n triangular numbers? For $n = 5 they are [1, 3, 6, 10, 15], "
            "and for a non-positive $n there are none.",
            "Triangular numbers.\n\nThe k-th entry (k from 1 to $n) is 1 + 2 + ... + k. "
            "Nothing is returned for $n below 1 (an empty list).",
        ),
        nouns=("the first $n triangular numbers",
               "the triangle numbers T(1) to T($n) (empty if $n <= 0)",
               "the running sums of 1 through $n"),
        bodies=(
            "return list(itertools.accumulate(range(1, $n + 1)))",
            "out = []\ntotal = 0\nfor k in range(1, $n + 1):\n    total += k\n"
            "    out.append(total)\nreturn out",
        ),
        imports=("itertools",),
    ),
    Idea(
        atom="longest_increasing_run",
        params=(("xs", INTS),),
        returns=INT,
        names=("longest_rising_streak", "max_ascending_stretch", "longest_climb",
               "rising_run_length", "strictly_increasing_streak"),
        sentences=(
            "Return the length of the longest stretch of neighbouring elements of $xs that "
            "strictly rises at every step; equal neighbours break a stretch, one element is "
            "a stretch of 1, and an empty list gives 0.",
            "Given $xs, find the longest contiguous strictly ascending segment and return how "
            "many elements it has (0 for an empty list).",
            "Compute the size of the biggest block of consecutive entries of $xs in which each "
            "entry exceeds the previous one, e.g. [6, 1, 4, 8, 8, 9] gives 3; [] gives 0.",
            "How long is the longest contiguous strictly increasing streak in $xs? A repeat "
            "ends the streak; a lone value has length 1 and [] has 0.",
            "Longest strictly rising contiguous run.\n\nCounts elements, not steps, so any "
            "non-empty $xs gives at least 1; an empty $xs gives 0.",
        ),
        nouns=("the length of the longest strictly increasing stretch of adjacent items of "
               "$xs",
               "the size of the longest contiguous rising segment of $xs (0 if empty)",
               "how many elements the longest strictly ascending run of $xs has"),
        bodies=(
            "best = 0\ncurrent = 0\nprev = None\nfor v in $xs:\n"
            "    current = current + 1 if prev is not None and v > prev else 1\n"
            "    best = max(best, current)\n    prev = v\nreturn best",
            "if not $xs:\n    return 0\nbest = streak = 1\nfor k in range(1, len($xs)):\n"
            "    streak = streak + 1 if $xs[k] > $xs[k - 1] else 1\n    if streak > best:\n"
            "        best = streak\nreturn best",
        ),
    ),
)
