"""Argument checks shared by the commands.

JSON numbers arrive as int or float; bool is a subclass of int in Python, so it is
rejected explicitly (the built-in handler does not read true as 1 either).
"""

import math

from fm_errors import InvalidArgument

# Lambda's longest timeout, the bound of every duration (as the built-in's).
MAX_MILLISECONDS = 900_000


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def number(command, key, value, low, high):
    """value as a number in low..high, else InvalidArgument."""
    if not is_number(value) or not low <= value <= high:
        raise InvalidArgument('%s: "%s" must be a number in %s..%s' % (command, key, _plain(low), _plain(high)))
    return value


def integer(command, key, value, low, high):
    """value as an integer in low..high (2.0 is accepted as 2), else InvalidArgument."""
    if not is_number(value) or value != int(value) or not low <= value <= high:
        raise InvalidArgument('%s: "%s" must be an integer in %s..%s' % (command, key, low, high))
    return int(value)


def bare_or_key(command, args, key):
    """The argument itself when it is a bare number, else its "key" member (both forms are
    accepted, as by the built-in: {"sleep": 50} and {"sleep": {"ms": 50}})."""
    if is_number(args):
        return args
    if isinstance(args, dict) and key in args:
        return args[key]
    raise InvalidArgument('%s: expected a number or {"%s": number}' % (command, key))


def members(command, args):
    """args as an object ({} when the command was given as true)."""
    if args is True:
        return {}
    if not isinstance(args, dict):
        raise InvalidArgument("%s: expected an object, not %s" % (command, type_name(args)))
    return args


def type_name(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _plain(value):
    return str(int(value)) if value == int(value) else str(value)
