"""The site's search (issue 22): a glossary term's entry is the first hit for the term, and no hit's
summary shows raw LaTeX.

Which terms the glossary defines is read from ``glossary.md`` (the ``{glossary}`` block's term
lines), not from the built site; the search runs in the browser over the built ``searchindex.js``
as a reader's would (``search.html?q=...``).
"""

import re
from pathlib import Path
from urllib.parse import quote, urljoin

import pytest

ROOT = Path(__file__).resolve().parents[2]


def glossary_terms():
    text = (ROOT / "glossary.md").read_text()
    block = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip() and not line.startswith(" ")]


TERMS = glossary_terms()
# a one-word query per term of several words: the word a reader types ("Nesterov" for "Nesterov momentum")
QUERIES = {"Nesterov": "Nesterov momentum", "AdaGrad": "AdaGrad", "momentum": "momentum",
           "Huber": "Huber loss", "RMSprop": "RMSprop", "softmax": "softmax"}
FINISHED = "/Search finished|did not match/.test(document.querySelector('#search-results')?.innerText || '')"
RAW_LATEX = re.compile(r"\\[A-Za-z]{2,}|\\[()\[\]]|[_^]\{")


def search(context, base_url, query):
    page = context.new_page()
    page.goto(urljoin(base_url, f"search.html?q={quote(query)}"), wait_until="load")
    page.wait_for_function(FINISHED, timeout=20000)
    hits = page.evaluate("""() => [...document.querySelectorAll('#search-results ul.search > li')]
      .map(li => ({
        href: li.querySelector('a').getAttribute('href'),
        text: li.querySelector('a').innerText,
        summary: (li.querySelector('.context') || {innerText: ''}).innerText}))""")
    page.close()
    return hits


def test_the_queries_are_glossary_terms():
    assert set(QUERIES.values()) <= set(TERMS), set(QUERIES.values()) - set(TERMS)


@pytest.mark.parametrize("query", QUERIES)
def test_the_glossary_entry_is_the_first_hit(context, base_url, query):
    hits = search(context, base_url, query)
    first = hits[0]
    ranks = [i for i, hit in enumerate(hits, 1) if "glossary.html" in hit["href"]]
    assert "glossary.html" in first["href"], f"{query!r}: first {first}; glossary at {ranks} of {len(hits)}"
    # the hit is the term's own entry, not the glossary page at large
    assert first["href"].endswith("#term-" + QUERIES[query].replace(" ", "-")), first


@pytest.mark.parametrize("query", ["momentum", "Huber", "gradient"])
def test_summaries_show_no_raw_latex(context, base_url, query):
    page = context.new_page()
    page.goto(urljoin(base_url, f"search.html?q={quote(query)}"), wait_until="load")
    # every hit's summary is fetched one after another; the progress line says when all are shown
    page.wait_for_function(FINISHED, timeout=20000)
    summaries = page.evaluate("[...document.querySelectorAll('#search-results p.context')]"
                              ".map(p => p.innerText)")
    page.close()
    assert len(summaries) >= 3, summaries
    raw = [s for s in summaries if RAW_LATEX.search(s)]
    assert not raw, raw[:3]
