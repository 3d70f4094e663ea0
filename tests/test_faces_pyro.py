"""relaxcore.pyro: relaxcore's classes as Pyro distributions, in models, guides and SVI.

SVI tests have known answers: the Beta-Bernoulli posterior (conjugate), a Bernoulli latent's
exact posterior (score-function gradients under TraceGraph_ELBO), and a relaxed-categorical
guide whose optimum is the prior it is fitted to. Tolerances: several times the spread of
the fitted values over seeds 0-2 (measured), far below the error of a wrong model.
"""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")
pyro = pytest.importorskip("pyro")
rcp = pytest.importorskip("relaxcore.pyro")

import pyro.distributions as dist  # noqa: E402
from pyro.infer import SVI, Trace_ELBO, TraceEnum_ELBO, TraceGraph_ELBO  # noqa: E402
from pyro.optim import ClippedAdam  # noqa: E402

import relaxcore as rc  # noqa: E402


def a(x):
    return torch.tensor(x, dtype=torch.float64)


@pytest.fixture(autouse=True)
def _fresh_param_store():
    pyro.clear_param_store()
    pyro.set_rng_seed(0)
    yield
    pyro.clear_param_store()


def _fit(model, guide, elbo, steps, lr):
    svi = SVI(model, guide, ClippedAdam({"lr": lr, "lrd": 0.985}), elbo)
    for _ in range(steps):
        svi.step()


def test_pyro_classes_and_methods():
    d = rcp.Gamma(a([1.0, 2.0, 3.0]))
    assert isinstance(d, dist.TorchDistribution) and isinstance(d, rc.Gamma)
    ind = d.to_event(1)
    assert isinstance(ind, dist.Independent) and ind.event_shape == (3,)
    masked = d.mask(torch.tensor([True, False, True]))
    assert masked.log_prob(a([1.0, 1.0, 1.0]))[1].item() == 0.0
    assert d.expand_by((4,)).batch_shape == (4, 3)
    assert type(d.expand((2, 3))) is rcp.Gamma
    tr = pyro.poutine.trace(lambda: pyro.sample("g", d)).get_trace()
    assert tr.nodes["g"]["value"].shape == (3,) and tr.nodes["g"]["fn"] is d


DATA = [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0]  # 8 of 10: Beta(2+8, 2+2)


def _beta_bernoulli():
    data = a(DATA)

    def model():
        p = pyro.sample("p", rcp.Beta(a(2.0), a(2.0)))
        with pyro.plate("data", len(data)):
            pyro.sample("y", rcp.Bernoulli(probs=p), obs=data)

    def guide():
        c1 = pyro.param("c1", a(1.0), constraint=dist.constraints.positive)
        c0 = pyro.param("c0", a(1.0), constraint=dist.constraints.positive)
        pyro.sample("p", rcp.Beta(c1, c0))

    return model, guide


@pytest.mark.parametrize("elbo", [Trace_ELBO, TraceGraph_ELBO])
def test_svi_beta_bernoulli_posterior_mean(elbo):
    model, guide = _beta_bernoulli()
    _fit(
        model,
        guide,
        elbo(num_particles=16, vectorize_particles=True, max_plate_nesting=1),
        150,
        0.1,
    )
    c1, c0 = pyro.param("c1").item(), pyro.param("c0").item()
    # exact posterior mean 10/14; seeds 0-2 land within 0.013 of it
    assert abs(c1 / (c1 + c0) - 10 / 14) < 0.04
    assert c1 > c0 > 1.5  # moved from (1, 1) toward (10, 4)


def test_svi_relaxed_categorical_guide_recovers_the_prior():
    prior = a([2.0, 0.0, -1.0])
    tau = a(0.5)

    def model():
        pyro.sample("z", rcp.RelaxedOneHotCategorical(tau, logits=prior))

    def guide():
        pyro.sample("z", rcp.RelaxedOneHotCategorical(tau, logits=pyro.param("l", a([0.0] * 3))))

    elbo = Trace_ELBO(num_particles=16, vectorize_particles=True, max_plate_nesting=0)
    _fit(model, guide, elbo, 150, 0.1)
    got = torch.softmax(pyro.param("l").detach(), -1)
    # KL(q || p) is 0 only at q = p; the start (uniform) is 0.51 away from the prior's probs,
    # seeds 0-2 end within 0.004 of them
    torch.testing.assert_close(got, torch.softmax(prior, -1), atol=0.02, rtol=0)


@pytest.mark.parametrize("name", ["Categorical", "Bernoulli", "OneHotCategorical"])
def test_enumeration_gives_the_exact_marginal(name):
    locs, x = a([-1.0, 0.5, 2.0]), a(0.3)
    if name == "Bernoulli":
        locs = a([-1.0, 1.0])
        prior = rcp.Bernoulli(probs=a(0.3))
        log_p = torch.log(a([0.7, 0.3]))
    else:
        prior = getattr(rcp, name)(logits=a([0.0, 1.0, -0.5]))
        log_p = torch.log_softmax(a([0.0, 1.0, -0.5]), -1)

    def loc_of(z):
        if name == "OneHotCategorical":
            return (z * locs).sum(-1)
        return locs[z.long()]

    def model():
        z = pyro.sample("z", prior, infer={"enumerate": "parallel"})
        pyro.sample("x", rcp.Normal(loc_of(z), a(1.0)), obs=x)

    loss = TraceEnum_ELBO(max_plate_nesting=0).loss(model, lambda: None)
    normal = -0.5 * (x - locs) ** 2 - 0.5 * math.log(2 * math.pi)
    assert loss == pytest.approx(-torch.logsumexp(log_p + normal, 0).item(), rel=1e-9)


def test_tracegraph_score_function_bernoulli_latent():
    """A discrete latent in model and guide: TraceGraph_ELBO's score-function gradient (Pyro
    passes the guide's draw as a ProvenanceTensor) follows exactly the trajectory of Pyro's
    own Bernoulli and Normal, and moves toward the posterior P(z = 1 | x) = sigmoid(sum 2 x_i)
    (x_i ~ N(2z - 1, 1), fair prior)."""
    xs = a([0.3, -0.5, 1.2, -0.6])

    def fit(bernoulli, normal):
        def model():
            z = pyro.sample("z", bernoulli(probs=a(0.5)))
            with pyro.plate("data", len(xs)):
                pyro.sample("x", normal(2 * z - 1, a(1.0)), obs=xs)

        def guide():
            q = pyro.param("q", a(0.5), constraint=dist.constraints.unit_interval)
            pyro.sample("z", bernoulli(probs=q))

        pyro.clear_param_store()
        pyro.set_rng_seed(0)
        elbo = TraceGraph_ELBO(num_particles=16, vectorize_particles=True, max_plate_nesting=1)
        _fit(model, guide, elbo, 100, 0.05)
        return pyro.param("q").item()

    ours, pyros = fit(rcp.Bernoulli, rcp.Normal), fit(dist.Bernoulli, dist.Normal)
    assert ours == pytest.approx(pyros, abs=1e-9)
    # from 0.5 toward the exact 0.690 (100 noisy steps reach 0.58 with seed 0)
    assert 0.55 < ours < torch.sigmoid(2 * xs.sum()).item() + 0.1
