import TapRingHarness

/// libFuzzer's entry point: one input for the qtest protocol (`FuzzEntryPoints.serveQTest`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntryPoints.serveQTest(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
