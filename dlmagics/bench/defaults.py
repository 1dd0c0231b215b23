"""The defaults of %%gpubench's --budget, --min-runs and --warmup, stated here only (the
magic's help reads them at load, so this module imports nothing)."""

BUDGET_S = 1.5  # seconds of timed runs per device
MAX_BUDGET_S = 600.0  # the longest --budget taken
MIN_RUNS = 3  # timed runs at least, whatever the budget (a slow cell's wall time is about (warm-up + 3) runs)
WARMUP = 1  # untimed runs first
MAX_WARMUP = 100  # the most --warmup takes
ROUNDS = 5  # blocks of runs per device, interleaved across the devices (the budget split evenly)
