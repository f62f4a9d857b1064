"""MkDocs hook: the docstrings' Sphinx roles, read by mkdocstrings, shown as plain code.

The docstrings cross-reference with Sphinx roles (``:func:`load```,
``:class:`~crucible_pl.Dataset```), which mkdocstrings renders as the role's name
followed by the code. This hook drops the role name and, for ``~``, keeps the last
component of the dotted name, as Sphinx shows it.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:func|meth|class|mod|data|attr|exc|obj|py:\w+):(?=<code>)")
_TILDE = re.compile(r"<code>~((?:\w+\.)*)(\w+)</code>")
_LABELLED = re.compile(r"<code>([^<]*?) &lt;([\w.]+)&gt;</code>")


def on_page_content(html: str, **_: Any) -> str:
    html = _ROLE.sub("", html)
    html = _TILDE.sub(r"<code>\2</code>", html)
    return _LABELLED.sub(r"<code>\1</code>", html)
