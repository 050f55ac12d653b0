"""Learnscape's test suite: specifications of the product's behaviour on realistic data."""
