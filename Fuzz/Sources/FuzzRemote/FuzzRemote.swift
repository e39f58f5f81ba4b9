import TapRingHarness

/// libFuzzer's entry point: one VM-side program for the multi-process QEMU
/// server (`FuzzEntryPoints.serveRemote`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntryPoints.serveRemote(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
