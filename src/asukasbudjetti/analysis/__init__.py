"""The analysis stage: was an outcome fair? Proportionality checks and satisfaction measures.

It reads the compiled profile and a funded set (a rule's outcome), and runs the rules
itself (through the tally) when asked to analyse a file; the audit and the command
line build on it. ``justified`` decides EJR and PJR (and their up-to-one forms) for
approval ballots, ``additive`` for points and rankings, ``satisfaction`` measures how
the voters fare, ``groups`` does it per group of residents, ``small`` decides Pareto
optimality, the core and priceability on small instances, ``analyse`` puts them
together for a file or a cycle, and ``render`` turns the results into sentences.
"""
