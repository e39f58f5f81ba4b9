// swift-tools-version: 6.1
// The libFuzzer targets live in a package of their own, so that emulators
// that link TapRing never build them. Build them with `make fuzz`: the
// sanitizer flags must reach TapRing too, so they are given on the command
// line (`--sanitize=fuzzer --sanitize=address`), not here.
import PackageDescription

let targets: [(name: String, entryPoint: String)] = [
    ("FuzzOptions", "parseOptions"),
    ("FuzzQTest", "serveQTest"),
    ("FuzzE1000", "runE1000Program"),
    ("FuzzFrames", "probeFrame"),
    ("FuzzSegmenter", "segmentFrame"),
    ("FuzzRemote", "serveRemote"),
]

let package = Package(
    name: "TapRingFuzz",
    dependencies: [
        .package(name: "TapRing", path: ".."),
    ],
    targets: targets.map { target in
        .executableTarget(
            name: target.name,
            dependencies: [.product(name: "TapRingHarness", package: "TapRing")],
            path: "Sources/\(target.name)"
        )
    } + [
        // Random call sequences through tapring.h against a live engine.
        .executableTarget(
            name: "FuzzCInterface",
            dependencies: [.product(name: "TapRingC", package: "TapRing")],
            path: "Sources/FuzzCInterface"
        ),
    ]
)
