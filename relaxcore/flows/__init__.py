"""Ready-made normalizing flows, as zuko and flowjax users expect.

``coupling_flow`` (RealNVP / neural spline coupling) and ``masked_autoregressive_flow``
(MAF / autoregressive NSF) return a ``TransformedDistribution`` whose bijector holds the
trainable arrays of the chosen framework; ``parameters(flow)`` lists them for
torch.optim, and the bijector is a JAX pytree for optax. Conditioners are pluggable: any
callable ``(x, condition) -> parameters``, or the built-in ``MLP``.
"""

from relaxcore.bijectors._mlp import MLP
from relaxcore.flows.constructors import coupling_flow, masked_autoregressive_flow
from relaxcore.flows.parameters import parameters

__all__ = ["MLP", "coupling_flow", "masked_autoregressive_flow", "parameters"]
