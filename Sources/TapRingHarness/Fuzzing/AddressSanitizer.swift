import TapRing

import Glibc

/// AddressSanitizer's manual poisoning, when the process runs under it (the
/// fuzz targets do): an instrumented access to a poisoned byte is reported
/// like an overflow. Looked up at run time, so that builds without the
/// sanitizer need no symbol from it; there these do nothing.
enum AddressSanitizer {
    private typealias Region = @convention(c) (UnsafeRawPointer, Int) -> Void

    private static let poisonRegion = function("__asan_poison_memory_region")
    private static let unpoisonRegion = function("__asan_unpoison_memory_region")

    private static func function(_ name: String) -> Region? {
        // RTLD_DEFAULT: the symbol wherever the process has it.
        dlsym(nil, name).map { unsafeBitCast($0, to: Region.self) }
    }

    static func poison(_ start: UnsafeRawPointer, count: Int) {
        poisonRegion?(start, count)
    }

    static func unpoison(_ start: UnsafeRawPointer, count: Int) {
        unpoisonRegion?(start, count)
    }
}
