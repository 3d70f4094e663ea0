"""relaxcore.torch: relaxcore's classes as torch.distributions.Distribution objects."""

from __future__ import annotations

import pytest
from _faces_examples import EXAMPLES

import relaxcore as rc
from relaxcore import kl as rc_kl

torch = pytest.importorskip("torch")
td = torch.distributions
rct = pytest.importorskip("relaxcore.torch")


XP = rc.get_backend("torch").xp


def a(x):
    return torch.tensor(x, dtype=torch.float64)


#: supports torch has no bijection for: discrete ones, and the log-simplex (no torch type)
NO_BIJECTION = {
    "Bernoulli",
    "Categorical",
    "OneHotCategorical",
    "DecoupledStraightThroughGumbelSoftmax",
    "RelaxedOneHotCategoricalStraightThrough",
    "StraightThroughBernoulli",
    "ExpDirichlet",
    "ExpRelaxedOneHotCategorical",
}


@pytest.fixture(autouse=True)
def _torch_validation_default():
    before = td.Distribution._validate_args
    yield
    td.Distribution.set_default_validate_args(before)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_face_is_both_and_its_constraints_are_torch(name):
    d = EXAMPLES[name](rct, a)
    assert isinstance(d, td.Distribution) and isinstance(d, getattr(rc, name))
    assert type(d.batch_shape) is torch.Size and type(d.event_shape) is torch.Size
    assert isinstance(d.support, td.constraints.Constraint)
    torch.manual_seed(0)
    x = d.sample((5,))
    assert x.shape == (5, *d.batch_shape, *d.event_shape)
    assert bool(d.support.check(x).all())  # torch's protocol: check(value)
    assert bool(d.support.check(XP, x).all())  # relaxcore's: check(xp, value)
    for param, constraint in d.arg_constraints.items():
        assert isinstance(constraint, td.constraints.Constraint), param
        value = getattr(d, param, None)  # a class may accept a parameter it does not store
        if value is not None:
            assert bool(constraint.check(value).all()), param
    if name in NO_BIJECTION:
        with pytest.raises(NotImplementedError):
            td.biject_to(d.support)
    else:
        y = td.biject_to(d.support)(torch.randn(5, *d.batch_shape, *d.event_shape) * 3)
        assert bool(d.support.check(XP, y).all())  # judged by relaxcore's own test


def test_support_rejects_what_relaxcore_rejects():
    g = rct.Gamma(a([1.0, 2.0]))
    assert g.support.check(a([-1.0, 1.0])).tolist() == [False, True]
    simplex = rct.Dirichlet(a([1.0, 2.0, 3.0])).support
    assert simplex.check(a([[0.2, 0.3, 0.5], [0.2, 0.3, 0.6]])).tolist() == [True, False]
    assert td.Independent(g, 1).support.check(a([[1.0, -1.0], [1.0, 2.0]])).tolist() == [
        False,
        True,
    ]


def test_independent_support_log_prob_and_rsample():
    d = rct.Gamma(a([[1.0, 2.0], [3.0, 4.0]]), a(2.0))
    ind = td.Independent(d, 1)
    assert ind.support.event_dim == 1 and ind.event_shape == (2,)
    x = ind.rsample((3,))
    assert x.shape == (3, 2, 2)
    plain = torch.distributions.Gamma(a([[1.0, 2.0], [3.0, 4.0]]), a(2.0))
    torch.testing.assert_close(ind.log_prob(x), plain.log_prob(x).sum(-1))
    to_event = d.to_event(1)
    assert isinstance(to_event, rct.Independent) and isinstance(to_event, td.Distribution)
    torch.testing.assert_close(to_event.log_prob(x), ind.log_prob(x))


def test_expand_keeps_the_class():
    d = rct.RelaxedOneHotCategorical(a(0.5), logits=a([0.0, 1.0, 2.0]))
    e = d.expand(torch.Size([4, 2]))
    assert type(e) is rct.RelaxedOneHotCategorical
    assert e.batch_shape == (4, 2) and e.event_shape == (3,)
    assert e.rsample((3,)).shape == (3, 4, 2, 3)
    with pytest.raises(ValueError, match="expand"):
        rct.Gamma(a([1.0, 2.0])).expand((3,))


def a_other(x):
    """Other valid parameters of the same example: positive entries move halfway to 1
    (probabilities stay in (0, 1), concentrations positive), the others halve."""
    x = a(x)
    return torch.where(x > 0, 0.5 * x + 0.5, 0.5 * x)


@pytest.mark.parametrize("pair", sorted((p.__name__, q.__name__) for p, q in rc_kl._REGISTRY))
def test_every_kl_pair_is_registered_with_torch(pair):
    q_arrays = a_other if pair[0] == pair[1] else a
    p, q = EXAMPLES[pair[0]](rct, a), EXAMPLES[pair[1]](rct, q_arrays)
    torch.manual_seed(1)  # Monte-Carlo pairs draw from torch's global generator
    got = td.kl_divergence(p, q)
    torch.manual_seed(1)
    want = rc.kl_divergence(EXAMPLES[pair[0]](rc, a), EXAMPLES[pair[1]](rc, q_arrays))
    assert got.shape == p.batch_shape
    torch.testing.assert_close(got, want)


def test_kl_gamma_matches_torchs_own():
    p = rct.Gamma(a([0.5, 3.0]), a([1.0, 2.0]))
    q = rct.Gamma(a([2.0, 1.0]), a([0.5, 1.5]))
    want = td.kl_divergence(td.Gamma(p.concentration, p.rate), td.Gamma(q.concentration, q.rate))
    torch.testing.assert_close(td.kl_divergence(p, q), want)


def test_python_numbers_give_torch_tensors():
    d = rct.Normal(0.0, 1.0)
    assert torch.is_tensor(d.loc) and torch.is_tensor(d.rsample((2,)))


def test_rsample_uses_torchs_global_generator_and_matches_the_plain_class():
    alpha = a([0.5, 2.0]).requires_grad_(True)
    torch.manual_seed(7)
    z = rct.Gamma(alpha).rsample((100,))
    (g_face,) = torch.autograd.grad(z.sum(), alpha)
    torch.manual_seed(7)
    z_plain = rc.Gamma(alpha).rsample((100,))
    (g_plain,) = torch.autograd.grad(z_plain.sum(), alpha)
    torch.testing.assert_close(z, z_plain)
    torch.testing.assert_close(g_face, g_plain)
    assert bool((g_face != 0).all())


def test_validate_args_follows_torch():
    with pytest.raises(ValueError, match="concentration"):
        rct.Gamma(a(-1.0))
    with pytest.raises(ValueError, match="value"):
        rct.Gamma(a(1.0)).log_prob(a(-1.0))
    td.Distribution.set_default_validate_args(False)  # torch's (and Pyro's) global switch
    d = rct.Gamma(a(-1.0))
    assert not d.validate_args
    assert bool(torch.isnan(d.rsample()).all())
    assert rct.Gamma(a(1.0)).log_prob(a(-1.0)).item() == -float("inf")
    assert rct.Gamma(a(1.0), validate_args=True).validate_args


@pytest.mark.parametrize("name", ["RelaxedOneHotCategorical", "Gamma"])
def test_face_compiles_without_graph_breaks(name):
    """Construction, rsample and log_prob through a face in one torch.compile graph (after
    one eager call, which loads what the class needs)."""

    def fn(scale):
        d = EXAMPLES[name](rct, lambda x: a(x) * scale)
        z = d.rsample()
        return d.log_prob(z).sum()

    one = torch.ones((), dtype=torch.float64)
    fn(one)
    torch._dynamo.reset()
    explained = torch._dynamo.explain(fn)(one)
    assert explained.graph_break_count == 0, explained.break_reasons
    torch.manual_seed(0)
    compiled = torch.compile(fn, fullgraph=True, backend="eager")(one)
    assert torch.isfinite(compiled)
