"""The hardware both %%gpubench and %train_demo run on, as data: no IPython, no widgets.

- devices.py: which devices a run uses (``cpu``, ``cpu:N``, ``cuda``, ``cuda:N``, ``mps``),
  what this kernel has (``Available``), and the hardware demo's race line-up;
- specs.py (+ gpus.json, with sources): peak FLOP/s and bandwidth of each GPU, the GPUs of
  deep learning's history, and the CPU's model and estimated peak.

torch is imported only when a device is detected or used.
"""
