"""`hiyoko import` of the old signal sheet: reading the source (.xlsx, .csv, Google Sheet), resolving
people, reading each row, and storing the readable ones through store/."""
