"""Bijectors and normalizing flows, TFP style: one bijector per file.

``forward_and_log_det`` / ``inverse_and_log_det`` are each bijector's primitives;
``Chain`` composes right to left; ``relaxcore.TransformedDistribution`` pushes a base
distribution through one. Every method takes ``condition=`` (conditional flows);
``AffineTransformer`` and ``SplineTransformer`` are what coupling and autoregressive
layers apply elementwise; ``relaxcore.flows`` builds ready flows.
"""

from relaxcore.bijectors.act_norm import ActNorm
from relaxcore.bijectors.affine import Affine
from relaxcore.bijectors.affine_coupling import AffineCoupling
from relaxcore.bijectors.batch_norm import BatchNorm
from relaxcore.bijectors.bijector import Bijector
from relaxcore.bijectors.block import Block
from relaxcore.bijectors.chain import Chain
from relaxcore.bijectors.coupling import Coupling
from relaxcore.bijectors.exp import Exp
from relaxcore.bijectors.expm1 import Expm1
from relaxcore.bijectors.fill_triangular import FillTriangular
from relaxcore.bijectors.identity import Identity
from relaxcore.bijectors.inline import Inline
from relaxcore.bijectors.invert import Invert
from relaxcore.bijectors.leaky_relu import LeakyReLU
from relaxcore.bijectors.log import Log
from relaxcore.bijectors.log1p import Log1p
from relaxcore.bijectors.masked_autoregressive import MaskedAutoregressive
from relaxcore.bijectors.normal_cdf import NormalCDF
from relaxcore.bijectors.permute import Permute
from relaxcore.bijectors.power import Power
from relaxcore.bijectors.rational_quadratic_spline import RationalQuadraticSpline
from relaxcore.bijectors.reshape import Reshape
from relaxcore.bijectors.scale import Scale
from relaxcore.bijectors.scale_matvec_diag import ScaleMatvecDiag
from relaxcore.bijectors.scale_matvec_tril import ScaleMatvecTriL
from relaxcore.bijectors.shift import Shift
from relaxcore.bijectors.sigmoid import Sigmoid
from relaxcore.bijectors.softmax_centered import SoftmaxCentered
from relaxcore.bijectors.softplus import Softplus
from relaxcore.bijectors.square import Square
from relaxcore.bijectors.stick_breaking import StickBreaking
from relaxcore.bijectors.tanh import Tanh
from relaxcore.bijectors.transformers import AffineTransformer, SplineTransformer

__all__ = [
    "ActNorm",
    "Affine",
    "AffineCoupling",
    "AffineTransformer",
    "BatchNorm",
    "Bijector",
    "Block",
    "Chain",
    "Coupling",
    "Exp",
    "Expm1",
    "FillTriangular",
    "Identity",
    "Inline",
    "Invert",
    "LeakyReLU",
    "Log",
    "Log1p",
    "MaskedAutoregressive",
    "NormalCDF",
    "Permute",
    "Power",
    "RationalQuadraticSpline",
    "Reshape",
    "Scale",
    "ScaleMatvecDiag",
    "ScaleMatvecTriL",
    "Shift",
    "Sigmoid",
    "SoftmaxCentered",
    "Softplus",
    "SplineTransformer",
    "Square",
    "StickBreaking",
    "Tanh",
]
