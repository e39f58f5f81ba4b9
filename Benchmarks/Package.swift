// swift-tools-version: 6.1
// The benchmark suite lives in a package of its own, so that emulators that
// link TapRing never build the benchmark framework.
import PackageDescription

let package = Package(
    name: "TapRingBenchmarks",
    dependencies: [
        .package(name: "TapRing", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HubPath",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TapRing", package: "TapRing"),
                .product(name: "TapRingHarness", package: "TapRing"),
            ],
            path: "Benchmarks/HubPath",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .target(name: "CReference", path: "Benchmarks/CReference"),
        .executableTarget(
            name: "NICReceive",
            dependencies: [
                "CReference",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TapRing", package: "TapRing"),
                .product(name: "TapRingHarness", package: "TapRing"),
            ],
            path: "Benchmarks/NICReceive",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
