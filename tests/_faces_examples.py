"""One small, valid instance of every public distribution class, in any namespace.

``EXAMPLES[name](ns, a)`` builds class `name` of namespace `ns` (``relaxcore``,
``relaxcore.torch``, ``relaxcore.pyro`` or ``relaxcore.numpyro``) from arrays made by `a`
(nested lists -> the framework's float arrays). Batch shape (2,) throughout. The face tests
and ``benchmarks/face_support_table.py`` use it; a class missing here fails
``test_faces_completeness``.
"""

from __future__ import annotations

import relaxcore as rc

LOGITS = [[0.0, 1.0, 2.0], [1.0, 0.0, -1.0]]
CORRELATION = [[1.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 1.0]]

EXAMPLES = {
    "Bernoulli": lambda ns, a: ns.Bernoulli(probs=a([0.3, 0.6])),
    "Categorical": lambda ns, a: ns.Categorical(logits=a(LOGITS)),
    "Independent": lambda ns, a: ns.Independent(ns.Normal(a([[0.0, 1.0]] * 2), a(1.0)), 1),
    "Logistic": lambda ns, a: ns.Logistic(a([0.0, 1.0]), a([1.0, 2.0])),
    "MultivariateNormalDiag": lambda ns, a: ns.MultivariateNormalDiag(
        a([[0.0, 1.0], [1.0, 0.0]]), a([[1.0, 2.0], [2.0, 1.0]])
    ),
    "Normal": lambda ns, a: ns.Normal(a([0.0, 1.0]), a([1.0, 2.0])),
    "OneHotCategorical": lambda ns, a: ns.OneHotCategorical(logits=a(LOGITS)),
    "TransformedDistribution": lambda ns, a: ns.TransformedDistribution(
        ns.Normal(a([0.0, 1.0]), a([1.0, 0.5])), rc.bijectors.Tanh()
    ),
    "Uniform": lambda ns, a: ns.Uniform(a([0.0, 1.0]), a([1.0, 3.0])),
    "Beta": lambda ns, a: ns.Beta(a([1.5, 2.0]), a([2.0, 0.5])),
    "Dirichlet": lambda ns, a: ns.Dirichlet(a([[1.0, 2.0, 3.0], [0.5, 0.5, 0.5]])),
    "ExpBeta": lambda ns, a: ns.ExpBeta(a([1.5, 2.0]), a([2.0, 0.5])),
    "ExpDirichlet": lambda ns, a: ns.ExpDirichlet(a([[1.0, 2.0, 3.0], [0.5, 0.5, 0.5]])),
    "ExpGamma": lambda ns, a: ns.ExpGamma(a([1.5, 0.5]), a([1.0, 2.0])),
    "Gamma": lambda ns, a: ns.Gamma(a([1.5, 0.5]), a([1.0, 2.0])),
    "ImplicitReparam": lambda ns, a: ns.ImplicitReparam(ns.Logistic(a([0.0, 1.0]), a(1.0))),
    "MixtureSameFamily": lambda ns, a: ns.MixtureSameFamily(
        ns.Gamma(a([[1.0, 3.0]] * 2), a(1.0)), mixture_logits=a([[0.0, 1.0]] * 2)
    ),
    "StudentT": lambda ns, a: ns.StudentT(a([3.0, 5.0]), a([0.0, 1.0]), a([1.0, 2.0])),
    "VonMises": lambda ns, a: ns.VonMises(a([0.0, 1.0]), a([1.0, 2.0])),
    "CorrelatedRelaxedBernoulli": lambda ns, a: ns.CorrelatedRelaxedBernoulli(
        a(0.5), a(CORRELATION), probs=a([[0.3, 0.5, 0.7]] * 2)
    ),
    "DecoupledStraightThroughGumbelSoftmax": lambda ns, a: ns.DecoupledStraightThroughGumbelSoftmax(
        a(1.0), a(0.5), logits=a(LOGITS)
    ),
    "ExpRelaxedOneHotCategorical": lambda ns, a: ns.ExpRelaxedOneHotCategorical(
        a(0.5), logits=a(LOGITS)
    ),
    "GaussianRelaxedBernoulli": lambda ns, a: ns.GaussianRelaxedBernoulli(
        a([0.3, 0.6]), a([0.5, 0.5])
    ),
    "GeneralizedGumbelSoftmax": lambda ns, a: ns.GeneralizedGumbelSoftmax(
        a([0.0, 1.0, 2.0]), a(0.5), logits=a(LOGITS)
    ),
    "GumbelSoftmaxTopK": lambda ns, a: ns.GumbelSoftmaxTopK(a(0.5), 2, logits=a(LOGITS)),
    "HardConcrete": lambda ns, a: ns.HardConcrete(a(0.5), logits=a([0.0, 1.0])),
    "InvertibleGaussian": lambda ns, a: ns.InvertibleGaussian(
        a([[0.0, 1.0, -1.0]] * 2), a(1.0), a(0.5)
    ),
    "LogisticNormalSoftmax": lambda ns, a: ns.LogisticNormalSoftmax(
        a([[0.0, 1.0, -1.0]] * 2), a(1.0)
    ),
    "LogitRelaxedBernoulli": lambda ns, a: ns.LogitRelaxedBernoulli(a(0.5), probs=a([0.3, 0.6])),
    "RebarRelaxation": lambda ns, a: ns.RebarRelaxation(a([0.3, 0.6]), a(0.5)),
    "RelaxedBernoulli": lambda ns, a: ns.RelaxedBernoulli(a(0.5), probs=a([0.3, 0.6])),
    "RelaxedOneHotCategorical": lambda ns, a: ns.RelaxedOneHotCategorical(a(0.5), logits=a(LOGITS)),
    "RelaxedOneHotCategoricalStraightThrough": lambda ns, a: (
        ns.RelaxedOneHotCategoricalStraightThrough(a(0.5), logits=a(LOGITS))
    ),
    "StochasticTimesSmooth": lambda ns, a: ns.StochasticTimesSmooth(probs=a([0.3, 0.6])),
    "StraightThroughBernoulli": lambda ns, a: ns.StraightThroughBernoulli(probs=a([0.3, 0.6])),
}
