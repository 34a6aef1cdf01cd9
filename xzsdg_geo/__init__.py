"""xzsdg-geo: geospatial monitoring for Xuzhou's sustainable-development innovation zone."""

__version__ = "0.1.0"
