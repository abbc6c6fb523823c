"""Tables, plots and the report of the workflow, from the runs' metrics and lifting statistics."""
