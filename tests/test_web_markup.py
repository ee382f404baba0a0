"""Every page's HTML means what its template says: no block element opened inside a <p>.

A browser closes a <p> before a <form>, <div>, <ul>… , so the rest of what was written inside the
<p> loses that paragraph's class and styles (the basket's move/remove forms once rendered as big
red buttons that way). The parser here only tracks open tags; it is not a full validator.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from helpers import ADMIN_PASSWORD

# Start tags that implicitly close an open <p> (HTML Living Standard, "in body" insertion mode).
CLOSES_P = {"address", "article", "aside", "blockquote", "details", "dialog", "div", "dl", "fieldset",
            "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
            "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "ul"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class BlockInParagraph(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, int]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in CLOSES_P and any(open_tag == "p" for open_tag, _ in self.stack):
            self.problems.append(f"<{tag}> inside <p> (line {self.getpos()[0]})")
        if tag not in VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break


def problems(html: str) -> list[str]:
    parser = BlockInParagraph()
    parser.feed(html)
    return parser.problems


def test_the_checker_finds_a_form_in_a_paragraph():
    assert problems('<p class="x"><a href="#">a</a><form><button>b</button></form></p>')
    assert problems("<p>text<div>block</div></p>")
    assert not problems('<div class="x"><form><button>b</button></form></div><p>a<br>b</p>')


def csrf(client) -> str:
    html = client.get("/basket").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def filled_client(client):
    """A browser with two paragraphs in its basket, logged in as administrator."""
    for pid in ("导语.1", "一.（一）.1"):
        client.post("/basket/add", data={"report_id": "赵集镇-2024", "paragraph_id": pid,
                                         "csrf_token": csrf(client)})
    client.post("/login", data={"password": ADMIN_PASSWORD, "csrf_token": csrf(client)})
    return client


PAGES = ["/", "/?q=法律明白人", "/?q=法治&town=覃斗镇&page=2", '/?q="法治', "/towns",
         "/town/" + quote("赵集镇"), "/compare", "/compare?a=赵集镇-2024&b=三湖镇-2024",
         "/compare?a=赵集镇-2024", "/basket", "/login", "/upload", "/report/不存在-2020",
         "/report/" + quote("马喇镇-2023") + "/similar/" + quote("一.（一）.1")]


@pytest.mark.parametrize("path", PAGES)
def test_no_block_element_inside_a_paragraph(filled_client, path):
    assert problems(filled_client.get(path).get_data(as_text=True)) == []


def test_reading_pages_have_no_block_element_inside_a_paragraph(filled_client, sample_app):
    from webapp.services import get_archive
    with sample_app.app_context():
        ids = get_archive().ids()
    assert ids
    for rid in ids:
        html = filled_client.get(f"/report/{quote(rid)}?q=法治").get_data(as_text=True)
        assert problems(html) == [], rid
