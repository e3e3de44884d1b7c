"""The core app has no models: it holds the shared API plumbing and the sweep registry."""
