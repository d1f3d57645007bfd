"""The counting atoms' ideas in the corpus's own words and code (see `data.ideas`)."""

from codecorr_jax.data.ideas import Idea
from codecorr_jax.data.function_ops import BOOL, INT, INTS, STR, STRS

IDEAS: tuple[Idea, ...] = (
    Idea(
        atom="count_distinct",
        params=(("xs", INTS),),
        returns=INT,
        names=("number_of_unique_values", "unique_count", "distinct_value_count",
               "how_many_different", "count_unique"),
        sentences=(
            "Return how many different values appear in $xs, counting each value once no "
            "matter how often it repeats; an empty list gives 0.",
            "Given a list of integers $xs, report the size of the set of its values (repeats "
            "collapse into one); 0 when $xs is empty.",
            "Count the unique integers in $xs. Duplicates are counted a single time, and an "
            "empty input yields 0.",
            "How many different numbers does $xs contain? Each value counts once, so an empty "
            "list has 0.",
            "Number of unique entries.\n\nRepeated values in $xs are counted only once: "
            "[6, 6, 8, 6, -8] gives 3, and [] gives 0.",
        ),
        nouns=("the number of different values in $xs",
               "how many unique integers $xs holds (0 if it is empty)",
               "the count of distinct entries of $xs"),
        bodies=(
            "seen = set()\nfor value in $xs:\n    seen.add(value)\nreturn len(seen)",
            "return len(collections.Counter($xs))",
            "return len(dict.fromkeys($xs))",
        ),
        imports=("collections",),
    ),
    Idea(
        atom="most_frequent_value",
        params=(("xs", INTS),),
        returns=INT,
        names=("mode_of", "commonest_value", "most_common_number", "top_occurring",
               "find_mode"),
        sentences=(
            "Return the mode of $xs, the value seen the most times; if several values share "
            "the top count the smallest one wins, and an empty list gives 0.",
            "Given a list $xs, find the number that appears most often. Ties on frequency go "
            "to the lowest value; return 0 if $xs has no elements.",
            "Find the commonest integer in $xs, breaking ties in favour of the smaller value. "
            "An empty list yields 0.",
            "Which value occurs the greatest number of times in $xs? On a tie pick the least "
            "such value; for [] answer 0.",
            "Mode of a list of ints.\n\nThe most repeated element of $xs is returned; among "
            "equally common values the minimum is chosen, so [9, 4, 9, 4] gives 4. Empty "
            "input gives 0.",
        ),
        nouns=("the most common value of $xs (smallest on ties, 0 if empty)",
               "the mode of $xs, ties broken toward the lower value",
               "whichever number turns up most often in $xs, the least of any tie"),
        bodies=(
            "if not $xs:\n    return 0\ntally = collections.Counter($xs)\n"
            "top = max(tally.values())\nreturn min(v for v, c in tally.items() if c == top)",
            "best_value, best_count = 0, 0\ncounts = {}\nfor v in $xs:\n"
            "    counts[v] = counts.get(v, 0) + 1\nfor v in sorted(counts):\n"
            "    if counts[v] > best_count:\n        best_value, best_count = v, counts[v]\n"
            "return best_value",
            "return max(sorted(set($xs)), key=$xs.count, default=0)",
        ),
        imports=("collections",),
    ),
    Idea(
        atom="char_counts_in_order",
        params=(("s", STR),),
        returns=INTS,
        names=("letter_tallies", "character_frequencies", "tally_chars", "char_histogram",
               "occurrences_per_char"),
        sentences=(
            "Return a list of counts, one per different character of $s, taken in the order "
            "each character first shows up; case matters, and an empty string gives [].",
            "Given a string $s, tally how often every character occurs and list those tallies "
            "by first appearance ('A' and 'a' are separate). Empty input gives [].",
            "Count each character of $s, case-sensitively, and produce the counts ordered by "
            "where the character is first seen; [] for ''.",
            "How many times does each distinct character occur in $s, listed in order of first "
            "appearance? Upper and lower case are different; '' gives [].",
            "Character frequencies in first-seen order.\n\nFor 'mississippi' this is "
            "[1, 4, 4, 2] (m, i, s, p). Characters are matched exactly, and the empty "
            "string yields an empty list.",
        ),
        nouns=("the occurrence count of each character of $s, in first-appearance order",
               "the per-character tallies of $s ordered by first occurrence (case-sensitive)",
               "how often every distinct character of $s appears, listed as first seen"),
        bodies=(
            "order = []\ntally = {}\nfor ch in $s:\n    if ch not in tally:\n"
            "        order.append(ch)\n        tally[ch] = 0\n    tally[ch] += 1\n"
            "return [tally[ch] for ch in order]",
            "return [$s.count(ch) for ch in dict.fromkeys($s)]",
        ),
    ),
    Idea(
        atom="values_occurring_once",
        params=(("nums", INTS),),
        returns=INTS,
        names=("non_repeated", "singletons", "unique_only", "lonely_values",
               "keep_unrepeated"),
        sentences=(
            "Return the items of $nums that appear only a single time in it, keeping their "
            "original order; the result is [] if every value repeats or $nums is empty.",
            "Given $nums, keep just the numbers whose value is not repeated anywhere in the "
            "list, in the order they occur. No such number, or no input, gives [].",
            "Find the values of $nums that occur exactly once and keep them in order; any "
            "value seen two or more times is dropped entirely, possibly leaving [].",
            "Which elements of $nums have no duplicate in the list? Return them in their "
            "input order, or [] if there are none.",
            "Drop every value that repeats.\n\nA value seen more than once in $nums is removed "
            "completely; the rest keep their order. So [8, 2, 8, 6, 5, 2] becomes [6, 5], "
            "and an empty list stays empty.",
        ),
        nouns=("the elements of $nums that occur just once, in order",
               "$nums without any value that appears more than one time",
               "the unrepeated values of $nums in their original order"),
        bodies=(
            "tally = collections.Counter($nums)\nsingles = []\nfor value in $nums:\n"
            "    if tally[value] == 1:\n        singles.append(value)\nreturn singles",
            "return list(filter(lambda v: $nums.count(v) == 1, $nums))",
        ),
        imports=("collections",),
    ),
    Idea(
        atom="repeated_values_sorted",
        params=(("xs", INTS),),
        returns=INTS,
        names=("sorted_duplicates", "find_duplicates", "duplicated_values", "dupes",
               "values_seen_twice"),
        sentences=(
            "Return every value that appears two or more times in $xs, listed once each in "
            "increasing order; [] when nothing repeats or $xs is empty.",
            "Given a list of ints $xs, collect the numbers that have a duplicate and return "
            "them sorted from low to high without repeats ([] if there are none).",
            "Find the duplicated values of $xs and give them back in ascending order, each one "
            "a single time. An empty list or one with no repeats gives [].",
            "Which numbers occur more than once in $xs? Answer with those numbers, each once, "
            "smallest first, or [] when nothing repeats.",
            "Sorted duplicates.\n\nAny value found at least twice in $xs is reported exactly "
            "once, and the report is in ascending order: [4, -6, 4, 9, -6, -6] gives [-6, 4].",
        ),
        nouns=("the values that repeat in $xs, each once, sorted ascending",
               "the sorted list of numbers occurring two or more times in $xs",
               "the duplicated entries of $xs in increasing order, without repetition"),
        bodies=(
            "seen = set()\ndupes = set()\nfor v in $xs:\n    if v in seen:\n"
            "        dupes.add(v)\n    seen.add(v)\nreturn sorted(dupes)",
            "return [k for k, g in itertools.groupby(sorted($xs)) if len(list(g)) > 1]",
            "return sorted({v for v in $xs if $xs.count(v) >= 2})",
        ),
        imports=("itertools",),
    ),
    Idea(
        atom="count_pairs_with_sum",
        params=(("nums", INTS), ("total", INT)),
        returns=INT,
        names=("pairs_adding_to", "two_sum_count", "number_of_summing_pairs",
               "matching_pair_count"),
        sentences=(
            "Return how many pairs of positions i < j in $nums have $nums[i] + $nums[j] equal "
            "to $total; each pair of indices counts once, and lists shorter than two give 0.",
            "Given integers $nums and a goal $total, count the index pairs (i, j), i before j, "
            "whose two elements add up to $total; with fewer than two elements the count is 0.",
            "Count the unordered pairs of distinct positions in $nums whose values sum to "
            "$total. Equal values at different indices form separate pairs, so [3, 3, 3] "
            "with goal 6 gives 3, while an empty list gives 0.",
            "In how many ways can two different positions of $nums be chosen so that their "
            "values total $total? Fewer than two elements means 0.",
            "Two-sum pair counter.\n\nEvery choice of two indices i < j with "
            "$nums[i] + $nums[j] == $total adds one to the result; an empty or one-element "
            "list gives 0.",
        ),
        nouns=("the number of index pairs i < j of $nums whose values sum to $total",
               "how many two-element position pairs of $nums add up to $total",
               "the count of pairs in $nums (by position) totalling $total"),
        bodies=(
            "return sum(1 for a, b in itertools.combinations($nums, 2) if a + b == $total)",
            "count = 0\nfor i in range(len($nums)):\n    for j in range(i + 1, len($nums)):\n"
            "        if $nums[i] + $nums[j] == $total:\n            count += 1\nreturn count",
            "earlier = collections.Counter()\nfound = 0\nfor v in $nums:\n"
            "    found += earlier[$total - v]\n    earlier[v] += 1\nreturn found",
        ),
        imports=("collections", "itertools"),
    ),
    Idea(
        atom="has_all_unique_chars",
        params=(("s", STR),),
        returns=BOOL,
        names=("no_repeated_chars", "chars_are_distinct", "is_isogram", "all_letters_differ",
               "unique_characters"),
        sentences=(
            "Return True when every character of $s is different from all the others, False "
            "as soon as one repeats. Case counts ('Q' is not 'q'), and '' is True.",
            "Given a string $s, decide whether it is free of repeated characters, comparing "
            "characters exactly; the empty string passes.",
            "Check that no character appears twice in $s. Returns a bool; upper and lower "
            "case are distinct, and an empty string gives True.",
            "Does each character of $s occur at most once? Matching is case-sensitive and an "
            "empty string counts as yes.",
            "Test for repeat-free strings.\n\n'xyz' and 'Bb' are True, 'xyzy' is False; an "
            "empty $s is True.",
        ),
        nouns=("whether every character of $s is unique (case-sensitive)",
               "True if $s has no repeated character, else False",
               "whether $s is free of duplicate characters"),
        bodies=(
            "seen = set()\nfor ch in $s:\n    if ch in seen:\n        return False\n"
            "    seen.add(ch)\nreturn True",
            "return all(c == 1 for c in collections.Counter($s).values())",
            "return len(dict.fromkeys($s)) == len($s)",
        ),
        imports=("collections",),
    ),
    Idea(
        atom="strings_by_frequency",
        params=(("words", STRS),),
        returns=STRS,
        names=("rank_by_count", "words_by_popularity", "frequency_ranking",
               "order_by_occurrences", "most_common_first"),
        sentences=(
            "Return the different strings of $words, each once, sorted so the most frequent "
            "comes first; strings that occur equally often are sorted alphabetically. An "
            "empty list gives [].",
            "Given a list of strings $words, rank the unique ones by how many times they "
            "appear, highest count first, breaking ties in alphabetical order; [] gives [].",
            "Sort the distinct entries of $words by descending frequency, using plain string "
            "order among entries with the same count. No duplicates are output, and an empty "
            "input gives an empty list.",
            "What are the unique words of $words ordered from most to least common, with "
            "equally common words in dictionary order? (None for an empty list.)",
            "Frequency ranking of strings.\n\nEach distinct string of $words appears once; "
            "higher counts come earlier and equal counts are alphabetical, so "
            "['fig', 'kiwi', 'fig', 'lime', 'kiwi'] gives ['fig', 'kiwi', 'lime'].",
        ),
        nouns=("the distinct strings of $words ordered by falling frequency, ties "
               "alphabetical",
               "the unique entries of $words ranked most common first",
               "$words deduplicated and sorted by count, then alphabetically"),
        bodies=(
            "tally = collections.Counter($words)\n"
            "return sorted(sorted(tally), key=lambda w: tally[w], reverse=True)",
            "counts = {}\nfor w in $words:\n    counts[w] = counts.get(w, 0) + 1\n"
            "return [w for _, w in sorted((-c, w) for w, c in counts.items())]",
        ),
        imports=("collections",),
    ),
    Idea(
        atom="running_occurrence_count",
        params=(("xs", INTS),),
        returns=INTS,
        names=("times_seen_before", "prior_occurrences", "occurrence_index",
               "earlier_match_counts", "seen_so_far"),
        sentences=(
            "Return a list giving, for each position of $xs, how many earlier positions hold the "
            "same value; it is as long as $xs, and [] for an empty list.",
            "Given $xs, produce a list where entry i says how often $xs[i] already appeared "
            "before index i. The first occurrence of any value gets 0.",
            "Compute, element by element, the number of previous copies of that element in "
            "$xs, so [4, 8, 4, 4] becomes [0, 0, 1, 2] and [] stays [].",
            "How many times has each value of $xs been seen before its own position? Answer "
            "with one count per element, [] for no elements.",
            "Prior-occurrence counts.\n\nPosition i of the output is the number of j < i with "
            "$xs[j] == $xs[i]; the output is as long as $xs.",
        ),
        nouns=("the count of earlier equal elements for each position of $xs",
               "for every element of $xs, how many times its value occurred before it",
               "the list of prior-occurrence counts of $xs"),
        bodies=(
            "return [$xs[:i].count(v) for i, v in enumerate($xs)]",
            "tally = collections.Counter()\nresult = []\nfor v in $xs:\n"
            "    result.append(tally[v])\n    tally[v] += 1\nreturn result",
        ),
        imports=("collections",),
    ),
    Idea(
        atom="count_anagram_classes",
        params=(("words", STRS),),
        returns=INT,
        names=("anagram_group_count", "number_of_anagram_groups", "distinct_letter_bags",
               "count_letter_multisets"),
        sentences=(
            "Return how many groups $words falls into when strings that are anagrams of each "
            "other (same letters, same multiplicities) share a group. Repeats count once, '' "
            "is a group of its own, and [] gives 0.",
            "Given a list of strings $words, count the different sorted-letter signatures "
            "among them, i.e. the number of anagram groups; an empty list gives 0.",
            "Count the anagram families in $words: 'stop', 'pots' and 'tops' form one family, "
            "'post' joins it, 'spot!' would not. Repeats count once, the empty string is "
            "its own family, and no words give 0.",
            "How many distinct multisets of characters appear among $words? Strings that "
            "rearrange into each other count as one; no words means 0.",
            "Number of anagram groups.\n\nTwo strings of $words belong together when sorting "
            "their characters gives the same result. Identical strings collapse, the empty "
            "string forms its own group, and an empty list yields 0.",
        ),
        nouns=("the number of anagram groups among $words",
               "how many different letter multisets occur in $words",
               "the count of distinct sorted-character keys of $words"),
        bodies=(
            "keys = set()\nfor w in $words:\n    keys.add(tuple(sorted(w)))\nreturn len(keys)",
            "return len({frozenset(collections.Counter(w).items()) for w in $words})",
        ),
        imports=("collections",),
    ),
)
