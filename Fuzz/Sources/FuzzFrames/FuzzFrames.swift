import TapRingHarness

/// libFuzzer's entry point: one input for the e1000 frame probe (`FuzzEntryPoints.probeFrame`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntryPoints.probeFrame(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
