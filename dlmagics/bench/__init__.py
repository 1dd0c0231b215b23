"""The %%gpubench wing: time one cell's PyTorch code on every device (work in progress).

Pure Python and torch: no IPython, no widgets, no channel. So far it holds the pieces that
need no device: the cell's setup/timed split (cell.py) and the statistics (stats.py).
"""
