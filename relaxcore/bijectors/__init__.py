"""Bijectors and normalizing flows, TFP style: one bijector per file.

``forward_and_log_det`` / ``inverse_and_log_det`` are each bijector's primitives;
``Chain`` composes right to left; ``relaxcore.TransformedDistribution`` pushes a base
distribution through one.
"""

from relaxcore.bijectors.affine import Affine
from relaxcore.bijectors.affine_coupling import AffineCoupling
from relaxcore.bijectors.bijector import Bijector
from relaxcore.bijectors.chain import Chain
from relaxcore.bijectors.exp import Exp
from relaxcore.bijectors.inline import Inline
from relaxcore.bijectors.invert import Invert
from relaxcore.bijectors.leaky_relu import LeakyReLU
from relaxcore.bijectors.log import Log
from relaxcore.bijectors.masked_autoregressive import MaskedAutoregressive
from relaxcore.bijectors.normal_cdf import NormalCDF
from relaxcore.bijectors.permute import Permute
from relaxcore.bijectors.reshape import Reshape
from relaxcore.bijectors.scale import Scale
from relaxcore.bijectors.shift import Shift
from relaxcore.bijectors.sigmoid import Sigmoid
from relaxcore.bijectors.softmax_centered import SoftmaxCentered
from relaxcore.bijectors.softplus import Softplus
from relaxcore.bijectors.stick_breaking import StickBreaking
from relaxcore.bijectors.tanh import Tanh

__all__ = [
    "Affine",
    "AffineCoupling",
    "Bijector",
    "Chain",
    "Exp",
    "Inline",
    "Invert",
    "LeakyReLU",
    "Log",
    "MaskedAutoregressive",
    "NormalCDF",
    "Permute",
    "Reshape",
    "Scale",
    "Shift",
    "Sigmoid",
    "SoftmaxCentered",
    "Softplus",
    "StickBreaking",
    "Tanh",
]
