"""The discrete-VAE harness behind ``examples/vae_digits.py`` and ``examples/vae_table.py``.

``data``: the real digits, dynamically binarized; ``latents``: every latent family and the
estimators that apply to it, written once on relaxcore for torch and JAX; ``models_torch`` /
``models_jax``: the MLPs and one training step per framework; ``train``: the epoch loop with
its progress bar; ``pictures``: reconstructions, prior samples and training curves.
"""
