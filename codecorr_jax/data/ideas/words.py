"""The words atoms' ideas in the corpus's own words and code (see `data.ideas`)."""

from codecorr_jax.data.ideas import Idea
from codecorr_jax.data.function_ops import INT, INTS, STR, STRS

IDEAS: tuple[Idea, ...] = (
    Idea(
        atom="split_sentence_words",
        params=(("text", STR),),
        returns=STRS,
        names=("tokenize_words", "words_of", "whitespace_split", "split_on_whitespace",
               "get_words"),
        sentences=(
            "Return the list of whitespace-separated words in $text, in order; a run of spaces, "
            "tabs or newlines counts as one separator and nothing empty is produced, so a blank "
            "$text gives [].",
            "Given a line of text $text, break it into words wherever whitespace occurs, "
            "ignoring whitespace at both ends and gaps of any width between words; return [] "
            "when there are no words.",
            "Split $text on whitespace into its words: '  big   red dog ' gives ['big', 'red', "
            "'dog'] and '   ' gives [].",
            "What words does $text contain when any amount of whitespace separates them? List "
            "them left to right, with no empty strings for leading, trailing or doubled blanks.",
            "Whitespace tokenizer.\n\nThe words of $text are the maximal stretches of "
            "non-whitespace characters; they are returned in order, and an empty or all-blank "
            "string has none.",
        ),
        nouns=("the whitespace-separated words of $text",
               "the list of words in $text, split on runs of whitespace",
               "$text broken into words at whitespace, blanks at the ends ignored"),
        bodies=(
            "found = []\ncurrent = \"\"\nfor symbol in $text:\n    if symbol.isspace():\n"
            "        if current:\n            found.append(current)\n        current = \"\"\n"
            "    else:\n        current += symbol\nif current:\n    found.append(current)\n"
            "return found",
            "return [\"\".join(grp) for blank, grp in itertools.groupby($text, str.isspace) "
            "if not blank]",
        ),
        imports=("itertools",),
    ),
    Idea(
        atom="join_words_with",
        params=(("words", STRS), ("sep", STR)),
        returns=STR,
        names=("join_with_separator", "glue_words", "concat_with_sep", "implode",
               "delimit_words"),
        sentences=(
            "Return the strings of $words concatenated with $sep placed between each "
            "neighbouring pair but not before the first or after the last; an empty list "
            "gives ''.",
            "Given a list of strings $words and a separator $sep, glue the strings together in "
            "order with $sep in between; a single word comes back alone and [] gives ''.",
            "Join $words into one string using $sep as the delimiter, e.g. ['to', 'be'] with "
            "'+' gives 'to+be' and ['solo'] gives 'solo'.",
            "What single string do you get by chaining the items of $words with $sep between "
            "consecutive items (nothing at the ends, '' for no items)?",
            "Concatenate words with a separator.\n\nThe items of $words are written one after "
            "another with $sep between each adjacent pair; $sep may be empty or several "
            "characters long, and an empty list yields the empty string.",
        ),
        nouns=("the items of $words joined by $sep",
               "$words glued together with $sep between neighbours",
               "the $sep-delimited concatenation of $words"),
        bodies=(
            "out = \"\"\nfor pos, item in enumerate($words):\n    if pos:\n        out += $sep\n"
            "    out += item\nreturn out",
            "if not $words:\n    return \"\"\n"
            "return functools.reduce(lambda acc, item: acc + $sep + item, $words)",
        ),
        imports=("functools",),
    ),
    Idea(
        atom="capitalize_words",
        params=(("words", STRS),),
        returns=STRS,
        names=("capitalize_each", "title_case_list", "cap_first_letters", "capitalise_all",
               "proper_case_list"),
        sentences=(
            "Return a new list where every string of $words has its first character in upper "
            "case and the rest in lower case ('mIXED' turns into 'Mixed'); empty strings are "
            "kept empty and [] gives [].",
            "Given a list of strings $words, capitalise each one: upper-case the initial "
            "character and lower-case all that follow; the result has the same length and "
            "order.",
            "Convert each word in $words to capitalized form, as str.capitalize does: ['jAVA', "
            "'go', '9LIVES'] becomes ['Java', 'Go', '9lives'], and an empty word stays ''.",
            "What does $words look like with every entry capitalized, meaning first character "
            "upper and all others lower? Empty entries and an empty list come back unchanged.",
            "Capitalize every word of a list.\n\nFor each string in $words the leading "
            "character is uppercased and the remaining characters are lowercased; a new list is "
            "returned, with '' left as '' and [] giving [].",
        ),
        nouns=("$words with each word capitalized (first character upper, rest lower)",
               "the capitalized forms of the strings in $words",
               "a copy of $words where every entry is first-upper, rest-lower"),
        bodies=(
            "return list(map(str.capitalize, $words))",
            "out = []\nfor item in $words:\n    out.append(item.capitalize())\nreturn out",
        ),
    ),
    Idea(
        atom="longest_word",
        params=(("words", STRS),),
        returns=STR,
        names=("longest_string", "find_longest", "max_length_word", "pick_longest",
               "longest_item"),
        sentences=(
            "Return the word of $words with the most characters; if several are equally long, "
            "the one that comes first wins, and an empty list gives ''.",
            "Given a list of strings $words, pick the longest one, breaking ties in favour of "
            "the earliest; return the empty string when $words is empty.",
            "Find the longest string in $words, preferring the earlier of equally long strings: "
            "['ox', 'bee', 'ant'] gives 'bee' and [] gives ''.",
            "Which entry of $words is the longest, taking the first one among ties? Answer '' "
            "for an empty list.",
            "Longest word, first on ties.\n\nScans $words and keeps the first string whose "
            "length beats every string before it; with no strings at all the result is ''.",
        ),
        nouns=("the longest string in $words (first of any tie, '' if none)",
               "the earliest word of maximal length in $words",
               "the first longest entry of $words"),
        bodies=(
            "best = \"\"\nfor item in $words:\n    if len(item) > len(best):\n        best = item\n"
            "return best",
            "if not $words:\n    return \"\"\nreturn sorted($words, key=len, reverse=True)[0]",
        ),
    ),
    Idea(
        atom="word_lengths",
        params=(("words", STRS),),
        returns=INTS,
        names=("lengths_of_words", "length_list", "string_lengths", "measure_words",
               "char_count_per_word"),
        sentences=(
            "Return a list with the number of characters of each string in $words, position by "
            "position; [] gives [].",
            "Given a list of strings $words, compute len() of each one and return the lengths in "
            "the same order (an empty word has length 0).",
            "Compute the lengths of the strings in $words, e.g. ['tree', '', 'sky'] gives "
            "[4, 0, 3], and an empty list gives [].",
            "How many characters does each entry of $words have? Return the counts as a list "
            "aligned with $words, empty for an empty list.",
            "Lengths of words.\n\nMaps every string of $words to its character count, keeping "
            "order; an empty input list produces an empty output list.",
        ),
        nouns=("the character counts of the strings in $words, in order",
               "the length of each word of $words",
               "the list of len() values of $words"),
        bodies=(
            "return list(map(len, $words))",
            "sizes = []\nfor item in $words:\n    sizes.append(len(item))\nreturn sizes",
        ),
    ),
    Idea(
        atom="acronym_of_words",
        params=(("words", STRS),),
        returns=STR,
        names=("make_acronym", "initials", "acronym", "first_letters_upper", "abbreviate"),
        sentences=(
            "Return the acronym of $words: the first character of every non-empty word, "
            "converted to upper case and joined in order; empty words contribute nothing and "
            "[] gives ''.",
            "Given a list of strings $words, build an abbreviation from their initial characters, "
            "upper-cased, skipping any empty strings; the result is '' for an empty list.",
            "Build the upper-case initials of $words, e.g. ['frequently', 'asked', 'questions'] "
            "gives 'FAQ' and ['', 'ok'] gives 'O'.",
            "What acronym does $words make when you take each non-empty word's first "
            "character and capitalise it? Give '' if there are no such words.",
            "Initials of a word list.\n\nThe leading character of each non-empty string in "
            "$words is upper-cased and the characters are concatenated in order; blank entries "
            "are ignored.",
        ),
        nouns=("the upper-case initials of the non-empty strings in $words",
               "the acronym formed by $words",
               "the first characters of the entries of $words, capitalised and joined"),
        bodies=(
            "return \"\".join(item[:1] for item in $words).upper()",
            "out = \"\"\nfor item in $words:\n    if item != \"\":\n"
            "        out += item[0].upper()\nreturn out",
        ),
    ),
    Idea(
        atom="reverse_each_word",
        params=(("text", STR),),
        returns=STR,
        names=("reverse_words_in_place", "mirror_each_word", "flip_words", "backwards_words",
               "reverse_word_letters"),
        sentences=(
            "Return $text with every word spelled backwards but the words still in their "
            "original order; words are split on any whitespace and rejoined with single spaces, "
            "so surrounding whitespace disappears and a blank $text gives ''.",
            "Given a sentence $text, reverse the letters inside each whitespace-separated word "
            "while leaving the word sequence alone, then join the reversed words with one space "
            "each ('' if there are none).",
            "Reverse each word of $text in place: '  red   fox ' becomes 'der xof' and 'level "
            "up' becomes 'level pu'; extra spacing collapses to a single space.",
            "What do you get when each word of $text is written backwards, words kept in order "
            "and separated by exactly one space? An empty or whitespace-only $text gives ''.",
            "Reverse the characters of every word.\n\nThe words of $text (split on runs of "
            "whitespace) are each reversed and then joined with single spaces; leading and "
            "trailing whitespace is dropped.",
        ),
        nouns=("$text with each word reversed, words in order and single-spaced",
               "the word-by-word reversal of $text",
               "the words of $text each written backwards and joined by spaces"),
        bodies=(
            "pieces = []\nfor chunk in $text.split():\n"
            "    pieces.append(\"\".join(reversed(chunk)))\nreturn \" \".join(pieces)",
            "return \" \".join(reversed($text.split()))[::-1]",
        ),
    ),
    Idea(
        atom="count_words_longer_than",
        params=(("words", STRS), ("limit", INT)),
        returns=INT,
        names=("count_long_words", "num_words_over", "long_word_count", "how_many_longer",
               "tally_long_words"),
        sentences=(
            "Return the number of strings in $words whose length is strictly greater than "
            "$limit; words of exactly $limit characters are not counted and an empty list "
            "gives 0.",
            "Given a list of strings $words and a length $limit, count how many of them have more "
            "than $limit characters (0 for an empty list).",
            "Count the entries of $words longer than $limit characters; e.g. ['sun', "
            "'moonlight', 'day'] with $limit = 3 gives 1, since words of length 3 do not "
            "count.",
            "How many strings in $words exceed $limit characters in length? Equal length does "
            "not qualify; no words means 0.",
            "Number of words above a length.\n\nCounts the strings of $words with more than "
            "$limit characters; when $limit is 0 every non-empty word counts, and an empty list "
            "gives 0.",
        ),
        nouns=("the number of strings in $words longer than $limit characters",
               "how many entries of $words have more than $limit characters",
               "the count of strings in $words with length above $limit"),
        bodies=(
            "return sum(len(item) > $limit for item in $words)",
            "total = 0\nfor item in $words:\n    if len(item) > $limit:\n        total += 1\n"
            "return total",
        ),
    ),
    Idea(
        atom="dedupe_words_keep_first",
        params=(("words", STRS),),
        returns=STRS,
        names=("unique_in_order", "remove_duplicate_words", "dedupe", "distinct_words",
               "first_occurrences"),
        sentences=(
            "Return $words without repeats: each distinct word is kept at its first position "
            "and later copies are dropped; comparison is exact and case-sensitive, so 'Dog' and "
            "'dog' both stay.",
            "Given a list of strings $words, remove duplicates while preserving the order of "
            "first appearance; words differing only in case are treated as different, and [] "
            "gives [].",
            "Collect the distinct entries of $words in order of first appearance: ['b', 'a', "
            "'b', 'c', 'a'] gives ['b', 'a', 'c'].",
            "Which distinct strings occur in $words, listed in the order they first show up? "
            "Matching is case-sensitive, so 'Ok' and 'ok' are two words; an empty list "
            "gives [].",
            "Order-preserving deduplication.\n\nWalks through $words and keeps a word only the "
            "first time it is seen (exact, case-sensitive comparison), returning the survivors "
            "as a new list.",
        ),
        nouns=("$words with duplicates removed, first occurrences kept in order",
               "the distinct entries of $words in order of first appearance",
               "the case-sensitive, order-preserving deduplication of $words"),
        bodies=(
            "seen = set()\nkept = []\nfor item in $words:\n    if item not in seen:\n"
            "        seen.add(item)\n        kept.append(item)\nreturn kept",
            "return [item for pos, item in enumerate($words) if item not in $words[:pos]]",
        ),
    ),
    Idea(
        atom="words_starting_with",
        params=(("words", STRS), ("prefix", STR)),
        returns=STRS,
        names=("filter_by_prefix", "words_with_prefix", "prefix_matches", "startswith_filter",
               "select_prefixed"),
        sentences=(
            "Return the strings in $words that begin with $prefix, compared case-sensitively, "
            "keeping their order and any duplicates; with an empty $prefix every word is "
            "returned.",
            "Given a list of strings $words and a string $prefix, keep only the ones whose "
            "opening characters equal $prefix exactly (case matters), in the original order.",
            "Collect the entries of $words that start with $prefix: ['stop', 'Step', 'stem', "
            "'stop'] with 'st' gives ['stop', 'stem', 'stop']; an empty prefix matches "
            "everything.",
            "Which strings of $words start with $prefix, using case-sensitive matching? "
            "List them in their original order, repeats included.",
            "Filter words by prefix.\n\nKeeps every string of $words for which "
            "str.startswith($prefix) is true, preserving order and duplicates; '' as the prefix "
            "keeps the whole list, and no words gives [].",
        ),
        nouns=("the members of $words having $prefix at the front",
               "the entries of $words beginning with $prefix, in order, case-sensitive",
               "$words filtered to the strings beginning with $prefix"),
        bodies=(
            "return list(filter(lambda item: item.startswith($prefix), $words))",
            "picked = []\nfor item in $words:\n    if item[:len($prefix)] == $prefix:\n"
            "        picked.append(item)\nreturn picked",
        ),
    ),
)
