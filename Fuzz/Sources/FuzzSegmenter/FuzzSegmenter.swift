import TapRingHarness

/// libFuzzer's entry point: one input for the segmenter (`FuzzEntryPoints.segmentFrame`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntryPoints.segmentFrame(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
