"""Test helpers shared by tests, demo and bench; imported by nothing in the product."""
