"""A Markdown document (a runbook) as styled blocks of text for the observation log's lines.

markdown-it parses it (the parser Textual's own Markdown widget uses); this draws what a runbook
holds: headings, paragraphs, ordered and bulleted lists (nested, with their continuation lines
under the item's text), code blocks, quotes and rules, with inline code, emphasis and links.
Each block is a `Text` to wrap at the log's width and the indent its wrapped lines keep.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text

if TYPE_CHECKING:
    from markdown_it.token import Token

Styler = Callable[[str], Style]
"""A component class's style (`obslog--md-heading`, `obslog--md-code`, `obslog--md-link`)."""

Block = tuple[Text, int]
"""A block's text and the indent of its wrapped lines; an empty text is a blank line."""


def _inline(tokens: list[Token], style: Styler) -> Text:
    out = Text()
    marks: list[Style] = []
    link: list[str] = []
    for t in tokens:
        if t.type == "text":
            out.append(t.content, Style.combine(marks) if marks else None)
        elif t.type == "code_inline":
            out.append(t.content, style("obslog--md-code"))
        elif t.type in ("softbreak",):
            out.append(" ")
        elif t.type == "hardbreak":
            out.append("\n")
        elif t.type == "strong_open":
            marks.append(Style(bold=True))
        elif t.type == "em_open":
            marks.append(Style(italic=True))
        elif t.type == "link_open":
            link.append(str(t.attrs.get("href", "")))
            marks.append(style("obslog--md-link"))
        elif t.type in ("strong_close", "em_close") and marks:
            marks.pop()
        elif t.type == "link_close":
            if marks:
                marks.pop()
            href = link.pop() if link else ""
            if href and not out.plain.endswith(href):
                out.append(f" ({href})", style("obslog--md-link"))
        elif t.type == "image":
            out.append(t.content or str(t.attrs.get("alt", "")))
        elif t.content:
            out.append(t.content)
    return out


def document(source: str, style: Styler) -> list[Block]:
    """The document's blocks in order, a blank line between blocks (not between the items of
    a tight list)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(source)
    blocks: list[Block] = []
    lists: list[list[int | None]] = []
    """Per open list: the next number (None for bullets)."""
    tight: list[bool] = []
    """Per open list: no blank lines between its items."""
    bases: list[int] = []
    """Per open item: the indent it started at."""
    indent = 0
    """Where the text of the innermost open item starts."""
    prefix = ""
    """The marker of an item whose first block is still to come."""
    quote = ""

    headings: set[int] = set()
    """The blocks that are headings: their section follows with no blank line."""

    def gap() -> None:
        if (blocks and blocks[-1][0].plain and not (lists and tight[-1])
                and len(blocks) - 1 not in headings):
            blocks.append((Text(""), 0))

    def lead() -> Text:
        """What a block starts with: the quote bars, then its item's marker (the item's first
        block) or the item's indent; a blank line before it unless it opens an item."""
        if not prefix:
            gap()
        return Text(quote + (prefix or " " * indent))

    i = 0
    while i < len(tokens):
        t = tokens[i]
        kind = t.type
        if kind == "heading_open":
            gap()
            text = _inline(tokens[i + 1].children or [], style)
            text.stylize(style("obslog--md-heading"))
            headings.add(len(blocks))
            blocks.append((Text(quote) + text, len(quote)))
            i += 3
            continue
        if kind in ("bullet_list_open", "ordered_list_open"):
            if not lists:
                gap()
            start = int(t.attrs.get("start", 1) or 1) if kind == "ordered_list_open" else None
            lists.append([start])
            tight.append(_is_tight(tokens, i))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            tight.pop()
        elif kind == "list_item_open":
            counter = lists[-1]
            if counter[0] is None:
                marker = "• "
            else:
                marker = f"{counter[0]}. "
                counter[0] += 1
            if not tight[-1]:
                gap()
            bases.append(indent)
            prefix = " " * indent + marker
            indent += len(marker)
        elif kind == "list_item_close":
            indent = bases.pop()
        elif kind == "paragraph_open":
            blocks.append((lead() + _inline(tokens[i + 1].children or [], style),
                           len(quote) + indent))
            prefix = ""
            i += 3
            continue
        elif kind in ("fence", "code_block"):
            first = lead()
            for n, line in enumerate(t.content.rstrip("\n").split("\n")):
                opening = first if n == 0 else Text(quote + " " * indent)
                blocks.append((opening + Text(line, style("obslog--md-code")),
                               len(quote) + indent))
            prefix = ""
        elif kind == "blockquote_open":
            gap()
            quote += "│ "
        elif kind == "blockquote_close":
            quote = quote[:-2]
        elif kind == "hr":
            gap()
            blocks.append((Text("─" * 20), 0))
        elif kind == "html_block":
            gap()
            blocks.append((Text(t.content.rstrip("\n")), 0))
        i += 1
    return blocks


def _is_tight(tokens: list[Token], start: int) -> bool:
    """A list whose items' paragraphs markdown-it hides is tight (no blank lines between)."""
    level = tokens[start].level
    for t in tokens[start + 1:]:
        if t.level == level and t.type.endswith("_list_close"):
            break
        if t.type == "paragraph_open" and t.level == level + 2:
            return bool(t.hidden)
    return True
