"""Reading input files safely: regular files only, never past a size limit.

Every file mou-builder reads (a spec, a clause, a .docx draft or template)
goes through :func:`read_regular`: the type is checked on what was opened,
not on the name, so a link to ``/dev/zero``, a FIFO or a device is refused
before a byte is read (and opening a FIFO never waits for a writer), and a
regular file is read no further than one byte past its limit.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable


class NotRegularFile(OSError):
    """The path leads to a device, a pipe or a socket."""


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """At most ``limit + 1`` bytes of the regular file ``path`` (a longer result means: too large).

    Raises :class:`NotRegularFile`, :class:`IsADirectoryError`, or the
    :class:`OSError` of opening or reading it.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file", str(path))
        return handle.read(limit + 1)


def read_bounded(path: str | os.PathLike[str], limit: int, error: Callable[[str], Exception], *,
                 not_regular: str, too_large: str) -> bytes:
    """:func:`read_regular`, each failure raised as ``error`` naming ``path``.

    ``not_regular`` says what the file should have been ("not a regular
    file; a profile is a YAML file"), ``too_large`` why the limit is where it is.
    """
    try:
        data = read_regular(path, limit)
    except NotRegularFile:
        raise error(f"{path}: {not_regular}") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise error(f"{path}: {too_large}")
    return data
