"""torch.optim.Optimizer: the base class (param groups, per-parameter state, state_dict, hooks), plus
the small array helpers that the optimizers share.

The built-in optimizers update ``p._data`` in place with NumPy, in the parameter's dtype and in the
order of floating-point operations of torch's single-tensor (for-loop) implementation, so that their
trajectories match torch's up to rounding. Each in-place update bumps the parameter's version counter.
"""
from collections import OrderedDict, defaultdict
from copy import deepcopy
import functools
from itertools import chain
import warnings

import numpy as np

from .._tensor import Tensor
from .. import _dtype
from ..autograd.grad_mode import _State as _GradState
from ..nn.modules.module import RemovableHandle

__all__ = ['Optimizer', 'register_optimizer_step_pre_hook', 'register_optimizer_step_post_hook']

_global_optimizer_pre_hooks = OrderedDict()
_global_optimizer_post_hooks = OrderedDict()


class _RequiredParameter:
    """Singleton marking an optimizer default that every param group must set."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def register_optimizer_step_pre_hook(hook):
    """Register ``hook(optimizer, args, kwargs) -> None | (args, kwargs)`` before every step()."""
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook):
    """Register ``hook(optimizer, args, kwargs)`` after every optimizer's step()."""
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


# -- helpers shared by the optimizers --------------------------------------------------------------
def _with_grad_mode(enabled, fn, *args, **kwargs):
    """fn(*args, **kwargs) with grad mode set to ``enabled``, restored afterwards."""
    prev = _GradState.grad_enabled
    _GradState.grad_enabled = enabled
    try:
        return fn(*args, **kwargs)
    finally:
        _GradState.grad_enabled = prev


def _use_grad_for_differentiable(step):
    """Run ``step`` with grad mode off (torchlet's optimizers are never differentiable)."""
    @functools.wraps(step)
    def _use_grad(self, *args, **kwargs):
        return _with_grad_mode(bool(self.defaults.get('differentiable', False)), step, self, *args,
                               **kwargs)
    return _use_grad


def _get_value(x):
    """A Python number from a hyperparameter or a 0-dim state tensor."""
    return x.item() if isinstance(x, Tensor) else x


def _to_scalar(x):
    """A 1-element tensor hyperparameter as a 0-dim tensor; anything else unchanged."""
    if isinstance(x, Tensor) and x.dim() != 0:
        return x.reshape(())
    return x


def _get_scalar_dtype(is_fused=None):
    """dtype of the 'step' state tensors: float64 when that is the default dtype, else float32."""
    if is_fused:
        return _dtype.float32
    return _dtype.float64 if _dtype.get_default_dtype() == _dtype.float64 else _dtype.float32


def _scalar_tensor(value, is_fused=None):
    """A 0-dim tensor in the scalar dtype, as torch keeps 'step' (and NAdam's 'mu_product')."""
    return Tensor._wrap(np.array(value, _get_scalar_dtype(is_fused).np))


def _zeros_like(p):
    return Tensor._wrap(np.zeros_like(p._data))


def _view_as_real(*arrays):
    """Complex arrays as real ones with a trailing (re, im) axis (torch.view_as_real); real unchanged."""
    if arrays[0].dtype.kind != 'c':
        return arrays
    return tuple(a[..., None].view(a.real.dtype) for a in arrays)


def _eval_closure(closure):
    """closure() under enable_grad (torch's step(closure) contract), or None."""
    if closure is None:
        return None
    return _with_grad_mode(True, closure)


def _grad_array(p, maximize):
    """The gradient of p as an ndarray, negated for ``maximize`` (never modified in place)."""
    g = p._grad._data
    return np.negative(g) if maximize else g


def _add_weight_decay(g, p, weight_decay):
    """``grad.add(param, alpha=weight_decay)``: a new array, grad untouched."""
    out = p * weight_decay
    out += g
    return out


def _lerp_(start, end, weight, buf=None):
    """``start.lerp_(end, weight)`` with torch's two-sided formula (weight rounded to start's dtype);
    ``buf``: optional scratch array of start's shape."""
    w = start.dtype.type(weight)
    diff = np.subtract(end, start, out=buf)
    if abs(w) < 0.5:
        diff *= w
        start += diff
    else:
        diff *= w - 1
        np.add(end, diff, out=start)


def _sqrt_(a):
    """sqrt in place for arrays (NumPy ops on 0-dim arrays return scalars, which cannot be)."""
    return np.sqrt(a, out=a) if isinstance(a, np.ndarray) else np.sqrt(a)


def _addcmul_(out, t1, t2, value, buf=None):
    """``out.addcmul_(t1, t2, value=value)``: out += (value * t1) * t2 (``buf``: optional scratch)."""
    tmp = np.multiply(t1, value, out=buf)
    tmp *= t2
    out += tmp


def _addcdiv_(out, t1, t2, value, buf=None):
    """``out.addcdiv_(t1, t2, value=value)``: out += (value * t1) / t2 (``buf``: optional scratch)."""
    tmp = np.multiply(t1, value, out=buf)
    tmp /= t2
    out += tmp


def _check_capturable(group, name='params and state_steps'):
    """torch refuses capturable=True for CPU tensors; so do we (all torchlet tensors are CPU)."""
    if group.get('capturable'):
        raise AssertionError(f"If capturable=True, {name} must be on supported devices: "
                             f"['cuda', 'xpu', 'hpu', 'privateuseone', 'xla'].")


def _check_flags(defaults):
    """Validate the foreach/fused/differentiable flags the way torch does; differentiable=True (autograd
    through the update) is not implemented in torchlet."""
    if defaults.get('fused'):
        if defaults.get('differentiable'):
            raise RuntimeError("`fused` does not support `differentiable`")
        if defaults.get('foreach'):
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    if defaults.get('differentiable'):
        raise NotImplementedError("torch.optim with differentiable=True is not yet implemented in "
                                  "torchlet")


def _check_fused_param(p):
    if p._data.dtype.kind != 'f':
        raise RuntimeError("`fused=True` requires all the params to be floating point Tensors of "
                           f"supported devices: ['mps', 'cuda', 'xpu', 'hpu', 'cpu', 'mtia', "
                           f"'privateuseone'] but {p.dtype} and cpu")


def _validate(checks):
    """Raise torch's ValueError for the first (ok, message) pair that is not ok."""
    for ok, message in checks:
        if not ok:
            raise ValueError(message)


class Optimizer:
    r"""Base class for all optimizers.

    Args:
        params (iterable): tensors, (name, tensor) pairs, or dicts defining parameter groups.
        defaults (dict): default values of the optimization options (used when a parameter group
            does not specify them).
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        self._patch_step_function()

        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors "
                            "or dicts, but got " + params.type())
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{'params': param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)
        self._warned_capturable_if_run_uncaptured = True

    # -- pickling / printing ---------------------------------------------------------------------
    def __getstate__(self):
        return {'defaults': self.defaults, 'state': self.state, 'param_groups': self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ('_optimizer_step_pre_hooks', '_optimizer_step_post_hooks',
                     '_optimizer_state_dict_pre_hooks', '_optimizer_state_dict_post_hooks',
                     '_optimizer_load_state_dict_pre_hooks', '_optimizer_load_state_dict_post_hooks'):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self._patch_step_function()
        self.defaults.setdefault('differentiable', False)

    def __repr__(self):
        text = self.__class__.__name__ + ' ('
        for i, group in enumerate(self.param_groups):
            text += f'\nParameter Group {i}\n'
            for key in sorted(group.keys()):
                if key != 'params':
                    text += f'    {key}: {group[key]}\n'
        return text + ')'

    # -- step hooks ------------------------------------------------------------------------------
    @staticmethod
    def profile_hook_step(func):
        """Wrap a step function so that the global and per-instance step hooks run around it."""
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            self = args[0]
            for pre_hook in chain(_global_optimizer_pre_hooks.values(),
                                  self._optimizer_step_pre_hooks.values()):
                result = pre_hook(self, args, kwargs)
                if result is not None:
                    if isinstance(result, tuple) and len(result) == 2:
                        args, kwargs = result
                    else:
                        raise RuntimeError(f"{func} must return None or a tuple of (new_args, "
                                           f"new_kwargs), but got {result}.")
            out = func(*args, **kwargs)
            self._optimizer_step_code()
            for post_hook in chain(self._optimizer_step_post_hooks.values(),
                                   _global_optimizer_post_hooks.values()):
                post_hook(self, args, kwargs)
            return out
        return wrapper

    def _optimizer_step_code(self):
        """Entry point for profilers, called after every step (a no-op)."""

    def _patch_step_function(self):
        self._zero_grad_profile_name = f'Optimizer.zero_grad#{self.__class__.__name__}.zero_grad'
        cls = self.__class__
        if not getattr(cls.step, 'hooked', None):
            cls.step = self.profile_hook_step(cls.step)
            cls.step.hooked = True

    def _register(self, hooks, hook, prepend=False):
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_step_pre_hook(self, hook):
        """``hook(optimizer, args, kwargs) -> None | (new_args, new_kwargs)`` before step()."""
        return self._register(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` after step()."""
        return self._register(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """``hook(optimizer)`` before state_dict()."""
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """``hook(optimizer, state_dict) -> state_dict | None`` after state_dict()."""
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """``hook(optimizer, state_dict) -> state_dict | None`` before load_state_dict()."""
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """``hook(optimizer)`` after load_state_dict()."""
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # -- state_dict ------------------------------------------------------------------------------
    def state_dict(self):
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}`` (torch's
        layout: parameters are replaced by their position across all groups)."""
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        param_mappings = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != 'params'}
            param_mappings.update({id(p): i for i, p in enumerate(group['params'], start_index)
                                   if id(p) not in param_mappings})
            packed['params'] = [param_mappings[id(p)] for p in group['params']]
            start_index += len(packed['params'])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        state_dict = {'state': packed_state, 'param_groups': param_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups, key=None):
        """A loaded state tensor cast to the parameter's floating dtype ('step' kept as is unless
        the group is fused or capturable, then float32)."""
        fused = capturable = False
        for pg in param_groups:
            if param_id in pg['params']:
                fused = pg.get('fused', False)
                capturable = pg.get('capturable', False)
                break
        if key == 'step':
            return value.to(dtype=_dtype.float32) if (capturable or fused) else value
        if param.is_floating_point():
            return value.to(dtype=param.dtype)
        return value

    def load_state_dict(self, state_dict):
        """Load a state_dict produced by state_dict() (of torchlet or, converted, of torch)."""
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict['param_groups'])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g['params']) != len(s['params']) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the "
                             "size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g['params'] for g in saved_groups),
                          chain.from_iterable(g['params'] for g in groups)))

        def cast(param, value, param_id=None, key=None):
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(
                    param, value, param_id, state_dict['param_groups'], key)
            if isinstance(value, dict):
                return {k: cast(param, v, param_id, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v, param_id) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict['state'].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v, param_id=k)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group['params'] = group['params']
            if 'param_names' in group and 'param_names' not in new_group:
                new_group['param_names'] = group['param_names']
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({'state': state, 'param_groups': param_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    # -- gradients -------------------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors (to None by default, else to zeros)."""
        for group in self.param_groups:
            for p in group['params']:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g._rg = False
                    g._data.fill(0)
                    g._vc[0] += 1

    def step(self, closure=None):
        """Perform a single optimization step (implemented by each optimizer)."""
        raise NotImplementedError

    def add_param_group(self, param_group):
        """Add a dict of parameters (plus per-group options) to ``param_groups``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group['params']
        if isinstance(params, Tensor):
            param_group['params'] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but "
                            "the ordering of tensors in sets will change between runs. Please use a "
                            "list instead.")
        else:
            param_group['params'] = list(params)

        tensors, names = [], []
        for param in param_group['params']:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group['params'] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group['param_names'] = names

        from .._legacy import typename
        for param in param_group['params']:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + typename(param))
            if not self.defaults.get('differentiable', None) and not (param.is_leaf
                                                                     or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization "
                                 f"parameter {name}")
            param_group.setdefault(name, default)

        params = param_group['params']
        if len(params) != len(set(params)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, "
                          "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for "
                          "more information", stacklevel=3)
        param_set = set()
        for group in self.param_groups:
            param_set.update(set(group['params']))
            if ('param_names' in param_group) != ('param_names' in group):
                which = 'with names' if 'param_names' in param_group else 'without names'
                raise ValueError("all optimizer param groups should be with/without names. cannot "
                                 f"add param group {which} to the optimizer")
        if not param_set.isdisjoint(set(param_group['params'])):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)


class _ElementwiseOptimizer(Optimizer):
    """Base of the built-in elementwise optimizers. step() evaluates the closure, then for every
    parameter with a gradient: takes the gradient array (negated for maximize), applies weight decay
    (added to the gradient, or with ``decoupled_weight_decay`` shrinking the parameter), calls
    ``_update(p, grad, group, lr)`` (which updates ``p._data`` and its state arrays in place) and bumps
    the parameter's version. All with grad mode off.
    """
    _group_defaults = ()        # (key, value) pairs that param groups of old state_dicts lack
    _scalar_state = ('step',)   # state entries kept as 0-dim tensors
    _capturable_names = 'params and state_steps'
    _zero_state = ()            # state entries that start as zeros like the parameter

    def _init_state(self, p):
        """Fresh state for p: 'step' 0, then the ``_zero_state`` entries."""
        state = self.state[p]
        state['step'] = _scalar_tensor(0.0)
        for key in self._zero_state:
            state[key] = _zeros_like(p)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, value in self._group_defaults:
                group.setdefault(key, value)
            for p in group['params']:   # old state_dicts stored 'step' as a Python number
                p_state = self.state.get(p)
                for key in self._scalar_state if p_state else ():
                    if key in p_state and not isinstance(p_state[key], Tensor):
                        p_state[key] = _scalar_tensor(float(p_state[key]), group.get('fused'))

    def _update(self, p, grad, group, lr):
        raise NotImplementedError

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step; returns closure()'s loss if a closure is given."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            _check_capturable(group, self._capturable_names)
            lr = _get_value(group['lr'])
            weight_decay, maximize = group['weight_decay'], group['maximize']
            decoupled = group.get('decoupled_weight_decay', False)
            for p in group['params']:
                if p._grad is None:
                    continue
                grad = _grad_array(p, maximize)
                if weight_decay != 0:
                    if decoupled:
                        p._data *= 1 - lr * weight_decay
                    else:
                        grad = _add_weight_decay(grad, p._data, weight_decay)
                self._update(p, grad, group, lr)
                p._vc[0] += 1
        return loss
