"""The %%gpubench wing: time one cell's PyTorch code on every device (work in progress).

Pure Python and torch: no IPython, no widgets, no channel. So far it holds the pieces that
need no GPU: the cell's setup/timed split (cell.py), the statistics (stats.py), the timing
loop behind a Clock per device (timing.py), device lists (devices.py) and FLOP counts
(flops.py). The magic is registered once the CUDA clock, the report and the checks exist.
"""
