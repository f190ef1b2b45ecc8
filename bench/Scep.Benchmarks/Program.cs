using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Scep.Benchmarks.CodecBenchmarks).Assembly).Run(args);
