"""Import from the help desks teams leave: `python -m core import zendesk DIR` and `python -m core import csv FILE`
(docs/import.md). `zendesk` and `csvfile` read an export into `records.Record`s; `load` writes them."""
