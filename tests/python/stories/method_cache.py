"""A template engine caches rendered fragments with lru_cache on a method: every
Template it ever rendered stays alive through the cache's keys."""
import functools

from _story import dump


class Template:
    def __init__(self, source):
        self.source = source
        self.compiled = source.split("{}")

    @functools.lru_cache(maxsize=None)
    def render(self, theme):
        # the same few words over and over, each a new string
        return [("%s-%s" % (part.strip(), theme)).upper() for part in self.compiled * 20]


for n in range(1200):
    page = Template("header {} body %d {} footer {} sidebar {} nav" % (n % 7))
    page.render("dark")
dump()
