"""`ducha token create USERNAME [--name N] [--days D]` prints a new API token (shown once);
`ducha token revoke PREFIX` revokes one, `--all USERNAME` every token of a user;
`ducha token list USERNAME` lists them. Run by the server's administrator: the change log
names the system as the actor."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ducha.org.actions import system_actor
from ducha.org.models import ApiToken
from ducha.org.tokens import DEFAULT_DAYS, do_create_token, do_revoke_token


class Command(BaseCommand):
    help = "Create, list and revoke API tokens"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", default="")
        create.add_argument("--days", type=int, default=DEFAULT_DAYS)
        listing = sub.add_parser("list")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix", nargs="?")
        revoke.add_argument("--all", metavar="USERNAME", dest="all_of")

    def handle(self, *args, verb, **options):
        if verb == "create":
            if options["days"] < 1:
                raise CommandError(_("A token is valid for at least one day."))
            _token, secret = do_create_token(
                self._user(options["username"]), actor=system_actor(), name=options["name"], days=options["days"]
            )
            self.stdout.write(secret)
        elif verb == "list":
            for token in ApiToken.objects.filter(user=self._user(options["username"])):
                state = _("active") if token.active else (_("revoked") if token.revoked_at else _("expired"))
                self.stdout.write(f"{token.prefix}…\t{token.name}\t{token.expires_at:%Y-%m-%d}\t{state}")
        else:
            self._revoke(options["prefix"], options["all_of"])

    def _user(self, username: str):
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(_("No user named %(name)s.") % {"name": username}) from None

    def _revoke(self, prefix: str | None, username: str | None) -> None:
        if bool(prefix) == bool(username):
            raise CommandError(_("Name one token by its beginning, or --all USERNAME."))
        tokens = ApiToken.objects.filter(revoked_at__isnull=True)
        tokens = tokens.filter(user=self._user(username)) if username else tokens.filter(prefix=(prefix or "")[:10])
        found = list(tokens)
        if prefix and not found:
            raise CommandError(_("No active token begins with %(prefix)s.") % {"prefix": prefix})
        for token in found:
            do_revoke_token(token, actor=system_actor())
        self.stdout.write(_("%(count)d token(s) revoked.") % {"count": len(found)})
