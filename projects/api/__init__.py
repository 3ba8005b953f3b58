"""The HTTP API (`/api/v1/`, django-ninja) and the personal API tokens it is used with.

`main.py` builds the API from one router per domain (calculate, plans,
programmes); a new domain adds its router module and one `add_router` line
there. The token pages (`/account/tokens/`) are ordinary Django views."""
