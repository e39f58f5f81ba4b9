import TapRing

/// The fuzz targets of `Fuzz/`, one input each: libFuzzer's
/// `LLVMFuzzerTestOneInput` there calls them, and the regression tests
/// replay findings through them. Every input must return: a crash, a trap,
/// a fault on a guard page or a sanitizer report is a finding.
public enum FuzzEntryPoints {
    /// The option parser: the input split at NUL and newline bytes into argv
    /// words (decoded as UTF-8, invalid sequences replaced), parsed into a
    /// plan or an `OptionError`.
    public static func parseOptions(_ input: UnsafeRawBufferPointer) {
        let words = input.split(omittingEmptySubsequences: false) { $0 == 0 || $0 == UInt8(ascii: "\n") }
            .map { String(decoding: $0, as: UTF8.self) }
        do {
            _ = try NetworkPlan.parse(words)
        } catch {
            _ = error.description
        }
    }

    /// The qtest protocol: see `QTestSession`.
    public static func serveQTest(_ input: UnsafeRawBufferPointer) {
        setUp { try QTestSession.run(input) }
    }

    /// The e1000 driven by a program: see `E1000Program`.
    public static func runE1000Program(_ input: UnsafeRawBufferPointer) {
        setUp {
            var program = try E1000Program(input)
            program.run()
        }
    }

    /// One frame through the e1000's header-reading paths: see `E1000FrameProbe`.
    public static func probeFrame(_ input: UnsafeRawBufferPointer) {
        setUp { try E1000FrameProbe.run(input) }
    }

    /// A GSO frame from a tap cut into segments: see `SegmenterProbe`.
    public static func segmentFrame(_ input: UnsafeRawBufferPointer) {
        SegmenterProbe.run(input)
    }

    /// The multi-process QEMU protocol from a VM's side: see `RemoteSession`.
    public static func serveRemote(_ input: UnsafeRawBufferPointer) {
        setUp { try RemoteSession.run(input) }
    }

    /// Runs `body`; a machine that cannot be set up (no memory to map) is
    /// no finding, but no fuzzing either.
    private static func setUp(_ body: () throws -> Void) {
        do {
            try body()
        } catch {
            fatalError("fuzz target setup failed: \(error)")
        }
    }
}
