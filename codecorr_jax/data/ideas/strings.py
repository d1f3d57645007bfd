"""The strings atoms' ideas in the corpus's own words and code (see `data.ideas`)."""

from codecorr_jax.data.ideas import Idea
from codecorr_jax.data.function_ops import BOOL, INT, INTS, STR, STRS

IDEAS: tuple[Idea, ...] = (
    Idea(
        atom="caesar_shift",
        params=(("text", STR), ("shift", INT)),
        returns=STR,
        names=("caesar_cipher", "shift_letters", "rot_letters", "encrypt_caesar",
               "rotate_alphabet"),
        sentences=(
            "Return $text with each ASCII letter moved $shift steps along the alphabet, "
            "wrapping around past 'z' and keeping upper or lower case; a negative $shift moves "
            "letters backwards and anything that is not a letter is left alone.",
            "Given a string $text and an integer $shift, apply a Caesar cipher: every English "
            "letter advances $shift positions (modulo 26, case preserved) while digits, spaces "
            "and punctuation are copied as they are.",
            "Encode $text with a Caesar cipher of $shift. Letters wrap around the alphabet in "
            "either direction, so 'Yz' with 2 becomes 'Ab' and with -1 becomes 'Xy'; any "
            "character that is not an ASCII letter passes through.",
            "What does $text look like after a Caesar shift by $shift? Each a-z or A-Z letter "
            "is rotated within its own alphabet (shift taken mod 26, negative values go "
            "backwards); everything else is unchanged.",
            "Caesar-cipher a string.\n\nThe letters of $text are rotated $shift places through "
            "the 26-letter alphabet, capitals staying capitals and small letters staying small; "
            "a shift of 26 changes nothing, a negative one goes back, other characters are kept.",
        ),
        nouns=("the Caesar shift of $text by $shift places",
               "$text with each ASCII letter rotated $shift places around the alphabet",
               "the Caesar-ciphered form of $text under shift $shift (case kept, non-letters "
               "untouched)"),
        bodies=(
            "small = \"abcdefghijklmnopqrstuvwxyz\"\nturn = $shift % 26\n"
            "moved = small[turn:] + small[:turn]\n"
            "table = str.maketrans(small + small.upper(), moved + moved.upper())\n"
            "return $text.translate(table)",
            "out = \"\"\nfor letter in $text:\n    if letter.isascii() and letter.isalpha():\n"
            "        base = 65 if letter.isupper() else 97\n"
            "        letter = chr(base + (ord(letter) - base + $shift) % 26)\n"
            "    out += letter\nreturn out",
        ),
    ),
    Idea(
        atom="run_length_encode_text",
        params=(("text", STR),),
        returns=STR,
        names=("rle_encode", "run_length_encoding", "compress_runs", "encode_runs",
               "count_and_char"),
        sentences=(
            "Return the run-length encoding of $text: each stretch of one repeated character is "
            "written as its count and then the character, so 'xxxyz' gives '3x1y1z'; an empty "
            "$text encodes to an empty string.",
            "Given a string $text, compress it by writing every maximal block of identical "
            "characters as the block's length followed by that character (counts may have "
            "several digits); return '' for ''.",
            "Compute a count-then-character encoding of $text, one pair per run of repeats, "
            "e.g. 'pppq' -> '3p1q' and 'ww--' -> '2w2-'; the empty string gives the empty "
            "string.",
            "How would $text look run-length encoded, with each run written as its count "
            "followed by its character? Single characters still get a count of 1, and an empty "
            "input yields ''.",
            "Run-length encode a string.\n\nConsecutive equal characters of $text collapse to "
            "'<count><char>', with runs of length one written as '1<char>'. Spaces and "
            "punctuation are encoded like any other character; an empty string stays empty.",
        ),
        nouns=("the run-length encoding of $text",
               "$text with each run of equal characters written as its count then the character",
               "the count-and-character compression of $text"),
        bodies=(
            "pieces = []\ncount = 0\nfor pos, letter in enumerate($text):\n    count += 1\n"
            "    if pos + 1 == len($text) or $text[pos + 1] != letter:\n"
            "        pieces.append(str(count) + letter)\n        count = 0\n"
            "return \"\".join(pieces)",
            "return \"\".join(str(sum(1 for _ in grp)) + key "
            "for key, grp in itertools.groupby($text))",
        ),
        imports=("itertools",),
    ),
    Idea(
        atom="is_alnum_palindrome",
        params=(("text", STR),),
        returns=BOOL,
        names=("is_palindrome_phrase", "alnum_palindrome", "reads_same_both_ways",
               "is_clean_palindrome", "check_palindrome"),
        sentences=(
            "Return True when $text is a palindrome after dropping everything except letters "
            "and digits and ignoring case, else False; a string with no letters or digits "
            "counts as a palindrome.",
            "Given a phrase $text, keep only its alphanumeric characters, lowercase them, and "
            "report whether that sequence equals its own reverse (an empty sequence does).",
            "Check whether $text is a palindrome when spaces, punctuation and letter case are "
            "disregarded: 'Was it a car, or a cat I saw' gives True, 'Ab2a' gives False and "
            "'?!' gives True.",
            "Is $text the same read backwards as forwards, once non-alphanumeric characters are "
            "removed and upper case is folded to lower? Text with nothing alphanumeric in it "
            "answers True.",
            "Palindrome test that ignores punctuation and case.\n\nOnly the letters and digits "
            "of $text are compared, case-insensitively, front against back; the result is True "
            "for an empty or all-punctuation string.",
        ),
        nouns=("whether $text is a palindrome once only letters and digits are kept and case "
               "is ignored",
               "True if the alphanumeric characters of $text, lowercased, read the same in both "
               "directions",
               "the case-insensitive, punctuation-blind palindrome test of $text"),
        bodies=(
            "chars = [c.lower() for c in $text if c.isalnum()]\nlo, hi = 0, len(chars) - 1\n"
            "while lo < hi:\n    if chars[lo] != chars[hi]:\n        return False\n"
            "    lo += 1\n    hi -= 1\nreturn True",
            "cleaned = list(map(str.lower, filter(str.isalnum, $text)))\n"
            "return cleaned == list(reversed(cleaned))",
            "kept = [c.lower() for c in $text if c.isalnum()]\n"
            "return all(kept[i] == kept[-1 - i] for i in range(len(kept) // 2))",
        ),
    ),
    Idea(
        atom="alternate_letter_case",
        params=(("text", STR),),
        returns=STR,
        names=("alternating_caps", "zigzag_case", "spongebob_case", "alternate_case",
               "toggle_case_by_position"),
        sentences=(
            "Return $text with the characters at positions 0, 2, 4, ... in upper case and those "
            "at positions 1, 3, 5, ... in lower case; digits, spaces and punctuation keep their "
            "place in the count but are not changed.",
            "Given a string $text, produce a zigzag-cased copy: even-indexed characters are "
            "uppercased and odd-indexed ones lowercased, counting every character from index 0, "
            "including ones that have no case.",
            "Convert $text to alternating case, starting with upper case at the first "
            "character; for example 'python' becomes 'PyThOn' and 'go 4 it' becomes 'Go 4 iT'.",
            "Which string do you get from $text by uppercasing every character at an even index "
            "and lowercasing every character at an odd index? Uncased characters stay the same "
            "but still use up an index.",
            "Alternate upper and lower case by position.\n\nIndex 0 of $text becomes upper "
            "case, index 1 lower, index 2 upper and so on. Non-letters are kept as they are yet "
            "still advance the position; an empty string gives ''.",
        ),
        nouns=("$text in alternating case, upper at even indices and lower at odd ones",
               "the zigzag-cased version of $text, starting upper at index 0",
               "$text with even positions uppercased and odd positions lowercased"),
        bodies=(
            "out = []\nupper_next = True\nfor letter in $text:\n"
            "    out.append(letter.upper() if upper_next else letter.lower())\n"
            "    upper_next = not upper_next\nreturn \"\".join(out)",
            "chars = list($text)\nchars[0::2] = [c.upper() for c in chars[0::2]]\n"
            "chars[1::2] = [c.lower() for c in chars[1::2]]\nreturn \"\".join(chars)",
        ),
    ),
    Idea(
        atom="rotate_string_left",
        params=(("text", STR), ("steps", INT)),
        returns=STR,
        names=("rotate_left", "left_rotate_text", "cyclic_shift_left", "rotate_chars",
               "spin_string"),
        sentences=(
            "Return $text rotated $steps places to the left, so that its first $steps "
            "characters are moved to the back; $steps is reduced modulo len($text), a negative "
            "value rotates to the right, and '' stays ''.",
            "Given a string $text and a count $steps, move characters cyclically from the front "
            "to the end $steps times (a negative $steps moves them from the end to the front); "
            "an empty string is returned unchanged.",
            "Rotate $text left by $steps positions, wrapping around: 'planet' by 2 is 'anetpl', "
            "by 8 is also 'anetpl', and by -1 is 'tplane'. An empty string stays empty.",
            "What is $text after a left cyclic shift by $steps characters, with $steps taken "
            "modulo the length (negative meaning a shift to the right)? Empty input gives the "
            "empty string.",
            "Cyclic left rotation of a string.\n\nThe leading characters of $text wrap around to "
            "the end; the amount $steps is reduced modulo len($text), so any integer works and "
            "negatives rotate right. For an empty $text the result is ''.",
        ),
        nouns=("$text rotated left by $steps places (modulo its length)",
               "the left cyclic shift of $text by $steps characters",
               "$text with its first $steps (mod its length) characters moved to the end"),
        bodies=(
            "ring = collections.deque($text)\nring.rotate(-$steps)\nreturn \"\".join(ring)",
            "size = len($text)\nif size == 0:\n    return \"\"\nstart = $steps % size\n"
            "return ($text + $text)[start:start + size]",
        ),
        imports=("collections",),
    ),
    Idea(
        atom="split_into_chunks",
        params=(("text", STR), ("size", INT)),
        returns=STRS,
        names=("chunk_string", "chunked", "split_every", "fixed_width_pieces",
               "string_blocks"),
        sentences=(
            "Return a list of consecutive slices of $text, each $size characters long except "
            "possibly the last, which holds the leftover; an empty $text gives an empty list. "
            "$size must be at least 1.",
            "Given a string $text and a positive width $size, cut $text from the left into "
            "pieces of $size characters; the final piece may be shorter, and '' produces [].",
            "Split $text into fixed-width blocks of $size characters, e.g. 'abcdefgh' with 3 "
            "gives ['abc', 'def', 'gh'] and 'hi' with 4 gives ['hi']; an empty string gives [].",
            "How can $text be broken into successive chunks of length $size, left to right, "
            "with any remainder in a shorter final chunk? Return those chunks as a list ([] for "
            "empty text).",
            "Chop a string into equal-length pieces.\n\n$text is divided from the start into "
            "substrings of $size characters ($size >= 1); the last one keeps whatever is left "
            "over, and an empty string yields no pieces at all.",
        ),
        nouns=("the $size-character chunks of $text, left to right, the last possibly shorter",
               "$text cut into consecutive pieces of length $size",
               "the list of width-$size blocks of $text"),
        bodies=(
            "pieces = []\nrest = $text\nwhile rest:\n    pieces.append(rest[:$size])\n"
            "    rest = rest[$size:]\nreturn pieces",
            "count = -(-len($text) // $size)\n"
            "return [$text[j * $size:(j + 1) * $size] for j in range(count)]",
            "groups = itertools.zip_longest(*[iter($text)] * $size, fillvalue=\"\")\n"
            "return [\"\".join(group) for group in groups]",
        ),
        imports=("itertools",),
    ),
    Idea(
        atom="char_codes",
        params=(("text", STR),),
        returns=INTS,
        names=("ord_values", "code_points", "to_ordinals", "string_to_codes",
               "unicode_values"),
        sentences=(
            "Return a list holding ord(c) for every character c of $text, in the same order; an "
            "empty string gives [].",
            "Given $text, convert each of its characters to its Unicode code point and collect "
            "the integers in order (an empty list for '').",
            "Convert $text into its sequence of integer code points: 'Ok?' becomes [79, 107, 63] "
            "and a single space becomes [32].",
            "What are the Unicode code points of the characters in $text, left to right? Give "
            "them as a list of ints, empty when $text is empty.",
            "Map characters to code points.\n\nEach character of $text is replaced by its "
            "numeric Unicode value (as ord reports it), keeping the order; the empty string "
            "maps to the empty list.",
        ),
        nouns=("the code points of the characters of $text, in order",
               "the list of ord values of $text",
               "$text as a list of Unicode code points"),
        bodies=(
            "return list(map(ord, $text))",
            "codes = []\nfor symbol in $text:\n    codes.append(ord(symbol))\nreturn codes",
        ),
    ),
    Idea(
        atom="letters_from_numbers",
        params=(("nums", INTS),),
        returns=STR,
        names=("numbers_to_letters", "indices_to_alphabet", "decode_letter_indices",
               "alphabet_string", "ints_to_lowercase"),
        sentences=(
            "Return a lowercase string with one letter per number in $nums, taking each number "
            "modulo 26 as an index into the alphabet (so 0 is 'a', 27 is 'b' and -2 is 'y'); an "
            "empty list gives ''.",
            "Given a list of integers $nums, map every value v to the lowercase letter at "
            "alphabet position v mod 26, counting from 'a' = 0, and join the letters into a "
            "string ('' when the list is empty).",
            "Decode $nums into letters where 0..25 stand for a..z and any other integer wraps "
            "around modulo 26; for example [3, 14, 6] gives 'dog' and [-26, 30] gives 'ae'.",
            "Which lowercase word do the alphabet positions in $nums spell, counting 'a' as 0 "
            "and wrapping every number modulo 26 (negatives included)? The empty list spells "
            "the empty string.",
            "Turn numbers into lowercase letters.\n\nEach integer in $nums selects a letter of "
            "the English alphabet by its value modulo 26, 0 meaning 'a' and 25 meaning 'z'; the "
            "letters are concatenated in order, and no numbers give ''.",
        ),
        nouns=("the lowercase letters picked from the alphabet by the values of $nums modulo 26",
               "the string spelled by $nums with 0 as 'a' and wrap-around modulo 26",
               "$nums decoded to letters a-z by position mod 26"),
        bodies=(
            "alphabet = \"abcdefghijklmnopqrstuvwxyz\"\n"
            "return \"\".join(alphabet[v % 26] for v in $nums)",
            "out = \"\"\nfor value in $nums:\n    out += chr(97 + value % 26)\nreturn out",
        ),
    ),
    Idea(
        atom="interleave_strings",
        params=(("first", STR), ("second", STR)),
        returns=STR,
        names=("weave_strings", "merge_alternately", "zip_chars", "alternate_merge",
               "riffle_strings"),
        sentences=(
            "Return a string made by taking one character from $first, then one from $second, "
            "and so on; when one of them is exhausted, whatever is left of the other is "
            "appended as is.",
            "Given two strings $first and $second, merge them character by character starting "
            "with $first, and tack the tail of the longer string on at the end (two empty "
            "strings give '').",
            "Build the alternating merge of $first and $second, beginning with $first: 'abc' "
            "and 'XYZ12' give 'aXbYcZ12', while 'wxyz' and 'Q' give 'wQxyz'.",
            "What string results from weaving $first and $second together one character at a "
            "time, $first going first, with leftover characters of the longer string added at "
            "the end?",
            "Interleave two strings.\n\nCharacters are taken in turns from $first and $second, "
            "$first first; after the shorter string runs dry the remainder of the other follows "
            "unchanged. Either string may be empty.",
        ),
        nouns=("$first and $second interleaved character by character, $first first, leftovers "
               "appended",
               "the alternating merge of $first with $second",
               "the characters of $first and $second taken in turns, the longer one's tail at "
               "the end"),
        bodies=(
            "return \"\".join(a + b for a, b in itertools.zip_longest($first, $second, "
            "fillvalue=\"\"))",
            "common = min(len($first), len($second))\n"
            "woven = \"\".join(x + y for x, y in zip($first, $second))\n"
            "return woven + $first[common:] + $second[common:]",
        ),
        imports=("itertools",),
    ),
    Idea(
        atom="longest_same_char_run",
        params=(("text", STR),),
        returns=INT,
        names=("max_run_length", "longest_repeat_streak", "max_consecutive_same",
               "longest_streak", "biggest_char_run"),
        sentences=(
            "Return the size of the longest stretch of back-to-back identical characters in "
            "$text, or 0 if $text is empty.",
            "Given a string $text, find the maximum number of times one character repeats "
            "consecutively; every non-empty string has an answer of at least 1, and '' gives 0.",
            "Count the longest run of one repeated character in $text: 'abbbcc' gives 3, 'xyz' "
            "gives 1, and the empty string gives 0.",
            "How long is the longest streak of the same character repeated without "
            "interruption in $text? Answer 0 for an empty string.",
            "Length of the longest repeated-character run.\n\nScans $text for maximal blocks of "
            "equal adjacent characters (spaces and punctuation included) and returns the "
            "largest block length; an empty string gives 0.",
        ),
        nouns=("the length of the longest run of equal adjacent characters in $text",
               "the longest streak of one repeated character in $text (0 when empty)",
               "the maximal repeat-run length of $text"),
        bodies=(
            "return max((len(list(grp)) for _, grp in itertools.groupby($text)), default=0)",
            "best = 0\npos = 0\nwhile pos < len($text):\n    end = pos\n"
            "    while end < len($text) and $text[end] == $text[pos]:\n        end += 1\n"
            "    best = max(best, end - pos)\n    pos = end\nreturn best",
        ),
        imports=("itertools",),
    ),
)
