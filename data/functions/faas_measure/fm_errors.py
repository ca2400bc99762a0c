"""Function errors, named as rightsize's built-in faas_measure handler names them.

Lambda's Python runtime reports an uncaught exception as
{"errorType": <the class's __name__>, "errorMessage": str(exception), ...}, so the class
names below are the contract with callers (docs/faas_measure.md).
"""


class FunctionError(Exception):
    """Base of every error this function raises on purpose."""


class UnknownCommand(FunctionError):
    """A key of "cmds" that is not a command."""


class InvalidArgument(FunctionError):
    """A command's argument of the wrong type or out of its range."""


class InvalidPayload(FunctionError):
    """The event is not an object, or its "cmds" is not an object."""


class DiskIOError(FunctionError):
    """The io command could not write its scratch file."""


# Reported as "IOError", the built-in's name. A class literally named IOError would shadow
# Python's own IOError (an alias of OSError) wherever it is imported.
DiskIOError.__name__ = "IOError"
DiskIOError.__qualname__ = "IOError"
