"""Realtime event ids: unique within a process and across forked processes (gunicorn-style
workers fork after import), without a system call per id."""

from __future__ import annotations

import os

from evodash.realtime import events


def test_ids_are_unique_and_of_the_same_shape() -> None:
    ids = [events._new_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


def test_a_forked_child_draws_a_prefix_of_its_own() -> None:
    parent = [events._new_id() for _ in range(3)]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its first ids, to the parent, then out at once
        try:
            os.write(write, " ".join(events._new_id() for _ in range(3)).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = pipe.read().split()
    os.waitpid(pid, 0)
    assert len(child) == 3
    assert {i[:16] for i in child} != {i[:16] for i in parent}
    assert not set(child) & set(parent)
    # The parent goes on where it was.
    assert events._new_id()[:16] == parent[0][:16]
