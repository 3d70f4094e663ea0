"""torch.func.linearize (make_fx tracing): densities and CDFs trace (the implicit CDFs
too, but tracing their partials takes 20-30 s, so they are left out here) and give the jvp's
tangents; drawing raises a clear error (the traced graph would replay the draws with fresh
randomness, so its tangents would belong to another sample)."""

import pytest

import relaxcore as rc

torch = pytest.importorskip("torch")
from torch.func import jvp, linearize  # noqa: E402

Z = [0.3, 1.0, 2.0]
CASES = {
    "Gamma.log_prob": lambda a, z: rc.Gamma(a, 2.0).log_prob(z),
    "RelaxedOneHotCategorical.log_prob": lambda a, z: rc.RelaxedOneHotCategorical(
        0.5, logits=a
    ).log_prob(torch.softmax(z, -1)),
    "Normal.cdf": lambda a, z: rc.Normal(a, 2.0).cdf(z),
}


@pytest.mark.parametrize("name", list(CASES))
# torch's own constant folding inside linearize, not our code
@pytest.mark.filterwarnings("ignore:Attempted to insert a get_attr Node:UserWarning")
def test_linearized_densities_match_jvp(name):
    a = torch.tensor([0.4, 1.3, 5.0], dtype=torch.float64)
    z = torch.tensor(Z, dtype=torch.float64)
    t = torch.tensor([1.0, -0.5, 2.0], dtype=torch.float64)

    def f(a):
        return CASES[name](a, z)

    out, f_jvp = linearize(f, a)
    expected_out, expected = jvp(f, (a,), (t,))
    torch.testing.assert_close(out, expected_out)
    torch.testing.assert_close(f_jvp(t), expected)


def test_drawing_under_make_fx_raises_a_clear_error():
    a = torch.tensor([0.4, 1.3], dtype=torch.float64)
    with pytest.raises(NotImplementedError, match="make_fx tracing"):
        linearize(lambda a: rc.Gamma(a, 2.0).rsample(rng=0), a)
