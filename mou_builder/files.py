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
