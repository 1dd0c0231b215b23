"""Which NVML devices this kernel sees, in CUDA's order.

NVML lists every GPU on the machine in PCI order and ignores CUDA_VISIBLE_DEVICES; CUDA
numbers only the visible ones. Matching by UUID is the only safe bridge.
"""

from __future__ import annotations


def visible_devices(nvml_uuids: list[str], cuda_visible: str | None) -> list[int]:
    """NVML indices of the GPUs CUDA will show, in CUDA ordinal order.

    Follows CUDA's reading of CUDA_VISIBLE_DEVICES: a comma-separated list of indices or
    (prefixes of) GPU UUIDs, read up to the first entry that names no device; unset means
    all. Integer entries index NVML's PCI order, which is CUDA's order when
    CUDA_DEVICE_ORDER=PCI_BUS_ID or the GPUs are alike; once this kernel has initialised
    CUDA, ``devices_from_cuda_uuids`` gives the exact mapping. MIG entries are not broken
    out yet and end the list.
    """
    if cuda_visible is None:
        return list(range(len(nvml_uuids)))
    chosen: list[int] = []
    for token in cuda_visible.split(","):
        index = _resolve(token.strip(), nvml_uuids)
        if index is None or index in chosen:
            break
        chosen.append(index)
    return chosen


def _resolve(token: str, nvml_uuids: list[str]) -> int | None:
    if token.lstrip("+").isdecimal() and len(token) < 8:  # what int() reads ('²' is a digit, not decimal)
        index = int(token)
        return index if index < len(nvml_uuids) else None
    if not token or token.startswith("MIG-"):
        return None
    prefix = token if token.startswith("GPU-") else "GPU-" + token
    matches = [i for i, uuid in enumerate(nvml_uuids) if uuid.startswith(prefix)]
    return matches[0] if len(matches) == 1 else None


def devices_from_cuda_uuids(nvml_uuids: list[str], cuda_uuids: list[str]) -> list[int] | None:
    """NVML indices for the UUIDs PyTorch reports, or None if any is unknown to NVML."""
    wanted = [u if u.startswith(("GPU-", "MIG-")) else "GPU-" + u for u in cuda_uuids]
    try:
        return [nvml_uuids.index(u) for u in wanted]
    except ValueError:
        return None
