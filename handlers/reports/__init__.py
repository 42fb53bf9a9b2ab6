"""Generated files: the Excel report and the chart (pure functions of already computed figures)."""
