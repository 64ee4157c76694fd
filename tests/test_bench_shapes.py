"""The matrix-product table of `make bench` times the arrays that a real training step uses."""

import numpy as np

from benchmarks.bench_cnn import BATCH, block_products, block_shapes
from benchmarks.cnn_epoch import workload
from snippets.conv_fused import ConvReLUPool, fuse_conv_blocks
from snippets.network import Sequential
from snippets.optim import Adam


def test_block_shapes_are_those_of_a_real_training_step():
    x, y, layered, _ = workload("cnn", np.float32)
    model = Sequential(fuse_conv_blocks(layered.layers))
    model.train_step(x[:BATCH], y[:BATCH], Adam(1e-3))
    blocks = [layer for layer in model.layers if isinstance(layer, ConvReLUPool)]
    found = [
        {
            "kernels": block.W.shape,
            "source": block._cache[1].shape,
            "grad_conv": block._buffers["grad_conv"].shape,
            "input_grad": block.input_grad,
            "shifted": block.shifted,
            "padded_width": block._cache[0][3] + 2 * block.conv.padding,
        }
        for block in blocks
    ]
    assert found == block_shapes()


def test_each_block_has_its_products():
    products = block_products(np.float32, np.random.default_rng(0))
    # forward and the kernels' gradient for each block, the input's gradient for the second
    assert len(products) == 5
    for product in products:
        assert np.all(np.isfinite(product()))
