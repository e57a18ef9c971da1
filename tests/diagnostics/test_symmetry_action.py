"""How a symmetry acts on a state, against its definition point by point: ``f'(i) = f(g^-1 i)``
on the periodic grid, vectors turned by ``R``, pseudo-vectors by ``s R`` (``s = det R`` under
the pseudo rule, 1 under the polar rule); the action is a gather and a sign, so a non-finite
value stays in the one component it moves to."""

from __future__ import annotations

import itertools

import pytest
import torch

from physcheck.diagnostics.symmetry import SymmetryGroup, Transform
from physcheck.errors import LayoutError
from physcheck.fields import MHD_LAYOUT

N = 4
GROUP = SymmetryGroup()


def by_definition(transform: Transform, state: torch.Tensor) -> torch.Tensor:
    """``T(state)`` for ``state [X, Y, Z, C]`` from the definition, one point at a time."""
    matrix = torch.tensor(transform.matrix, dtype=torch.float64)
    out = torch.empty_like(state)
    for i in itertools.product(range(N), repeat=3):
        moved = matrix.T @ (torch.tensor(i, dtype=torch.float64) - torch.tensor(transform.shift))
        source = tuple(int(round(float(v))) % N for v in moved)
        out[i] = state[source]
    for prefix, sign in (("velocity", 1), ("magnetic_field", transform.pseudovector_sign)):
        idx = list(MHD_LAYOUT.vector(prefix))
        out[..., idx] = sign * (out[..., idx] @ matrix.T)
    return out


@pytest.mark.parametrize("transform", GROUP.transforms, ids=lambda t: t.name)
def test_each_symmetry_acts_as_defined(transform: Transform) -> None:
    state = torch.randn(N, N, N, 7, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    assert torch.equal(GROUP.apply(transform, state), by_definition(transform, state))
    batched = torch.stack([state, 2 * state])[:, None]  # [B, T, X, Y, Z, C]
    assert torch.equal(GROUP.apply(transform, batched)[1, 0], by_definition(transform, 2 * state))


@pytest.mark.parametrize("transform", GROUP.transforms, ids=lambda t: t.name)
def test_a_non_finite_value_moves_with_its_component_alone(transform: Transform) -> None:
    state = torch.zeros(N, N, N, 7)
    state[1, 2, 3, MHD_LAYOUT.vector("magnetic_field")[1]] = float("nan")
    moved = GROUP.apply(transform, state)
    assert int(torch.isnan(moved).sum()) == 1


def test_a_matrix_that_does_not_map_axes_onto_axes_is_refused() -> None:
    skew = Transform("skew", ((1, 1, 0), (0, 1, 0), (0, 0, 1)))
    with pytest.raises(LayoutError, match="skew: .* is not a signed permutation matrix"):
        GROUP.apply(skew, torch.zeros(N, N, N, 7))
