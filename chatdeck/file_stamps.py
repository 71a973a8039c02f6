"""A file's stamp: what tells, from its metadata alone, that its bytes are the ones a build read
before. A rebuild then takes the file's parse from the parse cache under the key the build state
names, without reading or hashing the file; only files whose stamp moved are read.

A stamp is the device, inode, size, and modification and change times in nanoseconds (and, for a
source, the parser's version and the source's name, which its parse key holds too). The change
time (ctime) is set by the system on every write and cannot be set back by a program, so any
change to the file, by anyone, or another file put in its place, gives another stamp. A build
keeps a file's stamp only once its times are `SETTLE_NS` older than the moment it was read: a
write after the read then gets a later ctime, even on a file system whose clock ticks coarsely
(a file saved twice within one tick would otherwise keep its stamp). A file written just before
a build is read again by the next one.
"""

from __future__ import annotations

import os

#: How old a file's last write must be, when a build reads it, for its stamp to be kept.
SETTLE_NS = 2_000_000_000


def stat_stamp(info: os.stat_result) -> str | None:
    """The stamp of a file of this `os.stat` result, or None where it cannot be trusted: not
    POSIX (Windows' ctime is the creation time), or a file system that keeps whole seconds."""
    if os.name != "posix" or info.st_ctime_ns % 1_000_000_000 == 0:
        return None
    fields = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    return ":".join(str(field) for field in fields)


def source_stamp(info: os.stat_result, parser: str, name: str) -> str | None:
    """A source's stamp: its file's, with the version of the parser (`parser_version`) and the
    source's name, on which its parse key depends as well."""
    stamp = stat_stamp(info)
    return None if stamp is None else f"{parser}:{stamp}:{name}"


def settled_stamp(info: os.stat_result, read_at_ns: int, parser: str, name: str) -> str | None:
    """The stamp to keep for a source whose reading began at `read_at_ns` (`time.time_ns()`)
    and whose `os.fstat` while open was `info`: None while its last write is too recent."""
    if max(info.st_mtime_ns, info.st_ctime_ns) > read_at_ns - SETTLE_NS:
        return None
    return source_stamp(info, parser, name)
