import TapRingHarness

/// libFuzzer's entry point: one input for the e1000 program (`FuzzEntryPoints.runE1000Program`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntryPoints.runE1000Program(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
