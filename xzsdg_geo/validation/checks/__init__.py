"""One module per check; :mod:`xzsdg_geo.validation.registry` lists them in the order they run."""
