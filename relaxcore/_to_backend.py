"""Move a distribution or bijector to another framework: ``rc.to_backend(obj, "torch")``.

Every array the object holds (parameters, nested distributions and bijectors, lists of
weights) goes through the Array API's ``from_dlpack`` of the target framework: zero copy
where both sides share the device (CPU numpy -> torch or jax, a GPU tensor -> jax on the same
GPU), a copy where ``device=`` asks for another. The object is rebuilt with the same
attributes, so the result is equal: same parameters, same log_prob; its samples follow the
target framework's random numbers. Gradients do not cross frameworks: a torch tensor that
requires grad is detached first (the new object's arrays are leaves of the target).
"""

from __future__ import annotations

from relaxcore._dispatch import BACKEND_NAMES, framework_of, get_backend
from relaxcore._pytree import PytreeNode


def _dtype_name(dtype) -> str:
    """'float32' for torch.float32, numpy/jax dtypes and their scalar types alike."""
    name = getattr(dtype, "name", None)
    if not isinstance(name, str):
        name = getattr(dtype, "__name__", None) or str(dtype).rpartition(".")[2]
    return name


def _move_array(x, target, device):
    source = get_backend(framework_of(x) or "numpy")  # a Python number: numpy
    x = source.stop_gradient(x)
    kwargs = {} if device is None else {"device": device, "copy": None}
    try:
        return target.xp.from_dlpack(x, **kwargs)
    except (RuntimeError, ValueError, TypeError, BufferError):
        # a broadcast view (stride 0) that the target cannot import: a compact copy first
        return target.xp.from_dlpack(source.xp.asarray(x, copy=True), **kwargs)


def _move(value, target, device):
    if isinstance(value, PytreeNode):
        return to_backend(value, target.name, device)
    if isinstance(value, (list, tuple)):
        moved = [_move(v, target, device) for v in value]
        return moved if isinstance(value, list) else type(value)(moved)
    if hasattr(value, "__dlpack__") and hasattr(value, "dtype") and framework_of(value):
        return _move_array(value, target, device)
    return value


def to_backend(obj, backend: str, device=None):
    """`obj` (a distribution or bijector) with its arrays in framework `backend` (one of
    ``relaxcore.BACKEND_NAMES``), on `device` if given (a device of that framework)."""
    if backend not in BACKEND_NAMES:
        raise ValueError(f"to_backend: backend must be one of {BACKEND_NAMES}; got {backend!r}")
    if not isinstance(obj, PytreeNode):
        raise TypeError(
            f"to_backend: expected a relaxcore distribution or bijector; got {type(obj).__name__}"
        )
    target = get_backend(backend)
    new = object.__new__(type(obj))
    state = {k: _move(v, target, device) for k, v in vars(obj).items()}
    if state.get("_backend") is not None:
        state["_backend"] = target
        if state.get("_dtype") is not None:
            state["_dtype"] = getattr(target.xp, _dtype_name(state["_dtype"]))
        if "_device" in state:
            state["_device"] = _device_of_first_array(state, target, device)
    vars(new).update(state)
    return new


def _device_of_first_array(state, target, device):
    from array_api_compat import device as device_of

    for value in state.values():
        if hasattr(value, "__dlpack__") and hasattr(value, "dtype"):
            found = device_of(value)
            break
    else:
        found = device
    recorded = getattr(target, "recorded_device", None)
    return recorded(found) if recorded is not None else found
