from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.authtoken.models import Token

from ksbb.accounts.models import User
from ksbb.core.audit import audit_log
from ksbb.core.domain import SystemActor


class Command(BaseCommand):
    help = "Print an API token for USERNAME (use it as 'Authorization: Token <token>')."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true",
                            help="replace the existing token with a new one")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"no user named {options['username']!r}") from None
        if not user.is_active:
            raise CommandError(f"user {user.username!r} is disabled")
        with transaction.atomic():
            if options["rotate"]:
                Token.objects.filter(user=user).delete()
            token, created = Token.objects.get_or_create(user=user)
            if created:
                # The token itself is a secret: the log records only that one was issued.
                audit_log(actor=SystemActor("issue_token"), action="token.issued", obj=user,
                          after={"user": user.username})
        self.stdout.write(token.key)
