"""Log lines name no person (issue 15 item 8): what a database error says about a row is
scrubbed by the kit's JSON formatter, whatever logged it."""
from __future__ import annotations

import json
import logging
import sys

from timebank_common.logs import JsonFormatter, scrub

NOT_NULL = ('(psycopg.errors.NotNullViolation) null value in column "b" of relation "t" '
            'violates not-null constraint\nDETAIL:  Failing row contains (王秀英, 13905503603, '
            'null).\n[SQL: INSERT INTO t VALUES (%(a)s, %(b)s, NULL)]\n'
            "[parameters: {'a': '王秀英', 'b': '13905503603'}]\n(Background on this error at: x)")
UNIQUE = 'duplicate key value violates unique constraint "p_key"\nDETAIL:  Key (phone)=(13905503603) already exists.'
SYNTAX = 'invalid input syntax for type uuid: "王秀英-13905503603"\nLINE 1: ...'


def test_details_parameters_and_quoted_inputs_are_hidden_and_the_rest_kept():
    for text in (NOT_NULL, UNIQUE, SYNTAX, repr(Exception(NOT_NULL))):
        cleaned = scrub(text)
        assert "王秀英" not in cleaned and "13905503603" not in cleaned, cleaned
    assert "violates not-null constraint" in scrub(NOT_NULL)
    assert "[SQL: INSERT INTO t VALUES" in scrub(NOT_NULL)
    assert 'unique constraint "p_key"' in scrub(UNIQUE)
    assert "LINE 1" in scrub(SYNTAX)


def test_the_formatter_scrubs_the_message_and_the_traceback():
    formatter = JsonFormatter("identity")
    try:
        raise RuntimeError(NOT_NULL)
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed: %s", (UNIQUE,),
                                   sys.exc_info())
    line = formatter.format(record)
    assert "13905503603" not in line and "王秀英" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and "not-null constraint" in entry["exc"]


def test_no_password_of_a_failover_url_is_logged():
    """nameko masks the first URL's password only (the chaos run's logs had the others)."""
    line = ("Error connecting to broker at amqp://timebank:********@10.78.0.11:5672/v;"
            "amqp://timebank:957197326b92@10.78.0.12:5672/v;"
            "postgresql+psycopg://app:s3cr%40t@db:5432/x (refused)")
    cleaned = scrub(line)
    assert "957197326b92" not in cleaned and "s3cr" not in cleaned, cleaned
    assert "amqp://timebank:********@10.78.0.12:5672/v;" in cleaned
    assert "postgresql+psycopg://app:********@db:5432/x" in cleaned
