"""Writing generated files into a folder safely: staged, swapped in, recorded in a manifest.

Shared by the commands that write trees of files (scaffold, export); it knows nothing of
contracts.
"""
