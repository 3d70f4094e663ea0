"""Per-framework backends: what the Array API standard lacks.

Every module here has the same public names, so they read side by side:

- ``name``, ``xp`` (the array-API namespace), ``default_float_dtype()``;
- random variates ``uniform``, ``normal``, ``standard_gamma`` drawn from ``as_rng(rng)``,
  and ``split_rng(rng, n)`` (JAX splits the key; stateful generators are shared);
- native special functions and fused primitives: ``softmax``, ``log_softmax``, ``logsumexp``,
  ``sigmoid``, ``log_sigmoid``, ``softplus``, ``lgamma``, ``digamma``, ``erf``, ``erfc``,
  ``ndtr``, ``ndtri``, ``log_ndtr``, ``gammainc``, ``gammaincc``, ``xlogy``, ``i0e``, ``i1e``;
- ``stop_gradient`` and ``is_traced`` (validation is skipped under jit/vmap/compile).

A backend is imported only when an array of its framework reaches the library
(see ``relaxcore._dispatch``), so ``import relaxcore`` imports no framework.
"""
