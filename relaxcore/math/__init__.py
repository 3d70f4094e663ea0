"""The core's own array-API implementations of functions the standard lacks.

Backends use their framework's native (fused, differentiable) versions; these serve
`array_api_strict` and any framework that lacks one. Each takes the namespace first.
"""
