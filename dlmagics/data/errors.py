"""The one error of the data wing: data that cannot be read, in one line that says which file,
why, and what is allowed. An ``OptionError``, so %dldata shows it as a one-line UsageError; in
Python (``dlmagics.data.load``) it is a ValueError like any bad argument."""

from __future__ import annotations

from ..options import OptionError


class DataError(OptionError):
    with_usage = False  # the line names the file and what is allowed; the usage line adds nothing
