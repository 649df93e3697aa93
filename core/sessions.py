"""Database sessions whose per-request read is one plain SQL statement (SESSION_ENGINE).

Every request of a logged-in user reads its session row. Django's database backend compiles a
queryset for it each time, which took three times as long as the round trip itself: a tenth of a
typical impact API call. Everything else (writing, expiry, the async reads) is Django's own.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        data, key, expiry = (
            quote(model._meta.get_field(name).column)
            for name in ("session_data", "session_key", "expire_date")
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {data} FROM {quote(model._meta.db_table)} WHERE {key} = %s AND {expiry} > %s",
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's: an unknown or expired key starts a new session
            return None
        return model(session_key=self.session_key, session_data=row[0])
