"""Run a Python script (or ``-m module``) as ``__main__``, then print its peak memory on stderr.

    python benchmarks/peak.py SCRIPT [ARGS...]
    python benchmarks/peak.py -m MODULE [ARGS...]

The last line on stderr is ``PEAK_KB <n>``. On Linux *n* is VmHWM from
/proc/self/status: the high-water mark of this process's own memory since
it was started. ``ru_maxrss`` is not used there: a child starts with its
parent's figure (fork, then exec keeps the larger of the two), so a child
of a 300 MB benchmark process reports 300 MB whatever it does.
"""

from __future__ import annotations

import atexit
import runpy
import sys


def peak_kb() -> int:
    """This process's peak resident memory, in KiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource  # not Linux: the best there is, and it may include the parent's figure

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1 if sys.platform != "darwin" else 1024)


def main() -> None:
    """Run the script or module given on the command line, whatever its exit status, then report.

    The report is an exit handler: ``mou-build`` runs the exit handlers and
    then ends with ``os._exit`` (see ``mou_builder.cli.run``), which a
    ``finally`` here would never see.
    """
    args = sys.argv[1:]
    atexit.register(lambda: print(f"PEAK_KB {peak_kb()}", file=sys.stderr))
    try:
        if args[0] == "-m":
            sys.argv = [args[1], *args[2:]]
            runpy.run_module(args[1], run_name="__main__", alter_sys=True)
        else:
            sys.argv = args
            runpy.run_path(args[0], run_name="__main__")
    except SystemExit:
        pass


if __name__ == "__main__":
    main()
