"""Evaluation suites (Atom_base, composite in-domain and target-domain, HumanEval) and reports."""
