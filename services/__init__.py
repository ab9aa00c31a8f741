"""The programme's use cases as plain async functions, called the same way by every door."""
