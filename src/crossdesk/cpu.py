"""Model work that competes with the event loop for the two cores: it runs on a dedicated thread at lower
CPU priority, so sockets keep being served while a model computes. On Linux niceness is per thread, and
threads a library starts from that thread (llama.cpp's, OpenMP's) inherit it."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor


def low_priority_executor(name: str, niceness: int) -> ThreadPoolExecutor:
    """One worker thread at `niceness` (0-19 above the process's own)."""

    def lower_priority() -> None:
        os.setpriority(os.PRIO_PROCESS, 0, niceness)  # on Linux, 0 here is the calling thread

    return ThreadPoolExecutor(1, thread_name_prefix=name, initializer=lower_priority)
