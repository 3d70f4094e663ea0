"""Every latent family of the harness, with the estimators that apply to it.

Written once on relaxcore and the array API: the same code runs on torch tensors and on JAX
arrays. A family turns the encoder's output ``h`` (B, encoder_size) into a posterior and
returns, per image,

- ``train(h, ctx, estimator)``: ``(surrogate, elbo)``, both (B,): the ELBO estimate and a
  surrogate of equal value whose gradient is the chosen estimator's (maximize it);
- ``evaluate(h, ctx)``: ``(z, elbo)``: one posterior draw and the one-draw ELBO of the model
  (for the discrete families: the exact discrete draw and the closed-form KL, whatever
  estimator trained the encoder);
- ``prior_draw(n, seed)``: NumPy decoder inputs drawn from the prior, for pictures.

``ctx`` (:class:`Context`) carries the decoder's log-likelihood ``loglik(z, frozen=False)``
(``frozen``: the decoder's weights held constant, for control variates), a random stream,
the current temperature and the options.
"""

from .base import Context, Latent, equicorrelation, parse_shape, positive
from .continuous import Beta, Gamma, Gaussian, VonMises
from .discrete import Bernoulli, Categorical, TopK
from .relaxed import CorrelatedBernoulli, GaussianGates, HardConcrete, InvertibleGaussian

__all__ = [
    "ESTIMATORS",
    "FAMILIES",
    "Context",
    "Latent",
    "equicorrelation",
    "make",
    "parse_shape",
    "positive",
    "valid_pairs",
]

FAMILIES = {
    cls.name: cls
    for cls in (
        Categorical,
        Bernoulli,
        HardConcrete,
        GaussianGates,
        CorrelatedBernoulli,
        InvertibleGaussian,
        TopK,
        Gaussian,
        Gamma,
        Beta,
        VonMises,
    )
}
ESTIMATORS = (
    "relaxed",
    "st-gumbel",
    "st",
    "reinmax",
    "gst",
    "gumbel-rao",
    "rloo",
    "rebar",
    "relax",
    "disarm",
    "implicit",
    "reparam",
)
DEFAULT_SHAPES = {"categorical": "16x10", "invertible-gaussian": "16x10", "top-k": "8x8"}


def valid_pairs() -> str:
    return "; ".join(f"{name}: {', '.join(cls.estimators)}" for name, cls in FAMILIES.items())


def make(name: str, estimator: str | None, shape_text: str | None, opts):
    """The family `name` of shape `shape_text` (or its default), and the estimator (default:
    the family's first); a ValueError listing the valid pairs if they do not go together."""
    cls = FAMILIES[name]
    estimator = estimator or cls.estimators[0]
    if estimator not in cls.estimators:
        raise ValueError(
            f"estimator {estimator!r} does not apply to latent {name!r}. Valid pairs: "
            f"{valid_pairs()}"
        )
    shape = parse_shape(shape_text or DEFAULT_SHAPES.get(name, "10"))
    return cls(shape, opts), estimator
