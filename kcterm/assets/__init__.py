"""What the window loads at run time: stylesheets (themes/*.qss) and icons (icons/*.svg).

They ship inside the package (package data), so a wheel installed alone gives the same window
as the source tree; nothing here looks at a path beside the package. Code reads them through
`importlib.resources`, never through ``__file__`` arithmetic.
"""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from importlib.resources import as_file, files
from pathlib import Path

_stack = ExitStack()  # keeps extracted copies alive (only for zip-style installs) until exit
atexit.register(_stack.close)
_paths: dict[str, Path] = {}


def read_text(name: str) -> str | None:
    """The text of an asset such as ``"themes/dark.qss"``; None when the package lacks it."""
    resource = files(__name__).joinpath(*name.split("/"))
    if not resource.is_file():
        return None
    return resource.read_text(encoding="utf-8")


def path(name: str) -> Path:
    """A file-system path to an asset, for Qt APIs that take a file name (QIcon).

    For an ordinary install this is the file inside the package; from a zip it is a copy that
    lives until the process exits.
    """
    if name not in _paths:
        resource = files(__name__).joinpath(*name.split("/"))
        _paths[name] = _stack.enter_context(as_file(resource))
    return _paths[name]
