// uPlot was not vendored at build time (npm or the registry was unavailable): the dashboard draws its trend chart on a plain canvas.
