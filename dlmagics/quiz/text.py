"""Quiz text (a small Markdown) to safe HTML.

Everything is HTML-escaped first, so no tag, script or event handler from a quiz file can
reach the page; then a few Markdown forms are turned back into markup: paragraphs,
``code``, fenced code blocks (highlighted with Pygments, which IPython already needs),
**bold**, *italic*, bullet lists and http(s) links. Math between $...$ or $$...$$ is left
as it is for the HTMLMath widget to typeset.
"""

from __future__ import annotations

import html
import re

_FENCE = re.compile(r"```([\w+-]*)\n(.*?)```", re.S)
_MATH = re.compile(r"(\$\$.+?\$\$|\$[^$\n]+?\$)", re.S)
_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
_BULLET = re.compile(r"^\s*[-*] ")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def to_html(text: str) -> str:
    """Markdown to HTML with nothing from the text left unescaped but what we make."""
    blocks, out = [], []
    text = _FENCE.sub(lambda m: _stash(blocks, _code_block(m.group(2), m.group(1))), text.replace("\r\n", "\n"))
    for para in re.split(r"\n\s*\n", text.strip()):
        lines = para.split("\n")
        if para.startswith("\x00") and para.endswith("\x00"):
            out.append(para)
        elif all(_BULLET.match(line) for line in lines):
            items = "".join(f"<li>{_inline(_BULLET.sub('', line))}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        else:
            out.append(f"<p>{'<br>'.join(_inline(line) for line in lines)}</p>")
    result = "".join(out)
    for i, block in enumerate(blocks):
        result = result.replace(f"\x00{i}\x00", block)
    return result


def _stash(blocks: list, made: str) -> str:
    blocks.append(made)
    return f"\n\n\x00{len(blocks) - 1}\x00\n\n"


def _inline(line: str) -> str:
    pieces = _MATH.split(line)
    out = []
    for i, piece in enumerate(pieces):
        if i % 2:  # math: escaped, otherwise untouched
            out.append(html.escape(piece, quote=False))
            continue
        codes: list[str] = []
        piece = _CODE.sub(lambda m: _stash_inline(codes, m.group(1)), piece)
        piece = html.escape(piece, quote=True)
        piece = _LINK.sub(lambda m: f'<a href="{m.group(2)}" target="_blank" rel="noopener noreferrer">{m.group(1)}</a>',
                          piece)
        piece = _BOLD.sub(r"<b>\1</b>", piece)
        piece = _ITALIC.sub(r"<i>\1</i>", piece)
        for j, code in enumerate(codes):
            piece = piece.replace(f"\x01{j}\x01", f"<code>{html.escape(code)}</code>")
        out.append(piece)
    return "".join(out)


def _stash_inline(codes: list, code: str) -> str:
    codes.append(code)
    return f"\x01{len(codes) - 1}\x01"


def _code_block(code: str, language: str) -> str:
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer, get_lexer_by_name

        lexer = get_lexer_by_name(language) if language else PythonLexer()
        return highlight(code, lexer, HtmlFormatter(noclasses=True, nowrap=False, style="default"))
    except Exception:  # an unknown language, or no Pygments: plain, still escaped
        return f"<pre><code>{html.escape(code)}</code></pre>"


def to_text(text: str) -> str:
    """Quiz Markdown as plain text (for text/plain outputs and the terminal)."""
    text = _FENCE.sub(lambda m: "\n" + m.group(2), text)
    return _BOLD.sub(r"\1", _LINK.sub(r"\1 (\2)", text))
