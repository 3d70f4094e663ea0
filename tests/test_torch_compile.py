"""torch.compile(fullgraph=True) with zero graph breaks (Framework faces issue, item 3):
construct a distribution from tensors, rsample, log_prob, and backward, for a
representative set (explicit relaxations, base distributions, implicit Gamma, a user CDF).

``benchmarks/compile_graph_breaks.py`` prints the count for every class. Dynamo only
(``torch._dynamo.explain`` and the ``eager`` backend, no code generation): fast.
"""

import numpy as np
import pytest

import relaxcore as rc

torch = pytest.importorskip("torch")

P = {
    "Normal": lambda a: rc.Normal(a, 2.0),
    "RelaxedOneHotCategorical": lambda a: rc.RelaxedOneHotCategorical(0.5, logits=a),
    "RelaxedBernoulli": lambda a: rc.RelaxedBernoulli(torch.tensor(0.7), logits=a),
    "Gamma": lambda a: rc.Gamma(a.exp(), 1.5),
    # a user CDF: its partials come from torch.func.vjp of the CDF while compiling
    "ImplicitReparam(Logistic)": lambda a: rc.ImplicitReparam(rc.Logistic(a, a.exp())),
}


@pytest.mark.parametrize("name", list(P))
def test_zero_graph_breaks_and_the_eager_gradient(name, monkeypatch):
    # a program that never opened a relaxcore.validate_args scope (a test in this worker
    # may have): validate_args=None reads no ContextVar, which dynamo cannot trace
    monkeypatch.setattr("relaxcore._validation._SWITCHED", False)
    make = P[name]

    def f(a):
        d = make(a)
        z = d.rsample((3,))
        return z.sum() + d.log_prob(z).sum()

    a = torch.tensor([[0.3, -0.2, 1.1]], dtype=torch.float64, requires_grad=True)
    f(a)  # the first eager use loads the backend (an import; never inside the trace)
    torch._dynamo.reset()
    assert torch._dynamo.explain(f)(a).graph_break_count == 0
    torch.manual_seed(0)
    (eager,) = torch.autograd.grad(f(a), a)
    compiled = torch.compile(f, fullgraph=True, backend="eager")
    torch.manual_seed(0)
    (traced,) = torch.autograd.grad(compiled(a), a)
    np.testing.assert_allclose(traced.numpy(), eager.numpy(), rtol=1e-10)


def test_the_implicit_custom_op_has_a_fake_and_an_autograd_rule():
    from relaxcore.adapters.torch import implicit_attach

    value = torch.rand(4, dtype=torch.float64)
    param = torch.rand(4, dtype=torch.float64, requires_grad=True)
    partial = torch.rand(4, dtype=torch.float64)
    torch.library.opcheck(implicit_attach, (value, [param], [partial]))
    out = implicit_attach(value, [param], [partial])
    (grad,) = torch.autograd.grad(out.sum(), param)
    np.testing.assert_array_equal(grad.numpy(), partial.numpy())


def test_a_validate_args_scope_compiles_with_explicit_validate_args(monkeypatch):
    """After a scope was opened, the default is read from a ContextVar (a graph break);
    an explicit validate_args keeps the graph whole."""
    monkeypatch.setattr("relaxcore._validation._SWITCHED", True)

    def f(a):
        d = rc.RelaxedOneHotCategorical(0.5, logits=a, validate_args=False)
        return d.rsample().sum()

    a = torch.tensor([[0.3, -0.2, 1.1]], requires_grad=True)
    f(a)
    torch._dynamo.reset()
    assert torch._dynamo.explain(f)(a).graph_break_count == 0
