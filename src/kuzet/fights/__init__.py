"""Fights and aggressive behaviour: pose + optical-flow window features, a small trained model."""
