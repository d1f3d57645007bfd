"""Host-side shares and joins (codecorr_jax/hosts.py) on one process; tests/test_multihost.py
runs them across two."""

import jax
import numpy as np
import pytest

from codecorr_jax import hosts
from codecorr_jax.models.sharding import batch_sharding, make_mesh


@pytest.mark.parametrize("n,count", [(0, 2), (7, 1), (7, 2), (8, 4), (10, 3), (2, 5)])
def test_shares_cover_the_rows_in_order_and_differ_by_at_most_one(n, count):
    parts = [range(n)[hosts.share(n, i, count)] for i in range(count)]
    assert [r for part in parts for r in part] == list(range(n))
    sizes = [len(p) for p in parts]
    assert max(sizes) - min(sizes) <= 1
    assert sizes == sorted(sizes, reverse=True)  # the larger shares come first


def test_one_process_takes_every_row_and_join_returns_it():
    assert hosts.share(5) == slice(0, 5)
    items = [{"a": 1}, 2.5, "x"]
    assert hosts.join(items) == items
    hosts.check_same_everywhere([1, 2], "numbers")  # one process: nothing to disagree with


def test_put_lays_out_the_global_value_and_fetch_reads_it_back():
    mesh = make_mesh(4, 2, 1, devices=jax.devices()[:8])
    value = np.arange(8 * 6, dtype=np.int32).reshape(8, 6)
    sharding = batch_sharding(mesh, 2)
    array = hosts.put(value, sharding)
    assert array.sharding == sharding
    for shard in array.addressable_shards:  # each device holds its own rows of the value
        np.testing.assert_array_equal(np.asarray(shard.data), value[shard.index])
    np.testing.assert_array_equal(hosts.fetch(array), value)
    key = hosts.replicated(np.array([3, 4], np.uint32), mesh)
    assert key.is_fully_replicated and hosts.fetch(key).tolist() == [3, 4]


class _Recording:
    def __init__(self):
        self.batches = []

    def score(self, programs):
        self.batches.append(list(programs))
        return [p * 10 for p in programs]


def test_shared_scoring_on_one_process_scores_everything_once():
    executor = _Recording()
    assert hosts.SharedScoring(executor).score(iter([1, 2, 3])) == [10, 20, 30]
    assert executor.batches == [[1, 2, 3]]
