"""`Authorization: Bearer <token>`: the token's user is the request's user, and every
route then reads through `restrict` and writes through the actions as that user."""

from ninja.security import HttpBearer

from ducha.org.tokens import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user  # the pages' code reads request.user
        return user
