r"""KL divergences of the Concrete relaxations: Monte-Carlo estimates, in log space.

The Concrete-VAE objective (Maddison et al. 2017, section 5 and appendix C) compares the
relaxed posterior with the categorical (or Bernoulli) prior relaxed at the same temperature.
That KL has no closed form; the estimator here is the single-draw

.. math:: \widehat{\mathrm{KL}} = \log q(y) - \log p(y), \qquad y = \texttt{q.rsample()},

unbiased and reparameterized (its gradient reaches the posterior's parameters through
`y`), with both densities taken in log space (:class:`ExpRelaxedOneHotCategorical`,
:class:`LogitRelaxedBernoulli`): KL is invariant under the bijection ``y = log z`` (or
``logit z``), and the log-space densities are exact at any temperature where the simplex
ones underflow. So a :class:`RelaxedOneHotCategorical` pair gets the same estimate through its
log-space twin. Average several calls (or use a batch) for a lower variance.

``kl_divergence(posterior, prior, rng=...)`` dispatches here for the pairs

- ``ExpRelaxedOneHotCategorical`` or ``RelaxedOneHotCategorical`` against the same class,
  against ``OneHotCategorical`` or against ``Categorical`` (the prior relaxed at the
  posterior's temperature; for another prior temperature, relax the prior yourself:
  ``ExpRelaxedOneHotCategorical(tau_prior, logits=prior.logits)``);
- ``LogitRelaxedBernoulli`` or ``RelaxedBernoulli`` against the same class or ``Bernoulli``.

The straight-through class's value is an exact categorical draw, so its pairs with
``OneHotCategorical``, ``Categorical`` and itself are the closed-form categorical KL (without
the ``Categorical`` pair, the relaxed pair above would win the dispatch and return a
Monte-Carlo estimate of the relaxed KL, often negative, for the same two laws).
"""

from __future__ import annotations

from relaxcore._typing import RNG, Array
from relaxcore.distributions._categories import kl_categories
from relaxcore.distributions.bernoulli import Bernoulli
from relaxcore.distributions.categorical import Categorical
from relaxcore.distributions.one_hot_categorical import OneHotCategorical
from relaxcore.kl import register_kl
from relaxcore.relaxations.exp_relaxed_one_hot_categorical import ExpRelaxedOneHotCategorical
from relaxcore.relaxations.logit_relaxed_bernoulli import LogitRelaxedBernoulli
from relaxcore.relaxations.relaxed_bernoulli import RelaxedBernoulli
from relaxcore.relaxations.relaxed_one_hot_categorical import RelaxedOneHotCategorical
from relaxcore.relaxations.straight_through_categorical import (
    RelaxedOneHotCategoricalStraightThrough,
)


def monte_carlo_kl(p, q: Array, rng: RNG = None):
    """``log p(y) - log q(y)`` at one reparameterized draw ``y ~ p`` (an unbiased estimate)."""
    y = p.rsample(rng=rng)
    return p.log_prob(y) - q.log_prob(y)


def _log_space(d, logits=None):
    """The log-space twin of a categorical or binary relaxation (or of a discrete law
    relaxed at the temperature of `d`, given its `logits`)."""
    cls = ExpRelaxedOneHotCategorical if d.event_shape else LogitRelaxedBernoulli
    if isinstance(d, cls) and logits is None:
        return d
    logits = d.logits if logits is None else logits
    return cls(d.temperature, logits=logits, validate_args=False)


@register_kl(ExpRelaxedOneHotCategorical, ExpRelaxedOneHotCategorical)
@register_kl(RelaxedOneHotCategorical, RelaxedOneHotCategorical)
@register_kl(LogitRelaxedBernoulli, LogitRelaxedBernoulli)
@register_kl(RelaxedBernoulli, RelaxedBernoulli)
def _kl_relaxed_relaxed(p, q, *, rng=None):
    """Monte-Carlo, in log space (module docstring)."""
    return monte_carlo_kl(_log_space(p), _log_space(q), rng)


@register_kl(ExpRelaxedOneHotCategorical, OneHotCategorical)
@register_kl(ExpRelaxedOneHotCategorical, Categorical)
@register_kl(RelaxedOneHotCategorical, OneHotCategorical)
@register_kl(RelaxedOneHotCategorical, Categorical)
@register_kl(LogitRelaxedBernoulli, Bernoulli)
@register_kl(RelaxedBernoulli, Bernoulli)
def _kl_relaxed_discrete(p, q, *, rng=None):
    """Monte-Carlo, in log space, against `q` relaxed at `p`'s temperature (module docstring)."""
    return monte_carlo_kl(_log_space(p), _log_space(p, q.logits), rng)


@register_kl(RelaxedOneHotCategoricalStraightThrough, OneHotCategorical)
@register_kl(RelaxedOneHotCategoricalStraightThrough, Categorical)
@register_kl(RelaxedOneHotCategoricalStraightThrough, RelaxedOneHotCategoricalStraightThrough)
def _kl_straight_through(p, q):
    """Closed form: the straight-through value is a one-hot categorical draw."""
    return kl_categories(OneHotCategorical(logits=p.logits), OneHotCategorical(logits=q.logits))
