"""What tests need to know about the database they run on (SQLite by default, PostgreSQL in CI)."""

import pytest
from django.db import connection

# SQLite's test database lives in memory with one shared cache: a second thread gets "table is
# locked" at once instead of waiting as it does on the served file database (IMMEDIATE
# transactions, busy_timeout). Tests of two transactions racing run on PostgreSQL.
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads need a database that makes them wait"
)


def tables_holding(text: str) -> list[str]:
    """Every table with a row whose any column, read as text, contains `text`: on both
    databases, by reading the rows (the test database is small)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the schema
            if any(text in str(value) for row in cursor.fetchall() for value in row):
                found.append(table)
    return found
