"""Engine API route groups; each module has ``register(app)``."""
