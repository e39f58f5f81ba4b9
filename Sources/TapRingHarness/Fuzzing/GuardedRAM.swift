import TapRing

import Glibc

/// Guest RAM from guest address 0 between two inaccessible pages, mapped
/// lazily: a device access that escapes `GuestMemory`'s bounds faults
/// instead of reaching host memory next to it.
final class GuardedRAM {
    static let page = 4096
    let memory: GuestMemory
    let base: UnsafeMutableRawPointer
    let byteCount: Int
    private let mapping: UnsafeMutableRawPointer

    /// `byteCount` bytes of zeroed RAM, a multiple of the page size.
    init(byteCount: Int) throws(DeviceError) {
        let total = byteCount + 2 * Self.page
        guard let mapping = mmap(nil, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
            mapping != MAP_FAILED
        else { throw DeviceError("could not map \(byteCount) bytes of guarded guest RAM") }
        self.mapping = mapping
        self.byteCount = byteCount
        base = mapping + Self.page
        guard mprotect(base, byteCount, PROT_READ | PROT_WRITE) == 0 else {
            munmap(mapping, total)
            throw DeviceError("could not open guarded guest RAM for access")
        }
        do throws(DeviceError) {
            memory = try GuestMemory(regions: [.init(guestAddress: 0, byteCount: byteCount, host: base)])
        } catch {
            munmap(mapping, total)
            throw error
        }
    }

    deinit {
        munmap(mapping, byteCount + 2 * Self.page)
    }

    /// Writes `count` bytes at `address` as the guest's CPU would: the first
    /// `literal` bytes, then `fill`; whatever lies past the end of RAM is dropped.
    func store(at address: UInt64, count: Int, literal: UnsafeRawBufferPointer, fill: UInt8) {
        guard address < UInt64(byteCount) else { return }
        let start = Int(address)
        let count = min(count, byteCount - start)
        let copied = min(count, literal.count)
        if copied > 0 {
            (base + start).copyMemory(from: literal.baseAddress!, byteCount: copied)
        }
        (base + start + copied).initializeMemory(as: UInt8.self, repeating: fill, count: count - copied)
    }
}
