"""A healthy program: it works on its data and lets it go; nothing accumulates."""
from _dump import dump_here


def word_counts(text):
    counts = {}
    for word in text.split():
        counts[word] = counts.get(word, 0) + 1
    return counts


TOTAL = 0
for chunk in range(200):
    text = "the quick brown fox jumps over the lazy dog %d " % chunk * 20
    TOTAL += sum(word_counts(text).values())

dump_here("healthy.zst")
