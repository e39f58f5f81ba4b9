import TapRingHarness

/// libFuzzer's entry point: one input for the option parser (`FuzzEntryPoints.parseOptions`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntryPoints.parseOptions(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
