// SeededRandom: deterministic pseudo-random generators (written in a later commit).
