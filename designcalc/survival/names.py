"""The single-arm time-to-event tests by name (light: imported by the spec and the engines)."""

__all__ = ["TESTS", "TEST_NAMES"]

#: The tests, in the order the outputs list them.
TESTS = ("logrank", "landmark", "exponential", "binary")

#: The tests in words.
TEST_NAMES = {"logrank": "one-sample log-rank test", "landmark": "landmark Kaplan-Meier test",
              "exponential": "exponential MLE test", "binary": "exact binomial landmark test"}
