"""A started process hands what it has loaded to the garbage collector's permanent generation,
after collecting what startup left over: full collections then scan only what came later."""

import gc
import weakref

from services.runner import settle_memory


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_settle_memory_collects_the_leftovers_and_freezes_the_rest():
    gc.unfreeze()
    leftover = _Cycle()
    gone = weakref.ref(leftover)
    del leftover  # garbage only the collector finds (a cycle)
    try:
        settle_memory()
        assert gc.get_freeze_count() > 0
        assert gone() is None  # collected, not frozen
    finally:
        gc.unfreeze()  # this test process runs many runtimes: let it collect as before
