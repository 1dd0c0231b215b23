"""The ddp wing: %%ddp runs a cell on N processes with torch.distributed, under PyTorch's own
launcher (torchrun), each rank's output streamed into the cell, and reports time per step,
compute against communication and the bytes moved, and with --compare the speedup.

- launcher.py: ``launch(code, settings, on_line, stop)``, torchrun's run from start to the last
  process gone (a demo reuses it); bootstrap.py and collectives.py: what runs in each rank.
- result.py: the report; view.py: how it looks (VIEWS below).
- command.py: the magic; wing.py: its options and help.

Light to import: torch comes with a run.
"""

VIEWS = ("view",)
