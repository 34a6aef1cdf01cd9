"""pygeoapi provider plugins, named in the generated configuration by dotted path.

``postgis``: pygeoapi's own PostgreSQL provider over the ``<layer>_current`` views, limited to the
published fields and rows. ``gpkg``: the GeoPackage's ``<layer>_current`` views read with pyogrio
(pygeoapi's OGR provider needs GDAL's Python bindings and its SQLite one SpatiaLite, neither of
which the project installs). ``records``: the yearly rate table, a non-spatial collection.
"""
