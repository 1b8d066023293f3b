"""A real OpenID Connect provider for the FranceConnect tests: django-oauth-toolkit with OIDC on.

A separate small Django project, run by the tests as a server process (`server.py`) with its own
SQLite file and an RS256 key made for the run. It behaves as FranceConnect v2 does where CityPocket
relies on it: per-claim scopes (email, given_name, family_name), an `acr` in the ID token, the
userinfo answer as a signed JWT, and RP-initiated logout with `id_token_hint`, `state` and
`post_logout_redirect_uri`. Never used outside the tests.
"""
