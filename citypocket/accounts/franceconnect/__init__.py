"""FranceConnect sign-in: an allauth OpenID Connect provider with FranceConnect's rules.

allauth ships no FranceConnect provider, and its generic OpenID Connect provider sends no nonce,
asks no eIDAS level and reads a JSON userinfo answer. This package keeps allauth's flow (state,
accounts, sign-up, connections) and adds, in `provider` and `views`:

* a nonce per sign-in, kept in allauth's state (session side) and compared with the ID token's;
* `acr_values` with the configured eIDAS level, and a returned `acr` at least that level;
* the ID token's and the userinfo JWT's signatures checked against the provider's keys;
* only the claims listed in `KEPT_CLAIMS` stored on the `SocialAccount`;
* the ID token kept in the session only, for the logout at FranceConnect (`logout`).

Configuration: the "FranceConnect" section at the end of settings.py; docs/accounts.md.
"""
