"""oncall: a terminal game that puts you on call for a fleet of production ML models at 2 AM."""

__version__ = "0.1.0"
