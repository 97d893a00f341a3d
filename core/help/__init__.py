"""The help center's knowledge base: articles in the SQL store, their search, what readers do with them."""
