"""Splitting long replies at a platform's length limit, in one pass: as few pieces as the limit allows,
of about even size, each cut at the most natural boundary near its even share of the text
(paragraph, then line, then sentence end, then word; a word is cut only when it alone exceeds the limit).

The length measure is a parameter, since platforms count differently: Zalo counts characters (``len``),
Telegram UTF-16 code units. A measure must be additive: the length of a text is the sum of the lengths
of its characters."""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from itertools import accumulate
from typing import Callable, List, NamedTuple, Tuple

Measure = Callable[[str], int]

_SPACE = re.compile(r"\s+")  # any whitespace, as str.split() sees it (tabs, \r, no-break space…)
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")  # str.splitlines()'s line boundaries
_SENTENCE_ENDS = frozenset(".!?…")
_CLOSERS = "\"')]}”’»"  # a sentence may end inside quotes or brackets: «… thẻ BHYT.»

# Boundary levels, from the least to the most natural place to cut.
_WORD, _SENTENCE, _LINE, _PARAGRAPH = range(4)
# Near the even target means within this share of a piece's size: there the most natural boundary is
# taken (the closest of its level), so pieces stay within about 10% of even.
_NEAR = 0.10


class _Gap(NamedTuple):
    """A run of whitespace: a piece may end at ``start`` and the next begin at ``end``."""

    start: int
    end: int
    level: int


def split_text(text: str, limit: int, measure: Measure = len) -> List[str]:
    """Non-blank pieces of at most ``limit`` (as ``measure`` counts) whose concatenation, with the
    whitespace cut at the joins put back, is ``text`` stripped. Pieces are as few as the boundaries allow
    (``ceil(length / limit)`` when they are not too sparse) and of about even size; the whitespace where
    a piece was cut is dropped, the rest is kept as it is. A word is cut only when it alone exceeds the
    limit, and then never inside a character or a combined character (emoji sequence, accent mark)."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    if not text:
        return []
    if measure(text) <= limit:
        return [text]
    return _Splitter(text, limit, measure).pieces()


class _Splitter:
    """One text's split. Positions are indexes into the text; lengths are offsets as the measure counts."""

    def __init__(self, text: str, limit: int, measure: Measure):
        self.text, self.limit = text, limit
        self.offsets = list(accumulate((measure(c) for c in text), initial=0))  # offsets[i]: length of text[:i]
        self.total = self.offsets[-1]
        self.gaps = [_Gap(m.start(), m.end(), _level(text, m.start(), m.group())) for m in _SPACE.finditer(text)]
        self.gap_starts = [g.start for g in self.gaps]
        self.earliest = self._earliest_starts()

    def pieces(self) -> List[str]:
        pieces: List[str] = []
        start = 0
        while self.total - self.offsets[start] > self.limit:
            end, next_start = self._next_cut(start)
            pieces.append(self.text[start:end])
            start = next_start
        pieces.append(self.text[start:])
        return pieces

    def _earliest_starts(self) -> List[int]:
        """``[k]``: the earliest position from which the rest of the text fits in ``k`` pieces of whole
        words, found by packing pieces backwards from the end; it stops at a word longer than the limit."""
        starts = [0] + [g.end for g in self.gaps]  # where a piece may begin
        start_offsets = [self.offsets[p] for p in starts]
        earliest = [len(self.text)]
        end, last = len(self.text), len(starts) - 1  # the piece ends at ``end``; ``starts[last]`` is before it
        while True:
            j = bisect_left(start_offsets, self.offsets[end] - self.limit, 0, last + 1)
            if j > last:
                return earliest  # the word before ``end`` alone exceeds the limit
            earliest.append(starts[j])
            if j == 0:
                return earliest
            end, last = self.gaps[j - 1].start, j - 1

    def _least_start(self, k: int) -> int:
        """The earliest position from which the rest may fit in ``k`` pieces: exact for whole words,
        else bounded by length alone."""
        if k < len(self.earliest):
            return self.earliest[k]
        return bisect_left(self.offsets, self.total - k * self.limit)

    def _fewest(self, start: int, furthest_next: int) -> Tuple[float, int]:
        """For the piece at ``start`` whose successor may begin at most at ``furthest_next``, with the
        fewest pieces the rest allows: (an even share of the rest, the earliest position the next piece
        may begin at so that the rest still fits in the pieces after it)."""
        after = 1
        while self._least_start(after) > furthest_next:
            after += 1
        return (self.total - self.offsets[start]) / (after + 1), self._least_start(after)

    def _next_cut(self, start: int) -> Tuple[int, int]:
        """(end of the piece beginning at ``start``, start of the next one)."""
        offsets, base = self.offsets, self.offsets[start]
        first = bisect_right(self.gap_starts, start)
        furthest = bisect_right(offsets, base + self.limit) - 1  # the longest piece from ``start`` ends here
        fitting = self.gaps[first:bisect_right(self.gap_starts, furthest)]  # gaps a piece may end at
        if fitting:
            share, least = self._fewest(start, fitting[-1].end)
            # A cut must leave a rest that still fits in the pieces after this one, else a tiny piece trails.
            feasible = [g for g in fitting if g.end >= least]
            target = base + share
            near = [g for g in feasible if abs(offsets[g.start] - target) <= _NEAR * share]
            if near:  # the most natural boundary near the target
                best = min(near, key=lambda g: (-g.level, abs(offsets[g.start] - target)))
            else:  # boundaries are sparse: the closest one
                best = min(feasible, key=lambda g: (abs(offsets[g.start] - target), -g.level))
            return best.start, best.end
        # No gap fits: the first word alone exceeds the limit and is cut.
        word_end = self.gaps[first].start if first < len(self.gaps) else len(self.text)
        cut = self._hard_cut(start, word_end)
        return cut, cut

    def _hard_cut(self, start: int, word_end: int) -> int:
        """Where to cut the over-long word at ``start``: near an even share of the rest, where the piece
        fits, preferably between whole combined characters; at least one character is taken."""
        offsets, base = self.offsets, self.offsets[start]
        last = min(word_end - 1, bisect_right(offsets, base + self.limit) - 1)  # the furthest cut that fits
        if last <= start:
            return start + 1  # a single character longer than the limit: it goes alone
        share, least = self._fewest(start, last)
        first = max(start + 1, least)  # cuts from here on need no extra piece
        target = min(max(bisect_left(offsets, base + share), first), last)
        for distance in range(last - first + 1):  # the place nearest the target that keeps characters whole
            for cut in (target - distance, target + distance):
                if first <= cut <= last and _may_cut_before(self.text, cut):
                    return cut
        for cut in range(first - 1, start, -1):  # whole characters matter more than one piece less
            if _may_cut_before(self.text, cut):
                return cut
        return target  # a combined character longer than the limit


def _may_cut_before(text: str, i: int) -> bool:
    """Whether ``text[i]`` begins a new visible character: not an accent mark, a joiner, a variation
    selector, an emoji modifier or tag, the second half of a flag or of a surrogate pair."""
    char, before = text[i], text[i - 1]
    code = ord(char)
    if unicodedata.category(char) in ("Mn", "Mc", "Me") or before == "\u200d" or char == "\u200d":
        return False
    if 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:
        return False
    if 0xDC00 <= code <= 0xDFFF and 0xD800 <= ord(before) <= 0xDBFF:
        return False
    if _regional_indicator(char):  # flags are pairs: cut only after an even run of indicators
        run = 0
        while i - run - 1 >= 0 and _regional_indicator(text[i - run - 1]):
            run += 1
        return run % 2 == 0
    return True


def _regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _level(text: str, start: int, space: str) -> int:
    """How natural a cut at this whitespace is."""
    breaks = sum(1 for c in space.replace("\r\n", "\n") if c in _LINE_BREAKS)
    if breaks >= 2 or "\u2029" in space:
        return _PARAGRAPH
    if breaks:
        return _LINE
    i = start - 1
    while i > 0 and text[i] in _CLOSERS:
        i -= 1
    return _SENTENCE if text[i] in _SENTENCE_ENDS else _WORD
