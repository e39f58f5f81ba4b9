// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "TapRing",
    products: [
        .library(name: "TapRing", targets: ["TapRing"]),
        // libtapring.so for emulators in C, C++ or Rust: `make install`.
        .library(name: "TapRingC", type: .dynamic, targets: ["TapRingC"]),
        .executable(name: "tapring", targets: ["tapring"]),
        // For TapRing's own fuzz targets and benchmarks, which are packages
        // of their own: not for emulators (see the TapRingHarness target).
        .library(name: "TapRingHarness", targets: ["TapRingHarness"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        // `swift package generate-documentation` builds the DocC catalog.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "CURing",
            path: "CShims/CURing",
            linkerSettings: [.linkedLibrary("uring")]
        ),
        .target(name: "CLinux", path: "CShims/CLinux"),
        // QEMU's networking options, parsed and validated: a pure leaf.
        .target(name: "TapRingOptions"),
        // What the engine decides from a plan before it opens anything: the
        // ports, queues, reactors, routes and offloads; pure too.
        .target(
            name: "TapRingPlan",
            dependencies: ["TapRingOptions", .product(name: "SystemPackage", package: "swift-system")]
        ),
        .target(
            name: "TapRing",
            dependencies: [
                "TapRingOptions",
                "TapRingPlan",
                "CURing",
                "CLinux",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // The qtest server: QEMU's qtest protocol against TapRing's e1000.
        .target(name: "TapRingQTest", dependencies: ["TapRing"]),
        // Stand-ins for what surrounds the engine in an emulator: a guest
        // driver model per NIC, an in-memory NIC and hub, the fuzz entry
        // points. For the tapring tool, tests, fuzz targets and benchmarks;
        // not part of libtapring.so or of the stability promise.
        .target(name: "TapRingHarness", dependencies: ["TapRing", "TapRingQTest", "CLinux"]),
        .target(name: "CTapRing", path: "CShims/CTapRing"),
        .target(
            name: "TapRingC",
            dependencies: ["TapRing", "CTapRing"],
            linkerSettings: [.unsafeFlags([
                "-use-ld=lld", "-Xlinker", "-soname=libtapring.so",
                "-Xlinker", "--version-script=\(Context.packageDirectory)/CShims/CTapRing/exports.map",
            ])]
        ),
        .executableTarget(
            name: "tapring",
            dependencies: [
                "TapRing",
                "TapRingQTest",
                "TapRingHarness",
                "CLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .testTarget(
            name: "TapRingTests",
            // The kernel tests run the tapring binary and build C programs
            // against libtapring, which `swift build --build-tests` builds
            // with every product. TapRingC is no dependency: its linker
            // settings (lld, the export list) would apply to the test bundle
            // too, and hide the sanitizers' symbols.
            dependencies: [
                "TapRing", "TapRingOptions", "TapRingPlan", "TapRingQTest", "TapRingHarness", "CLinux", "tapring",
            ]
        ),
    ]
)
