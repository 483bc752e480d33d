"""berth's commands, one module per family; each exports ``make_*`` click factories."""
