"""Custom autograd.Function subclasses against PyTorch: ctx API (save_for_backward,
needs_input_grad, mark_non_differentiable, mark_dirty, set_materialize_grads), several outputs,
non-tensor arguments, setup_context, once_differentiable and torch's checks on what backward returns.
"""
import numpy as np
import pytest

import torchlet
from conftest import assert_same, torch

LIBS = (torchlet, torch)


def both(fn, rtol=1e-5, atol=1e-6):
    """Run fn(lib) with torchlet and with torch and check that the results agree."""
    ours, theirs = fn(torchlet), fn(torch)
    assert_same(ours, theirs, rtol, atol)
    return ours, theirs


def leaf(lib, values, dtype=None):
    return lib.tensor(np.asarray(values, dtype=dtype or np.float32), requires_grad=True)


def _custom_functions(lib):
    """The same custom Functions defined on torchlet's or torch's autograd.Function."""

    class MulAdd(lib.autograd.Function):
        """a * b + c * scale, with a non-tensor argument and saved tensors."""
        @staticmethod
        def forward(ctx, a, b, c, scale):
            ctx.save_for_backward(a, b)
            ctx.scale = scale
            ctx.flags = ctx.needs_input_grad
            return a * b + c * scale

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            ga = g * b if ctx.needs_input_grad[0] else None
            gb = g * a if ctx.needs_input_grad[1] else None
            gc_ = g * ctx.scale if ctx.needs_input_grad[2] else None
            return ga, gb, gc_, None

    class SplitSign(lib.autograd.Function):
        """Two outputs (positive and negative part) and an integer output that is not
        differentiable."""
        @staticmethod
        def forward(ctx, x):
            pos, neg = x.clamp(min=0), x.clamp(max=0)
            idx = (x > 0).long()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(x)
            return pos, neg, idx

        @staticmethod
        def backward(ctx, g_pos, g_neg, g_idx):
            x, = ctx.saved_tensors
            mask = (x > 0).to(x.dtype)
            return g_pos * mask + g_neg * (1 - mask)

    class NoMaterialize(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            ctx.seen = (g1 is None, g2 is None)
            total = 0
            if g1 is not None:
                total = total + g1 * 2
            if g2 is not None:
                total = total + g2 * 3
            return total

    class Exp(lib.autograd.Function):
        """Saves its output; backward is differentiable (double backward works)."""
        @staticmethod
        def forward(ctx, x):
            r = x.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        def backward(ctx, g):
            r, = ctx.saved_tensors
            return g * r

    return MulAdd, SplitSign, NoMaterialize, Exp


def test_custom_function_values_grads_and_name():
    def run(lib):
        MulAdd, *_ = _custom_functions(lib)
        a, b = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, -1.0])
        c = lib.tensor([0.5, 0.5])
        y = MulAdd.apply(a, b, c, 4.0)
        assert y.grad_fn.name() == 'MulAddBackward'
        assert repr(y.grad_fn).startswith('<torch.autograd.function.MulAddBackward object at')
        y.backward(lib.tensor([1.0, 2.0]))
        return y, a.grad, b.grad, c.grad is None, y.grad_fn.flags
    both(run)


def test_custom_function_needs_input_grad_and_no_grad_inputs():
    def run(lib):
        MulAdd, *_ = _custom_functions(lib)
        a = leaf(lib, [1.0, 2.0])
        b = lib.tensor([3.0, -1.0])
        y = MulAdd.apply(a, b, lib.zeros(2), 1.0)
        y.sum().backward()
        no_graph = MulAdd.apply(lib.ones(2), b, b, 1.0)
        return a.grad, y.grad_fn.flags, no_graph.requires_grad, no_graph.grad_fn is None
    both(run)


def test_custom_function_multiple_outputs_and_non_differentiable():
    def run(lib):
        _, SplitSign, _, _ = _custom_functions(lib)
        x = leaf(lib, [1.0, -2.0, 3.0])
        pos, neg, idx = SplitSign.apply(x)
        (pos * 2).sum().backward()         # neg unused: its gradient is materialized as zeros
        return pos, neg, idx, idx.requires_grad, x.grad, pos.grad_fn is neg.grad_fn
    both(run)


def test_custom_function_set_materialize_grads_false():
    def run(lib):
        _, _, NoMaterialize, _ = _custom_functions(lib)
        x = leaf(lib, [1.0, 2.0])
        a, b = NoMaterialize.apply(x)
        node = a.grad_fn
        b.sum().backward()
        return x.grad, node.seen
    both(run)


def test_custom_function_saved_output_and_double_backward():
    def run(lib):
        *_, Exp = _custom_functions(lib)
        x = leaf(lib, [0.5, -1.0], np.float64)
        y = Exp.apply(x)
        g, = lib.autograd.grad(y.sum(), x, create_graph=True)
        g2, = lib.autograd.grad(g.sum(), x)
        return y, g, g2
    both(run)


def test_custom_function_saved_output_modified_in_place():
    msgs = []
    for lib in LIBS:
        *_, Exp = _custom_functions(lib)
        x = leaf(lib, [0.5, -1.0])
        y = Exp.apply(x)
        y.mul_(2)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_custom_function_returning_an_input_and_without_grad_mode():
    def run(lib):
        class Identity(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 3

        x = leaf(lib, [1.0, 2.0])
        y = Identity.apply(x)
        assert y is not x and y.grad_fn is not None
        y.sum().backward()
        with lib.no_grad():
            z = Identity.apply(x)
        return x.grad, z.requires_grad
    both(run)


def test_custom_function_setup_context_style():
    def run(lib):
        class Square(lib.autograd.Function):
            @staticmethod
            def forward(x):
                return x * x

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(inputs[0])

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 2 * x * g

        x = leaf(lib, [1.0, -3.0])
        Square.apply(x).sum().backward()
        return x.grad
    both(run)


def test_custom_function_mark_dirty():
    def run(lib):
        class AddOneInplace(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.add_(1)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g

        x = leaf(lib, [1.0, 2.0])
        h = x * 2
        y = AddOneInplace.apply(h)
        assert y is h and h.grad_fn.name() == 'AddOneInplaceBackward'
        (h * h).sum().backward()
        return h, x.grad, h._version
    both(run)


def test_custom_function_once_differentiable():
    def run(lib):
        from_ = lib.autograd.function

        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x * x

            @staticmethod
            @from_.once_differentiable
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return g * 3 * x * x

        x = leaf(lib, [2.0])
        Cube.apply(x).backward()
        return x.grad
    both(run)


@pytest.mark.parametrize('case', ['too_few', 'not_none_for_number', 'bad_shape', 'scalar_for_vector'])
def test_custom_function_bad_backward_errors(case):
    def make(lib):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, n):
                return x * n

            @staticmethod
            def backward(ctx, g):
                if case == 'too_few':
                    return g
                if case == 'not_none_for_number':
                    return g, g
                if case == 'bad_shape':
                    return g[:1], None
                return g.sum(), None
        return F

    msgs = []
    for lib in LIBS:
        x = leaf(lib, [1.0, 2.0])
        with pytest.raises(RuntimeError) as e:
            make(lib).apply(x, 2).sum().backward()
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_custom_function_gradient_reduced_and_cast_like_torch():
    def run(lib):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g.expand(3, 2).double()      # broadcastable, wrong dtype: summed and cast

        x = leaf(lib, [1.0, 2.0])
        F.apply(x).sum().backward()
        return x.grad
    both(run)


def test_custom_function_extra_none_gradients_are_accepted():
    def run(lib):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2, None, None

        x = leaf(lib, [1.0, 2.0])
        F.apply(x).sum().backward()
        return x.grad
    both(run)


def test_custom_function_saved_tensors_after_backward_error():
    msgs = []
    for lib in LIBS:
        MulAdd, *_ = _custom_functions(lib)
        a = leaf(lib, [1.0])
        y = MulAdd.apply(a, a, a, 1.0)
        y.backward()
        with pytest.raises(RuntimeError) as e:
            y.grad_fn.saved_tensors
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_legacy_function_call_errors():
    msgs = []
    for lib in LIBS:
        class Legacy(lib.autograd.Function):
            def forward(self, x):
                return x

        with pytest.raises(RuntimeError) as e:
            Legacy()(lib.ones(1))
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_once_differentiable_refuses_double_backward():
    msgs = []
    for lib in LIBS:
        class Square(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @lib.autograd.function.once_differentiable
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 2 * x * g

        x = leaf(lib, [1.0, 2.0])
        g, = lib.autograd.grad(Square.apply(x).sum(), x, create_graph=True)
        assert not g.requires_grad                  # grad_output does not require grad
        g, = lib.autograd.grad(Square.apply(x), x, leaf(lib, [1.0, 1.0]), create_graph=True)
        np.testing.assert_allclose(g.detach().numpy(), [2.0, 4.0])
        assert g.requires_grad and g.grad_fn.name() == 'torch::autograd::Error'
        with pytest.raises(RuntimeError) as e:
            g.sum().backward()
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]
