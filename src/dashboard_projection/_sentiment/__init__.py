"""The flagship preset: the sentiment dashboard of the seed, as one declaration on the engine."""
