"""Mesa's domain and adapters. Never imports streamlit."""
