"""A griffe extension: the reStructuredText roles of relaxcore's docstrings, as Markdown.

The docstrings are written for readers of the source (``.. math::`` blocks, ``:math:``,
``:class:`` and ``:func:`` roles); mkdocstrings renders Markdown. This rewrites those
constructs only, at load time, and leaves the source untouched: ``.. math::`` blocks and
``:math:`` roles become arithmatex's ``\\[...\\]`` / ``\\(...\\)``, cross-reference roles
become inline code.
"""

from __future__ import annotations

import re

import griffe

_ROLE = re.compile(r":(?:class|func|meth|attr|mod|obj|data|exc):`~?([^`]+)`")
_MATH = re.compile(r":math:`([^`]+)`")


def _math_blocks(text: str) -> str:
    lines, out, i = text.splitlines(), [], 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        if not stripped.startswith(".. math::"):
            out.append(line)
            i += 1
            continue
        indent = line[: len(line) - len(stripped)]
        body = [stripped[len(".. math::") :].strip()]
        i += 1
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith(indent + " ")):
            continued = i + 1 < len(lines) and lines[i + 1].startswith(indent + " ")
            if not lines[i].strip() and not continued:
                break
            body.append(lines[i].strip())
            i += 1
        out += ["", indent + "\\[", *(indent + b for b in body if b), indent + "\\]", ""]
    return "\n".join(out)


def rst_to_markdown(text: str) -> str:
    text = _math_blocks(text)
    text = _MATH.sub(lambda m: "\\(" + m.group(1) + "\\)", text)
    return _ROLE.sub(lambda m: "`" + m.group(1) + "`", text)


class RstRoles(griffe.Extension):
    def on_object(self, *, obj, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rst_to_markdown(obj.docstring.value)
