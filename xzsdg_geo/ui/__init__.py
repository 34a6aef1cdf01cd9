"""The Streamlit UI: the only sub-package that imports streamlit."""
