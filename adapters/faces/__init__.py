"""Framework faces: relaxcore's distribution classes made members of torch.distributions
(``relaxcore.torch``), Pyro (``relaxcore.pyro``) and NumPyro (``relaxcore.numpyro``),
generated from the core's list of classes. Each imports its framework."""
