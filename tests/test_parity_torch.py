"""Parity with PyTorch (CPU, float64): layers, activations, losses and optimisers agree."""

import numpy as np
import pytest
import torch

from snippets.activations import softmax
from snippets.layers import Activation, Dense, Layer
from snippets.losses import get_loss
from snippets.network import Sequential
from snippets.optim import SGD, Adam, Momentum

TORCH_ACTIVATIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}


def tensor(array: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(array, dtype=torch.float64, requires_grad=grad)


def test_dense_forward_and_gradients(rng):
    layer = Dense(5, 3, rng)
    layer.b[:] = rng.standard_normal(3)
    x = rng.standard_normal((4, 5))
    grad_out = rng.standard_normal((4, 3))

    x_t, W_t, b_t = tensor(x, True), tensor(layer.W, True), tensor(layer.b, True)
    out_t = torch.nn.functional.linear(x_t, W_t.T, b_t)  # torch stores (out, in); ours is (in, out)
    out_t.backward(tensor(grad_out))

    np.testing.assert_allclose(layer.forward(x), out_t.detach().numpy(), rtol=1e-12)
    grad_x = layer.backward(grad_out)
    np.testing.assert_allclose(grad_x, x_t.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.dW, W_t.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.db, b_t.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", sorted(TORCH_ACTIVATIONS))
def test_activation_forward_and_gradient(name, rng):
    z = rng.standard_normal((6, 4)) * 3
    grad_out = rng.standard_normal(z.shape)
    layer = Activation(name)
    z_t = tensor(z, True)
    out_t = TORCH_ACTIVATIONS[name](z_t)
    out_t.backward(tensor(grad_out))
    np.testing.assert_allclose(layer.forward(z), out_t.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(layer.backward(grad_out), z_t.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_relu_gradient_at_zero_matches_torch():
    z = np.array([[-1.0, 0.0, 1.0]])
    z_t = tensor(z, True)
    torch.relu(z_t).sum().backward()
    layer = Activation("relu")
    layer.forward(z)
    np.testing.assert_array_equal(layer.backward(np.ones_like(z)), z_t.grad.numpy())


def test_softmax_matches_torch(rng):
    z = rng.standard_normal((5, 7)) * 4
    np.testing.assert_allclose(softmax(z), torch.softmax(tensor(z), dim=1).numpy(), rtol=1e-12)


def _torch_loss(name, pred_t, target_t):
    """Our losses in torch terms: summed over outputs, averaged over the batch."""
    batch = pred_t.shape[0]
    if name == "mse":
        return torch.nn.functional.mse_loss(pred_t, target_t, reduction="sum") / batch
    if name == "binary_cross_entropy":
        return torch.nn.functional.binary_cross_entropy(pred_t, target_t, reduction="sum") / batch
    return torch.nn.functional.cross_entropy(pred_t, target_t.argmax(dim=1))  # mean over the batch


@pytest.mark.parametrize("name", ["mse", "binary_cross_entropy", "softmax_cross_entropy"])
def test_loss_and_gradient(name, rng):
    if name == "binary_cross_entropy":
        pred = rng.uniform(0.05, 0.95, (6, 1))
        target = rng.integers(0, 2, (6, 1)).astype(float)
    else:
        pred = rng.standard_normal((6, 4))
        target = np.eye(4)[rng.integers(0, 4, 6)]
    loss, gradient = get_loss(name)
    pred_t = tensor(pred, True)
    loss_t = _torch_loss(name, pred_t, tensor(target))
    loss_t.backward()
    assert loss(pred, target) == pytest.approx(loss_t.item(), rel=1e-12)
    np.testing.assert_allclose(gradient(pred, target), pred_t.grad.numpy(), rtol=1e-10)


class Parameter(Layer):
    param_names = ("w",)

    def __init__(self, values):
        self.w = np.array(values, dtype=np.float64)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda: SGD(lr=0.05), lambda p: torch.optim.SGD(p, lr=0.05)),
        (lambda: Momentum(lr=0.05, beta=0.9), lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
        (lambda: Adam(lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8)),
        (
            lambda: Adam(lr=0.003, beta1=0.8, beta2=0.99, eps=1e-6),
            lambda p: torch.optim.Adam(p, lr=0.003, betas=(0.8, 0.99), eps=1e-6),
        ),
    ],
    ids=["sgd", "momentum", "adam", "adam-custom"],
)
def test_optimiser_steps_match_torch(ours, theirs, rng):
    start = rng.standard_normal((3, 2))
    layer, optimizer = Parameter(start), ours()
    weight = torch.nn.Parameter(tensor(start))
    torch_optimizer = theirs([weight])
    for _ in range(6):
        grad = rng.standard_normal(start.shape)
        layer.dw = grad.copy()
        optimizer.step([layer])
        weight.grad = tensor(grad)
        torch_optimizer.step()
        np.testing.assert_allclose(layer.w, weight.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_a_whole_training_step_matches_torch(rng):
    """Two-layer network, softmax cross-entropy, one Adam step: same loss, same weights."""
    model = Sequential([Dense(4, 5, rng), Activation("tanh"), Dense(5, 3, rng)])
    x = rng.standard_normal((8, 4))
    y = np.eye(3)[rng.integers(0, 3, 8)]

    torch_model = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3)).double()
    with torch.no_grad():
        for torch_layer, layer in zip(torch_model[::2], model.layers[::2], strict=True):
            torch_layer.weight.copy_(tensor(layer.W.T))
            torch_layer.bias.copy_(tensor(layer.b))
    torch_optimizer = torch.optim.Adam(torch_model.parameters(), lr=0.01)

    loss = model.train_step(x, y, Adam(lr=0.01))
    torch_loss = torch.nn.functional.cross_entropy(torch_model(tensor(x)), tensor(y).argmax(dim=1))
    torch_loss.backward()
    torch_optimizer.step()

    assert loss == pytest.approx(torch_loss.item(), rel=1e-12)
    for torch_layer, layer in zip(torch_model[::2], model.layers[::2], strict=True):
        np.testing.assert_allclose(layer.W, torch_layer.weight.detach().numpy().T, rtol=1e-10)
        np.testing.assert_allclose(layer.b, torch_layer.bias.detach().numpy(), rtol=1e-10)
