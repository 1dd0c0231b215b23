"""%gpumon from parsed options to what it shows: a snapshot table, or the monitor started
(with a live table in a kernel) or stopped. Each bad option is a ``MonitorUsageError``."""

from __future__ import annotations

from ..options import OptionError
from .sampler import check_interval


class MonitorUsageError(OptionError):
    pass


def gpumon(args, session, set_interval, show):
    """``set_interval(seconds)`` changes the setting (%config DLMagics.monitor_interval);
    ``show`` is IPython's display, for the live table."""
    if args.start and args.stop:
        raise MonitorUsageError("give --start or --stop, not both")
    if args.interval is not None:
        try:
            set_interval(check_interval(args.interval))
        except OptionError as error:
            raise MonitorUsageError(f"--interval {args.interval}: {error}") from None
    if args.stop:
        session.stop()
        return session.current()
    if args.start:
        session.start()
        if session.channel.active:
            show(session.live_view())
            return None
    return session.current()
