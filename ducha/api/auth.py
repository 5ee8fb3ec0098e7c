"""`Authorization: Bearer <token>`: the token's user is the request's user, and every
route then reads through `restrict` and writes through the actions as that user."""

from collections.abc import Callable
from typing import Any

from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from ducha.org.tokens import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user  # the pages' code reads request.user
        return user


class TokenOf(BearerToken):
    """A token whose user `may` post here (an upload's route): anyone else is refused (403)
    before the body is read, as the pages' `check_before_upload` does."""

    def __init__(self, may: Callable[[Any], bool]):
        super().__init__()
        self.may = may

    def authenticate(self, request, token: str):
        user = super().authenticate(request, token)
        if user is not None and not self.may(user):
            raise AuthorizationError
        return user
