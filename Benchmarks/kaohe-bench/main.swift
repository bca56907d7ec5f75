import KaoheBench

// `swift run -c release kaohe-bench --rows 100000`: the scoring benchmark without building the
// server (the same code runs as `kaohe bench`); `kaohe-bench fuzz …` is `kaohe fuzz …`.
BenchTool.main()
