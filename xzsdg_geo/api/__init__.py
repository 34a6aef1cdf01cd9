"""Open data: the public layers as OGC API - Features, served by pygeoapi (``xzsdg serve-api``).

``settings`` reads config/api.toml, ``resources`` turns the layer specs and the store into a
pygeoapi configuration, ``providers`` holds the pygeoapi provider plugins it names, and ``server``
runs pygeoapi's Starlette app under uvicorn, read-only.
"""
