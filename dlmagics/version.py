"""dlmagics' version: the one the build wrote, or a marker in a source checkout never built."""

try:
    from ._version import __version__
except ImportError:
    __version__ = "0.0.0+dev"
