"""Bad input gives a ValueError or TypeError naming the argument, what it got and what is
allowed (Reliability issue, item 10): one parametrized case per kind of mistake."""

from __future__ import annotations

import numpy as np
import pytest

import relaxcore as rc

B = rc.bijectors


def _torch():
    return pytest.importorskip("torch")


def _jnp():
    return pytest.importorskip("jax").numpy


# (build, exception, pattern); `build` raises when called
CASES = {
    "list": (lambda: rc.Normal([0.0, 1.0], 1.0), TypeError,
             r"Normal: loc must be an array or a Python number; got list"),
    "tuple": (lambda: rc.Gamma((1.0, 2.0)), TypeError,
              r"Gamma: concentration must be an array or a Python number; got tuple"),
    "string": (lambda: rc.Normal("0", 1.0), TypeError, r"Normal: loc .* got str"),
    "list in a relaxation": (
        lambda: rc.RelaxedOneHotCategorical(0.5, logits=[0.0, 1.0]), TypeError,
        r"RelaxedOneHotCategorical: logits must be an array or a Python number; got list"),
    "None required": (lambda: rc.Normal(None, 1.0), TypeError,
                      r"Normal: loc is required; got None"),
    "None required (second)": (lambda: rc.Beta(np.ones(2), None), TypeError,
                               r"Beta: concentration0 is required; got None"),
    "complex number": (lambda: rc.Normal(1 + 2j, 1.0), TypeError,
                       r"Normal: loc must be real; got \(1\+2j\)"),
    "complex numpy": (lambda: rc.Gamma(np.array([1 + 1j])), TypeError,
                      r"Gamma: concentration must be real; got an array of complex128"),
    "complex torch": (lambda: rc.Normal(_torch().tensor([1 + 2j]), 1.0), TypeError,
                      r"Normal: loc must be real; got an array of torch.complex64"),
    "shapes": (lambda: rc.Normal(np.zeros(2), np.ones(3)), ValueError,
               r"Normal: loc of shape \(2,\) and scale of shape \(3,\) do not broadcast"),
    "infinite concentration": (lambda: rc.Gamma(np.array([1.0, np.inf])), ValueError,
                               r"Gamma: concentration must be a finite real number.*inf"),
    "infinite location": (lambda: rc.Normal(np.array([-np.inf]), 1.0), ValueError,
                          r"Normal: loc must be a finite real number.*inf"),
    "infinite Beta": (lambda: rc.Beta(1.0, np.inf), ValueError,
                      r"Beta: concentration0 must be a finite"),
    "mixed chain": (lambda: B.Chain([B.Shift(_torch().tensor(1.0)), B.Scale(np.array(2.0))]),
                    TypeError, r"Chain: member 0 \(Shift\) holds torch .* member 1 \(Scale\) "
                    r"holds numpy"),
    "mixed bijector input": (lambda: B.Shift(_torch().tensor(1.0)).forward(np.ones(2)),
                             TypeError, r"Shift: x is a numpy array but .* torch"),
    "mixed chain input": (lambda: B.Chain([B.Shift(1.0), B.Scale(_jnp().asarray(2.0))]).forward(
        _torch().ones(2)), TypeError, r"Chain: x is a torch array but .* jax"),
    "mixed flow": (lambda: rc.TransformedDistribution(
        rc.Normal(np.zeros(2), 1.0), B.Shift(_torch().tensor(1.0))), TypeError,
        r"TransformedDistribution: the base holds numpy .* torch"),
    "mixed arrays": (lambda: rc.Normal(_torch().zeros(2), np.ones(2)), TypeError,
                     r"mix torch and numpy"),
    "jax rng: numpy Generator": (
        lambda: rc.Normal(_jnp().zeros(2), 1.0).sample(rng=np.random.default_rng(0)),
        TypeError, r"rng for JAX arrays must be a key .* got numpy.random.*Generator"),
    "jax rng: numpy int": (lambda: rc.Normal(_jnp().zeros(2), 1.0).sample(rng=np.int64(3)),
                           TypeError, r"rng for JAX arrays must be a key .* got numpy.int64"),
    "jax rng: int": (lambda: rc.Normal(_jnp().zeros(2), 1.0).sample(rng=3), TypeError,
                     r"rng for JAX arrays must be a key .* got builtins.int"),
    "jax rng: None": (lambda: rc.Normal(_jnp().zeros(2), 1.0).sample(), ValueError,
                      r"rng is required for JAX arrays"),
    "torch rng: True": (lambda: rc.Normal(_torch().zeros(2), 1.0).sample(rng=True), TypeError,
                        r"rng must be None, an int seed or a torch.Generator; got a bool"),
    "torch rng: 2**70": (lambda: rc.Normal(_torch().zeros(2), 1.0).sample(rng=2**70),
                         ValueError, r"rng: an int seed must be in \[-2\*\*63, 2\*\*64\); got"),
    "torch rng: numpy Generator": (
        lambda: rc.Normal(_torch().zeros(2), 1.0).sample(rng=np.random.default_rng(0)),
        TypeError, r"rng must be None, an int seed or a torch.Generator .* got Generator"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_names_the_argument(case):
    build, error, pattern = CASES[case]
    with pytest.raises(error, match=pattern):
        build()


def test_good_neighbours_of_the_bad_cases_still_work():
    """The checks reject only what they name: finite, real, array or number inputs pass."""
    assert rc.Normal(np.array([0.0, 1.0]), 1).batch_shape == (2,)
    assert rc.Gamma(np.array([1e300])).batch_shape == (1,)
    assert rc.Beta(np.float64(0.5), 2.0).batch_shape == ()
    d = rc.RelaxedBernoulli(0.5, logits=np.array([-np.inf, np.inf]))  # logits may be infinite
    assert d.batch_shape == (2,)
