"""Output formatting the docker way: Go templates, tabwriter tables, go-units."""
