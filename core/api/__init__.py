"""Mesa's REST API (issue 21): a FastAPI app over the same core services as the pages.

`tokens` (bearer tokens: created, checked, revoked), `app` (the ASGI app, auth, rate limit, problem+json
errors), `tickets`, `people` (requesters, tags, surveys, reports, search) and `schemas` (request bodies).
"""
