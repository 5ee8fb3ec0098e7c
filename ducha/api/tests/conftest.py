import pytest

from ducha.api.tests.world import site, site_once, world, world_once  # noqa: F401  (the route-walking tests' data)
from ducha.org.tokens import do_create_token


class ApiClient:
    """Django's test client speaking to /api/v1/ with one user's Bearer token."""

    def __init__(self, client, token: str):
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **query):
        return self.client.get(f"/api/v1/{path}", query, headers=self.headers)

    def post(self, path: str, body: dict, **headers):
        return self.client.post(
            f"/api/v1/{path}", body, content_type="application/json", headers={**self.headers, **headers}
        )

    def upload(self, path: str, data: dict, **headers):
        """A multipart post: `data`'s files (SimpleUploadedFile) and fields."""
        return self.client.post(f"/api/v1/{path}", data, headers={**self.headers, **headers})

    def patch(self, path: str, body: dict, **headers):
        return self.client.patch(
            f"/api/v1/{path}", body, content_type="application/json", headers={**self.headers, **headers}
        )


@pytest.fixture
def api(small, client):
    """`api("league_a")`: a client with a fresh token of that user of the small campaign."""

    def as_user(name: str) -> ApiClient:
        _token, secret = do_create_token(small.users[name], actor=small.system)
        return ApiClient(client, secret)

    return as_user
