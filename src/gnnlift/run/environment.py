"""What a timing depends on: package versions, CPU, threads."""

from __future__ import annotations

import os
import platform
from importlib import metadata


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for package in ("gnnlift", "torch", "torch_geometric", "dgl", "numpy", "hydra-core"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "absent"
    return out


def describe(threads: int, device: str, dtype: str) -> dict:
    import torch

    return {
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "threads_requested": threads,
        "device": device if device == "cpu" else torch.cuda.get_device_name(0),
        "dtype": dtype,
        "platform": platform.platform(),
        "versions": versions(),
    }
