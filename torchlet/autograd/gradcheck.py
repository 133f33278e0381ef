"""gradcheck / gradgradcheck: compare backward's Jacobians with central finite differences.

For every output o and every input x that requires grad, the *numerical* Jacobian is built column
by column by perturbing each element of x by +-eps, the *analytical* one row by row with
``autograd.grad(o, inputs, e_j)`` for each basis vector e_j of o. Both are stored as torch does,
with shape (x.numel(), o.numel()), and must agree within ``atol + rtol * |numerical|``.
"""
import warnings

import numpy as np

__all__ = ['gradcheck', 'gradgradcheck', 'GradcheckError']


class GradcheckError(RuntimeError):
    """Error raised by gradcheck and gradgradcheck."""


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """True when the gradients computed by backward for ``func(*inputs)`` match finite differences
    (use float64 inputs); otherwise raise GradcheckError, or return False if not raise_exception.
    ``fast_mode`` runs the same (exact) check."""
    _unsupported(check_batched_grad=check_batched_grad, check_forward_ad=check_forward_ad,
                 check_batched_forward_grad=check_batched_forward_grad)
    try:
        return _gradcheck(func, _as_tuple(inputs), eps, atol, rtol, nondet_tol, check_grad_dtypes,
                          check_backward_ad)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """gradcheck of the first derivatives: checks the gradients of ``grad(func(*inputs), inputs,
    grad_outputs, create_graph=True)`` with respect to the inputs and the grad_outputs (random
    values in [-1, 1] when not given)."""
    _unsupported(check_batched_grad=check_batched_grad, check_fwd_over_rev=check_fwd_over_rev)
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        outs = _differentiable(func(*inputs))
        grad_outputs = tuple(_random_like(o, gen_non_contig_grad_outputs) for o in outs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_out = len(grad_outputs)
    diff_inputs = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_derivatives(*args):
        outputs = _differentiable(func(*args[:-n_out]))
        grads = grad(outputs, [args[i] for i in diff_inputs], args[-n_out:], create_graph=True,
                     allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_grad_dtypes=check_grad_dtypes, check_backward_ad=check_rev_over_rev)


def _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_grad_dtypes, check_backward_ad):
    diff = _check_inputs(inputs)
    func_out = _as_tuple(func(*inputs))
    outputs = _differentiable(func_out)
    numerical = [_numerical_jacobian(func, inputs, func_out, x, eps) for x in diff]    # [input][output]
    if not outputs:
        if any(np.any(j != 0) for per_input in numerical for j in per_input):
            raise GradcheckError("Numerical gradient for function expected to be zero")
        return True
    if not check_backward_ad:
        return True
    differentiable_idx = [k for k, o in enumerate(func_out) if isinstance(o, Tensor) and o.requires_grad]
    for i, (k, out) in enumerate(zip(differentiable_idx, outputs)):
        analytical = _analytical_jacobian(out, diff, nondet_tol, check_grad_dtypes)
        for j, a in enumerate(analytical):
            n = numerical[j][k]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                raise GradcheckError(f"Jacobian mismatch for output {i:d} with respect to input {j:d},\n"
                                     f"numerical:{Tensor._wrap(n)}\nanalytical:{Tensor._wrap(a)}\n")
    _check_backward_mul_by_grad_output(outputs, diff)
    return True


def _check_inputs(inputs):
    """The inputs that require grad (warning for those that are not double precision)."""
    diff = []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad:
            if x._data.dtype not in (np.float64, np.complex128):
                warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                              "point or complex. This check will likely fail if all the inputs are not "
                              "of double precision floating point or complex. ", stacklevel=4)
            if any(st == 0 and sz > 1 for st, sz in zip(x._data.strides, x._data.shape)):
                raise RuntimeError(f"The {i}th input has a dimension with stride 0. gradcheck only "
                                   "supports inputs that are non-overlapping to be able to compute the "
                                   "numerical gradients correctly. You should call .contiguous on the "
                                   "input before passing it to gradcheck.")
            diff.append(x)
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of "
                         "them have requires_grad=True.")
    return diff


def _numerical_jacobian(func, inputs, func_out, x, eps):
    """[d output_k / d x as an array (x.numel(), output_k.numel()) for every output k]."""
    data = x._data
    columns = []
    for idx in np.ndindex(*data.shape):
        orig = data[idx].copy()
        data[idx] = orig - eps
        minus = _output_arrays(func, inputs)
        data[idx] = orig + eps
        plus = _output_arrays(func, inputs)
        data[idx] = orig
        columns.append([(b - a) / (2 * eps) for a, b in zip(minus, plus)])
    return [np.array([col[k].reshape(-1) for col in columns], dtype=o._data.dtype)
            .reshape(data.size, o._data.size) for k, o in enumerate(func_out)]


def _output_arrays(func, inputs):
    return [o.detach()._data.copy() for o in _as_tuple(func(*inputs))]


def _analytical_jacobian(out, diff, nondet_tol, check_grad_dtypes):
    """[d out / d x as an array (x.numel(), out.numel()) for every x in diff], computed twice by
    backward to detect non-reentrant (non-deterministic) backward functions."""
    first, sizes_ok, types_ok = _jacobian_rows(out, diff)
    second, _, _ = _jacobian_rows(out, diff)
    if not types_ok and check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    for a, b in zip(first, second):
        if a.size and np.abs(a - b).max() > nondet_tol:
            raise GradcheckError("Backward is not reentrant, i.e., running backward with same input and "
                                 "grad_output multiple times gives different values, although analytical "
                                 "gradient matches numerical gradient.The tolerance for nondeterminism "
                                 f"was {nondet_tol}.")
    return first


def _jacobian_rows(out, diff):
    jacobians = [np.zeros((x._data.size, out._data.size), x._data.dtype) for x in diff]
    sizes_ok = types_ok = True
    basis = np.zeros(out._data.size, out._data.dtype)
    for j in range(out._data.size):
        basis[:] = 0
        basis[j] = 1
        grads = grad(out, diff, Tensor._wrap(basis.reshape(out._data.shape).copy()), retain_graph=True,
                     allow_unused=True)
        for jac, g, x in zip(jacobians, grads, diff):
            if g is None:
                continue
            if g._data.shape != x._data.shape:
                sizes_ok = False
                continue
            if g._data.dtype != x._data.dtype:
                types_ok = False
            jac[:, j] = g._data.reshape(-1)
    return jacobians, sizes_ok, types_ok


def _check_backward_mul_by_grad_output(outputs, diff):
    """A zero grad_output must give zero gradients of the inputs' dtype and size."""
    zeros = [Tensor._wrap(np.zeros_like(o._data)) for o in outputs]
    for g, x in zip(grad(outputs, diff, zeros, retain_graph=True, allow_unused=True), diff):
        if g is None:
            continue
        if np.any(g._data != 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if g._data.dtype != x._data.dtype:
            raise GradcheckError("grad is incorrect type")
        if g._data.shape != x._data.shape:
            raise GradcheckError("grad is incorrect size")


def _random_like(t, non_contiguous=False):
    """A fixed pseudo-random tensor with t's shape and dtype, values in [-1, 1], requiring grad."""
    dt = t._data.dtype if t._data.dtype.kind in 'fc' else np.float64
    values = np.cos(np.arange(t._data.size) * 2.39996 + 0.5).astype(dt).reshape(t._data.shape)
    if non_contiguous and values.ndim:
        values = np.repeat(values, 2, axis=-1)[..., ::2]
    return Tensor._wrap(values, requires_grad=True)


def _differentiable(outputs):
    return tuple(o for o in _as_tuple(outputs) if isinstance(o, Tensor) and o.requires_grad)


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _unsupported(**flags):
    for name, value in flags.items():
        if value:
            raise NotImplementedError(f"torchlet's gradcheck does not support {name}=True (no vmap or "
                                      "forward-mode AD)")


from .._tensor import Tensor  # noqa: E402
from .engine import grad  # noqa: E402
