"""Every example runs for one tiny epoch, documents every flag, and the harness's own
numerics (the subset mass of the top-k latent, the log-space KL of the correlated gates)
agree with independent references."""

import argparse
import importlib.util
import itertools
import math
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))  # the examples import their `vae` package this way


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def needs(*names):
    for name in names:
        pytest.importorskip(name)


TINY = [
    "--epochs",
    "1",
    "--max-batches",
    "3",
    "--variance-draws",
    "2",
    "--variance-batch",
    "20",
    "--hidden",
    "32",
]


def valid_pairs():
    needs("torch", "sklearn", "tqdm")
    from vae import latents

    return [(name, est) for name, cls in latents.FAMILIES.items() for est in cls.estimators]


SHAPES = {"categorical": "3x4", "invertible-gaussian": "3x4", "top-k": "3x4"}


@pytest.mark.parametrize("latent, estimator", valid_pairs())
def test_every_latent_and_estimator_trains_on_torch(latent, estimator, tmp_path):
    needs("matplotlib")
    result = load("vae_digits").main(
        [
            "--latent",
            latent,
            "--estimator",
            estimator,
            "--latent-shape",
            SHAPES.get(latent, "4"),
            "--out",
            str(tmp_path),
            *TINY,
        ]
    )
    (history,) = result["histories"]
    values = [history["initial_test_elbo"], *history["train_elbo"], *history["test_elbo"]]
    assert all(math.isfinite(v) for v in values), values
    # 8x8 binary digits: 64 pixels, so -ELBO per image lies between 0 and a few hundred nats
    assert 0 < -history["test_elbo"][-1] < 200
    assert history["grad_variance"] > 0 and math.isfinite(history["grad_variance"])
    assert Path(result["pngs"][0]).stat().st_size > 1000


# JAX: the paths with code of their own there (RELAX's nested gradient, the top-k subset
# mass, the copula KL); the gradient-variance probe (one more compile) on the first only.
@pytest.mark.parametrize(
    "latent, estimator, draws",
    [("bernoulli", "relax", "2"), ("top-k", "st", "0"), ("correlated-bernoulli", "relaxed", "0")],
)
def test_latents_train_on_jax(latent, estimator, draws, tmp_path):
    needs("jax", "optax", "sklearn", "tqdm", "matplotlib")
    argv = ["--framework", "jax", "--latent", latent, "--estimator", estimator]
    argv += ["--latent-shape", SHAPES.get(latent, "4"), "--out", str(tmp_path), *TINY]
    result = load("vae_digits").main([*argv, "--variance-draws", draws])
    (history,) = result["histories"]
    assert all(math.isfinite(v) for v in history["test_elbo"])
    assert 0 < -history["test_elbo"][-1] < 200
    assert math.isfinite(history["grad_variance"]) == (draws == "2")


def test_an_estimator_that_does_not_apply_is_refused_with_the_valid_pairs(capsys):
    needs("torch", "sklearn", "tqdm")
    with pytest.raises(SystemExit):
        load("vae_digits").parse(["--latent", "gamma", "--estimator", "reinmax"])
    err = capsys.readouterr().err
    assert "'reinmax' does not apply to latent 'gamma'" in err
    assert "categorical: relaxed, st-gumbel" in err and "bernoulli:" in err


def test_vae_table_smoke_writes_the_table_and_figure(tmp_path):
    needs("torch", "sklearn", "matplotlib", "tqdm")
    out = load("vae_table").main(["--smoke", "--out", str(tmp_path)])
    text = out["markdown"].read_text()
    assert "| categorical 4x4 | reinmax |" in text and "| gamma 3 | implicit |" in text
    assert "Command: `python examples/vae_table.py --smoke" in text and "Machine:" in text
    assert out["png"].stat().st_size > 5000


def test_laplace_bridge_round_trip_and_densities(tmp_path):
    needs("matplotlib")
    out = load("laplace_bridge").main(["--grid", "80", "--out", str(tmp_path)])
    np.testing.assert_allclose(out["alpha_back"], [2.0, 3.0, 6.0], rtol=1e-12)
    # each density integrates to 1 over the simplex (grid error at 80 points a side)
    np.testing.assert_allclose(out["integrals"], 1.0, atol=0.02)
    assert 0.01 < out["tv"] < 0.5  # an approximation: close, not equal
    assert Path(out["png"]).stat().st_size > 5000


def test_correlated_bernoulli_vae_runs(tmp_path):
    needs("torch", "sklearn", "matplotlib", "tqdm")
    out = load("correlated_bernoulli_vae").main(
        [
            "--dataset",
            "digits",
            "--epochs",
            "1",
            "--max-batches",
            "3",
            "--latents",
            "4",
            "--hidden",
            "32",
            "--out",
            str(tmp_path),
        ]
    )
    for result in out["results"].values():
        assert 0 < -result["histories"][0]["test_elbo"][-1] < 200
    assert Path(out["png"]).stat().st_size > 1000


def test_flow_examples_run(tmp_path):
    needs("torch", "jax", "optax", "matplotlib")
    fits = load("flow_prelu_fit").main(["--steps", "30"])
    for fit in fits.values():
        assert fit["losses"][-1] < fit["losses"][0]
    moons = load("two_moons_flow").main(["--steps", "20", "--every", "10", "--out", str(tmp_path)])
    assert Path(moons["png"]).stat().st_size > 5000
    for name in ("torch", "jax"):
        assert 0.5 < moons[name]["mass"] < 1.05  # a density on the grid


def test_estimator_diagnostics_runs(tmp_path):
    needs("torch", "matplotlib")
    out = load("estimator_diagnostics").main(
        ["--n-draws", "50", "--frameworks", "torch", "--out", str(tmp_path)]
    )
    assert set(out["torch"]) == {"categorical 2x3", "Bernoulli x3"}
    assert (tmp_path / "estimator_diagnostics.png").stat().st_size > 5000


EXAMPLE_NAMES = [
    "vae_digits",
    "vae_table",
    "laplace_bridge",
    "correlated_bernoulli_vae",
    "flow_prelu_fit",
    "two_moons_flow",
    "estimator_diagnostics",
]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_help_documents_every_flag(name, monkeypatch, capsys):
    needs("torch", "sklearn", "tqdm")
    parsers = []
    original = argparse.ArgumentParser.parse_args

    def record(self, args=None, namespace=None):
        parsers.append(self)
        return original(self, args, namespace)

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", record)
    with pytest.raises(SystemExit) as stop:
        load(name).main(["--help"])
    assert stop.value.code == 0
    (parser,) = parsers
    flags = [a for a in parser._actions if a.option_strings and a.dest != "help"]
    assert flags, name
    undocumented = [a.option_strings[0] for a in flags if not (a.help or "").strip()]
    assert not undocumented, f"{name}: {undocumented}"
    assert parser.description and capsys.readouterr().out.startswith("usage:")


def test_top_k_subset_masses_sum_to_one():
    """q(S) over all k-subsets of K categories sums to 1, and matches sampling frequencies."""
    needs("torch")
    import torch
    from vae import latents

    import relaxcore as rc

    n_var, k_all, k = 1, 5, 2
    opts = argparse.Namespace(k=k)
    latent = latents.TopK((n_var, k_all), opts)
    logits = torch.tensor([[0.3, -1.0, 2.0, 0.0, 0.7]], dtype=torch.float64)
    subsets = list(itertools.combinations(range(k_all), k))
    z = torch.zeros(len(subsets), k_all, dtype=torch.float64)
    for i, s in enumerate(subsets):
        z[i, list(s)] = 1.0
    ctx = latents.Context(rc.get_backend("torch"), None, None, None, None, opts)
    mass = latent.log_mass(ctx, logits.expand(len(subsets), k_all), z).exp()
    assert float(mass.sum()) == pytest.approx(1.0, abs=1e-12)
    # Gumbel-top-k draws of the library land on each subset with frequency q(S)
    draws = rc.GumbelSoftmaxTopK(0.5, k, logits=logits[0], hard=True).sample((20000,), rng=0)
    freq = [(draws[:, list(s)].sum(-1) == k).double().mean() for s in subsets]
    np.testing.assert_allclose(freq, mass.numpy(), atol=0.015)


@pytest.mark.parametrize("rho", [0.0, 0.6])
def test_correlated_gates_log_space_kl_matches_the_densities(rho):
    """At a temperature where nothing rounds, the log-space KL of the harness equals
    log q(z) - log p(z) from the library's densities at the same draw."""
    needs("torch")
    import torch
    from vae import latents

    import relaxcore as rc

    torch.set_default_dtype(torch.float64)
    try:
        opts = argparse.Namespace(rho=rho, gate_tau=1.0)
        latent = latents.CorrelatedBernoulli((4,), opts)
        h = torch.tensor([[0.5, -1.0, 2.0, 0.1], [-0.3, 0.2, 0.0, 1.5]])

        def run(loglik, seed):
            gen = torch.Generator().manual_seed(seed)
            ctx = latents.Context(
                rc.get_backend("torch"),
                loglik,
                lambda: gen,
                lambda a: torch.as_tensor(a),
                1.0,
                opts,
            )
            return latent.evaluate(h, ctx), ctx

        (z, elbo), ctx = run(lambda z: torch.zeros(z.shape[:-1]), 3)
        q, p = latent.posterior(h, ctx), latent.prior(h, ctx)
        np.testing.assert_allclose(-elbo, q.log_prob(z) - p.log_prob(z), rtol=1e-9, atol=1e-9)
    finally:
        torch.set_default_dtype(torch.float32)
