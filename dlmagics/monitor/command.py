"""%gpumon from parsed options to what it shows: a snapshot table, or the monitor started
(with a live table in a kernel) or stopped. Each bad option is a ``MonitorUsageError``."""

from __future__ import annotations

from ..options import OptionError
from .sampler import check_interval


class MonitorUsageError(OptionError):
    pass


def gpumon(args, monitor, set_interval, show):
    """``monitor``: the kernel's MonitorWing; ``set_interval(seconds)`` changes the setting
    (%config DLMagics.monitor_interval); ``show`` is IPython's display, for the live table."""
    if args.start and args.stop:
        raise MonitorUsageError("give --start or --stop, not both")
    if args.interval is not None:
        try:
            set_interval(check_interval(args.interval))
        except OptionError as error:
            raise MonitorUsageError(f"--interval {args.interval}: {error}") from None
    if args.stop:
        monitor.stop()
        return monitor.stopped_view()
    if args.start:
        monitor.start()
        if monitor.kernel.in_kernel:
            show(monitor.live_view())
            return None
    return monitor.current()
