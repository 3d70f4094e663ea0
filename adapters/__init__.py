"""Per-framework adapters: how each framework's autodiff and ecosystem meets the math.

Implicit-gradient hooks (torch.autograd.Function, jax.custom_jvp), CuPy kernels and
framework-native faces live here, one module per framework, imported on demand.
"""
