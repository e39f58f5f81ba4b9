// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "TapRing",
    products: [
        .library(name: "TapRing", targets: ["TapRing"]),
        // libtapring.so for emulators in C, C++ or Rust: `make install`.
        .library(name: "TapRingC", type: .dynamic, targets: ["TapRingC"]),
        .executable(name: "tapring", targets: ["tapring"]),
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
        .target(
            name: "TapRing",
            dependencies: [
                "TapRingOptions",
                "CURing",
                "CLinux",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(name: "CTapRing", path: "CShims/CTapRing"),
        .target(
            name: "TapRingC",
            dependencies: ["TapRing", "CTapRing"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "-soname=libtapring.so"])]
        ),
        .executableTarget(
            name: "tapring",
            dependencies: [
                "TapRing",
                "CLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .testTarget(
            name: "TapRingTests",
            // The kernel tests run the tapring binary and build C programs
            // against libtapring: a test build must build both afresh.
            dependencies: ["TapRing", "TapRingOptions", "CLinux", "tapring", "TapRingC"]
        ),
    ]
)
