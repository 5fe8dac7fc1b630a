"""The log tail: `source` runs the tailing processes, `parse` reads their lines, `filter` and
`buffer` keep what is shown, `archive` captures lines into the store, `tail` joins them.
"""
