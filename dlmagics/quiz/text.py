"""Quiz text (Markdown with some HTML, as quiz authors write it) to safe HTML, and to plain text.

Markdown is read by markdown-it-py (CommonMark, with tables and strikethrough); the HTML it
makes, and the HTML authors wrote in it, goes through nh3 (the ammonia sanitiser) with a short
list of tags that format text: no script, style, form, frame or event handler reaches the page,
and links open in a new tab without an opener. Entities (``&mdash;``) come out as characters.
Math between ``$...$``, ``$$...$$``, ``\\(...\\)`` or ``\\[...\\]`` is set aside before Markdown
reads the text (which would eat its backslashes and underscores) and put back escaped, for
MathJax to typeset. Fenced code is highlighted with Pygments after sanitising (its colours are
style attributes, which authors' HTML may not have).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

TAGS = {"p", "br", "hr", "b", "strong", "i", "em", "u", "s", "del", "ins", "mark", "small", "sub", "sup", "code",
        "kbd", "pre", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "table", "caption", "thead", "tbody", "tfoot",
        "tr", "th", "td", "a", "img", "span", "h3", "h4", "h5", "h6"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"}, "ol": {"start"},
              "th": {"colspan", "rowspan", "align"}, "td": {"colspan", "rowspan", "align"}}
SCHEMES = {"http", "https", "mailto"}

# Private-use characters mark what was set aside; an author's own are removed first.
_MARK = re.compile("[\ue000-\ue003]")
_MATH = re.compile(r"(?<!\\)(\$\$.+?\$\$|\$[^$\n]+?\$|\\\(.+?\\\)|\\\[.+?\\\])", re.S)
_FENCE = re.compile(r"^```[ \t]*([\w+-]*)[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
_HELD = re.compile("\ue000(\\d+)\ue001|\ue002(\\d+)\ue003")
_ONE_PARAGRAPH = re.compile(r"<p>((?:(?!</?p>).)*)</p>\s*", re.S)


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    # breaks: a line break in a quiz file is one on the page, as authors expect from a YAML block
    return MarkdownIt("commonmark", {"html": True, "breaks": True}).enable(["table", "strikethrough"])


def to_html(text: str) -> str:
    """Markdown and authors' HTML to HTML holding only the formatting tags above."""
    import nh3

    maths: list[str] = []
    codes: list[str] = []
    text = _MARK.sub("", text.replace("\r\n", "\n"))
    text = _FENCE.sub(lambda m: _hold(codes, _code_block(m.group(2), m.group(1)), "\ue002", "\ue003", block=True), text)
    text = _MATH.sub(lambda m: _hold(maths, html.escape(m.group(0), quote=False), "\ue000", "\ue001"), text)
    clean = nh3.clean(_markdown().render(text), tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                      link_rel="noopener noreferrer", set_tag_attribute_values={"a": {"target": "_blank"}})
    clean = re.sub(r"<p>\s*(\ue002\d+\ue003)\s*</p>", r"\1", clean)  # a code block is not inside a paragraph
    return _HELD.sub(lambda m: maths[int(m.group(1))] if m.group(1) else codes[int(m.group(2))], clean).strip()


def to_inline_html(text: str) -> str:
    """As to_html, without the paragraph around a one-paragraph text (an option's label)."""
    made = to_html(text)
    match = _ONE_PARAGRAPH.fullmatch(made)
    return match.group(1) if match else made


def _hold(store: list, made: str, start: str, end: str, block: bool = False) -> str:
    store.append(made)
    mark = f"{start}{len(store) - 1}{end}"
    return f"\n\n{mark}\n\n" if block else mark


def _code_block(code: str, language: str) -> str:
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer, get_lexer_by_name

        lexer = get_lexer_by_name(language) if language else PythonLexer()
        return highlight(code, lexer, HtmlFormatter(noclasses=True, nowrap=False, style="default"))
    except Exception:  # an unknown language, or no Pygments: plain, still escaped
        return f"<pre><code>{html.escape(code)}</code></pre>"


_BREAKS = re.compile(r"<br\s*/?>|</(?:p|li|tr|h\d|pre|blockquote|dt|dd)>", re.I)
_CELL = re.compile(r"</t[dh]>", re.I)
_TAG = re.compile(r"</?[a-zA-Z][\w-]*(?:\s[^<>]*)?/?>")
_HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.I | re.S)
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def to_text(text: str) -> str:
    """Quiz text as plain text (text/plain outputs, the terminal): tags taken out, entities
    decoded, links as "text (address)", code without its fences."""
    text = _FENCE.sub(lambda m: "\n" + m.group(2), text.replace("\r\n", "\n"))
    text = _CELL.sub(" | ", _BREAKS.sub("\n", _HIDDEN.sub("", text)))
    text = _EMPHASIS.sub(r"\2", _LINK.sub(r"\1 (\2)", _TAG.sub("", text)))
    return html.unescape(re.sub(r"\n{3,}", "\n\n", text)).strip()
