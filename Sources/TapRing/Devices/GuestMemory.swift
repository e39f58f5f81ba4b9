/// Guest-physical memory as an emulator maps it into this process: regions
/// of guest-physical addresses, each backed by host memory, RAM or ROM.
///
/// Devices reach guest memory only through a `GuestMemory.Window`, which
/// hands out host addresses only for guest addresses inside a region: a
/// byte outside guest memory never reaches host memory, and a device's
/// writes into ROM are dropped. The regions must stay mapped for as long as
/// a device uses them.
public final class GuestMemory: @unchecked Sendable {
    /// One range of guest-physical memory and the host memory behind it.
    public struct Region: @unchecked Sendable {
        public var guestAddress: UInt64
        public var byteCount: Int
        public var host: UnsafeMutableRawPointer
        /// What the region holds: RAM, ROM or device registers.
        public var kind: Kind

        /// What a region holds, and so how a device reaches it.
        public enum Kind: Sendable {
            /// Memory a device reads and writes.
            case ram
            /// Memory a device reads, whose writes are dropped, as QEMU drops
            /// a DMA write into a read-only region (firmware, option ROMs).
            case rom
            /// Device registers, read-only, read as QEMU reads them: in
            /// naturally aligned accesses of at most 8 bytes, those narrower
            /// than `narrowestRead` reading zeros, as the device refuses them
            /// (`MemoryRegionOps.valid.min_access_size`).
            case registers(narrowestRead: Int)
        }

        public init(guestAddress: UInt64, byteCount: Int, host: UnsafeMutableRawPointer, kind: Kind = .ram) {
            self.guestAddress = guestAddress
            self.byteCount = byteCount
            self.host = host
            self.kind = kind
        }

        /// The region's last guest address: its end may be 2^64, which
        /// `UInt64` cannot hold.
        var lastAddress: UInt64 { guestAddress + UInt64(byteCount - 1) }
    }

    package let window: Window
    /// Every region, in address order; and the RAM among them.
    private let storage, ramStorage: UnsafeMutableBufferPointer<Region>

    /// Guest memory made of `regions`, which must not overlap. A region may
    /// end at the very top of the 64-bit address space.
    public init(regions: [Region]) throws(DeviceError) {
        for region in regions {
            guard region.byteCount > 0 else {
                throw DeviceError(
                    "has \(region.byteCount) bytes", object: "the guest memory region at \(hex: region.guestAddress)")
            }
            guard region.guestAddress <= UInt64.max - UInt64(region.byteCount - 1) else {
                throw DeviceError(
                    "of \(region.byteCount) bytes runs past the end of the 64-bit address space",
                    object: "the guest memory region at \(hex: region.guestAddress)")
            }
        }
        let sorted = regions.sorted { $0.guestAddress < $1.guestAddress }
        for (lower, upper) in zip(sorted, sorted.dropFirst()) where lower.lastAddress >= upper.guestAddress {
            throw DeviceError(
                "overlaps the one before it", object: "the guest memory region at \(hex: upper.guestAddress)")
        }
        storage = .allocate(capacity: sorted.count)
        _ = storage.initialize(from: sorted)
        let ram = sorted.filter { if case .ram = $0.kind { true } else { false } }
        ramStorage = .allocate(capacity: ram.count)
        _ = ramStorage.initialize(from: ram)
        window = Window(ram: UnsafeBufferPointer(ramStorage), regions: UnsafeBufferPointer(storage))
    }

    deinit {
        storage.deallocate()
        ramStorage.deallocate()
    }

    /// What a device holds to reach guest memory on its per-frame path: no
    /// reference counting, just the region table.
    package struct Window: @unchecked Sendable {
        /// The regions of RAM, which `pointer(at:count:)` hands out.
        let ram: UnsafeBufferPointer<Region>
        /// Every region, which `read`, `write` and `forEachPiece` walk.
        let regions: UnsafeBufferPointer<Region>

        /// The host address of `count` bytes of guest memory at `address`,
        /// or nil unless all of them lie in one region of RAM: a device may
        /// read and write them. ROM and registers are reached through `read`.
        @inline(__always)
        package func pointer(at address: UInt64, count: Int) -> UnsafeMutableRawPointer? {
            for region in ram where address >= region.guestAddress {
                let offset = address - region.guestAddress
                guard offset < UInt64(region.byteCount), UInt64(count) <= UInt64(region.byteCount) - offset else {
                    continue
                }
                return region.host + Int(offset)
            }
            return nil
        }

        /// Walks `count` bytes from `address` in pieces that each lie in one
        /// region (with their host address) or in none (nil), in order, as a
        /// bus splits a DMA at the edges of what is mapped; when `writing`,
        /// a piece of ROM or registers comes with nil too, and a read of
        /// registers comes in QEMU's accesses, each too narrow one with nil.
        /// Past 2^64 the address wraps to 0, as QEMU's `address_space_rw`
        /// goes on.
        package func forEachPiece(at address: UInt64, count: Int, writing: Bool,
                                  _ body: (UnsafeMutableRawPointer?, Int) -> Void) {
            var address = address
            var remaining = count
            while remaining > 0 {
                // Counted from the last byte: the piece may end at 2^64.
                let toTop = UInt64.max - address
                var piece = toTop >= UInt64(remaining - 1) ? remaining : Int(toTop) + 1
                var host: UnsafeMutableRawPointer?
                for region in regions {
                    if address >= region.guestAddress && address <= region.lastAddress {
                        let offset = address - region.guestAddress
                        host = region.host + Int(offset)
                        // Counted from the last byte: a region may end at 2^64.
                        let rest = region.lastAddress - address
                        piece = rest >= UInt64(remaining - 1) ? remaining : Int(rest) + 1
                        switch region.kind {
                        case .ram: break
                        case .rom: if writing { host = nil }
                        case .registers(let narrowestRead):
                            if writing {
                                host = nil
                                break
                            }
                            // memory_access_size(): at most 8 bytes, no more than
                            // the offset's alignment, a power of two.
                            let alignment = offset == 0 ? 8 : Int(min(offset & (0 &- offset), 8))
                            piece = 1 << (Int.bitWidth - 1 - min(piece, alignment).leadingZeroBitCount)
                            if piece < narrowestRead { host = nil }
                        }
                        break
                    }
                    if region.guestAddress > address {
                        piece = min(piece, Int(clamping: region.guestAddress - address))
                        break
                    }
                }
                body(host, piece)
                address &+= UInt64(piece)
                remaining -= piece
            }
        }

        /// Copies guest memory at `address` into `bytes`, across regions;
        /// bytes nothing lets a device read come as zeros. Returns whether
        /// every byte could be read.
        package func read(_ address: UInt64, into bytes: UnsafeMutableRawBufferPointer) -> Bool {
            var offset = 0
            var whole = true
            forEachPiece(at: address, count: bytes.count, writing: false) { source, length in
                if let source {
                    (bytes.baseAddress! + offset).copyMemory(from: source, byteCount: length)
                } else {
                    (bytes.baseAddress! + offset).initializeMemory(as: UInt8.self, repeating: 0, count: length)
                    whole = false
                }
                offset += length
            }
            return whole
        }

        /// Copies `bytes` into guest memory at `address`, across regions;
        /// bytes for anything but RAM are dropped. Returns whether every
        /// byte was written.
        package func write(_ address: UInt64, from bytes: UnsafeRawBufferPointer) -> Bool {
            var offset = 0
            var whole = true
            forEachPiece(at: address, count: bytes.count, writing: true) { destination, length in
                if let destination {
                    destination.copyMemory(from: bytes.baseAddress! + offset, byteCount: length)
                } else {
                    whole = false
                }
                offset += length
            }
            return whole
        }
    }
}

extension DefaultStringInterpolation {
    mutating func appendInterpolation(hex value: UInt64) {
        appendLiteral("0x" + String(value, radix: 16))
    }
}
