"""Callbacks that tell this process's workers there is work: the dispatch executors, the
public site's export runner. Each registers itself when it starts; a use case calls wake() right
after its commit."""

from __future__ import annotations

from collections.abc import Callable


class Wakers:
    def __init__(self) -> None:
        self._wakers: list[Callable[[], None]] = []

    def register(self, waker: Callable[[], None]) -> None:
        if waker not in self._wakers:
            self._wakers.append(waker)

    def unregister(self, waker: Callable[[], None]) -> None:
        if waker in self._wakers:
            self._wakers.remove(waker)

    def wake(self) -> None:
        for waker in list(self._wakers):
            waker()
