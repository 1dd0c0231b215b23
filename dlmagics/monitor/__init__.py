"""The GPU monitor wing: reads NVML, the kernel process and PyTorch's allocator.

Nothing here imports IPython, ipywidgets or the channel: the sampler takes a callback.
"""

from .sampler import Sampler, SampleReader

__all__ = ["Sampler", "SampleReader"]
