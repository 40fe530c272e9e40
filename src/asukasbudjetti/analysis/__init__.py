"""The analysis stage: was an outcome fair? Proportionality checks and satisfaction measures.

It reads the compiled profile and a funded set (a rule's outcome), and runs the rules
itself when asked to analyse several side by side; the audit and the command line
build on it. ``justified`` decides EJR and PJR, ``satisfaction`` measures how the
voters fare, ``groups`` does it per group of residents, ``render`` turns the results
into sentences.
"""
