"""The one exception the detectors raise, so callers can catch bad input without catching bugs."""


class DetectError(ValueError):
    """Input the detectors cannot judge: an empty window, a wrong kind, unusable values.

    A subclass of ValueError because the cause is always the data handed in; every message
    names the column so a suite over many features points at the one to fix.
    """
