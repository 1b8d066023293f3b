"""Creates the test provider's tables, its one person and CityPocket's client (values from the environment)."""

import os

import django


def main() -> None:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from oauth2_provider.models import get_application_model

    call_command("migrate", verbosity=0, interactive=False)
    get_user_model().objects.create_user(
        username=os.environ["OIDC_PROVIDER_USERNAME"],
        password=os.environ["OIDC_PROVIDER_PASSWORD"],
        email=os.environ["OIDC_PROVIDER_EMAIL"],
        first_name="Marie Claire",
        last_name="Dupont",
    )
    Application = get_application_model()
    Application.objects.create(
        name="CityPocket",
        client_id=os.environ["OIDC_PROVIDER_CLIENT_ID"],
        client_secret=os.environ["OIDC_PROVIDER_CLIENT_SECRET"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=os.environ["OIDC_PROVIDER_REDIRECT_URIS"],
        post_logout_redirect_uris=os.environ["OIDC_PROVIDER_POST_LOGOUT_REDIRECT_URIS"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,
    )


if __name__ == "__main__":
    main()
