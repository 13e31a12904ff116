"""What the content tests share: a content folder of their own joined to the library."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from oncall.content import loader


@contextmanager
def content_folder(folder: Path) -> Iterator[None]:
    """The shipped library and `folder` (no ONCALL_CONTENT from outside), for as long as the
    block runs; the loader's caches are emptied after."""
    os.environ.pop(loader.CONTENT_ENV, None)
    loader.use_content([folder])
    try:
        yield
    finally:
        os.environ.pop(loader.CONTENT_ENV, None)
        loader.clear_caches()
