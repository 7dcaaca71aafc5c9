"""The kit's engines name no statement parameter in their errors (issue 15 item 8): a failed
INSERT of a person's name logged as ``[parameters: {...: '王秀英'}]`` is what the issue saw."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from timebank_common.db import make_engine


def test_a_failed_statement_of_a_kit_engine_hides_its_parameters(database_url):
    engine = make_engine(database_url("notify"), pool_size=1)
    try:
        with pytest.raises(DBAPIError) as failed, engine.connect() as connection:
            connection.execute(text("SELECT 1 / 0 WHERE CAST(:name AS text) IS NOT NULL"),
                               {"name": "王秀英"})
        assert "王秀英" not in str(failed.value)
        assert "division by zero" in str(failed.value)
    finally:
        engine.dispose()
