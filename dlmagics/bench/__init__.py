"""The %%gpubench wing: time one cell's PyTorch code on every device.

Pure Python and torch, no IPython: the magic (in ../magics.py) calls command.py, which
checks the options and calls runner.py. The pieces, each with one job:

- cell.py: the setup/timed split at a '# timed' line, and code that would pin a device;
- backends.py: per device (../hardware/devices.py says which), how work runs, is timed
  (timing.py's loop behind a Clock), and what memory and peaks it has;
- precision.py, seeding.py: the dtype and TF32 setting; the same random inputs everywhere;
- counting.py, agree.py: FLOPs, bytes and ops of a run; whether the outputs agree;
- stats.py: medians, intervals, speedups (peaks and history: ../hardware/specs.py);
- result.py, sweep.py: what a run found, as an object and JSON, with typed notes
  (../notes.py); words.py: its figures in words (the table's and the sidebar's);
- render*.py: how it looks, registered in ../views.py (VIEWS below): no result imports them.
"""

VIEWS = ("render", "render_sweep")
