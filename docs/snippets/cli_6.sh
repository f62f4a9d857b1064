crucible-pl serve ./mirror   # prints the URL to put in HF_ENDPOINT; Ctrl-C stops it
