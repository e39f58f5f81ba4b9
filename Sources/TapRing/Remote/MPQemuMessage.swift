/// The messages of multi-process QEMU's private protocol between
/// `-device x-pci-proxy-dev` and a device process (QEMU 7.2,
/// `include/hw/remote/mpqemu-link.h`): a 16-byte header, `int cmd` and
/// `size_t size`, then `size` bytes of a host-ABI C union, descriptors
/// riding on the header as SCM_RIGHTS. x86-64 and aarch64 lay it out alike.
package enum MPQemuCommand: Int32 {
    case syncSystemMemory = 0
    case reply = 1
    case configWrite = 2
    case configRead = 3
    case barWrite = 4
    case barRead = 5
    case setIRQFD = 6
    case deviceReset = 7

    /// QEMU's name of the command, for messages.
    var name: String {
        switch self {
        case .syncSystemMemory: "SYNC_SYSMEM"
        case .reply: "RET"
        case .configWrite: "PCI_CFGWRITE"
        case .configRead: "PCI_CFGREAD"
        case .barWrite: "BAR_WRITE"
        case .barRead: "BAR_READ"
        case .setIRQFD: "SET_IRQFD"
        case .deviceReset: "DEVICE_RESET"
        }
    }
}

package enum MPQemuLayout {
    /// `MPQEMU_MSG_HDR_SIZE`: `offsetof(MPQemuMsg, data.u64)`.
    static let headerSize = 16
    /// `sizeof(msg->data)`: the largest payload, `SyncSysmemMsg`.
    static let payloadLimit = 192
    /// `REMOTE_MAX_FDS`: descriptors, and so regions, per message.
    static let descriptorLimit = 8
    /// `PciConfDataMsg`: `uint32 addr`, `uint32 val`, `int len`.
    static let configAccessSize = 12
    /// `BarAccessMsg`: `hwaddr addr`, `uint64 val`, `unsigned size`, `bool memory`.
    static let barAccessSize = 24
    /// `SyncSysmemMsg`: `gpas[8]`, `sizes[8]`, `offsets[8]`, 8 bytes each.
    static let syncSystemMemorySize = 192
    /// A `RET` with its `u64`.
    static let replySize = headerSize + 8

    /// A header as the proxy writes one: `int cmd`, the padding that aligns
    /// `size_t size` (zero), `size`, little-endian.
    package static func header(command: Int32, size: UInt64) -> (UInt64, UInt64) {
        (UInt64(UInt32(bitPattern: command)).littleEndian, size.littleEndian)
    }
}

/// A payload, read as QEMU's little-endian host structs.
struct MPQemuPayload {
    let bytes: UnsafeRawBufferPointer

    func u64(at offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    func u32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// `PciConfDataMsg`.
    var configAccess: (offset: UInt32, value: UInt32, width: Int32) {
        (u32(at: 0), u32(at: 4), Int32(bitPattern: u32(at: 8)))
    }

    /// `BarAccessMsg`.
    var barAccess: (address: UInt64, value: UInt64, width: UInt32, memory: Bool) {
        (u64(at: 0), u64(at: 8), u32(at: 16), bytes[20] != 0)
    }

    /// Entry `index` of `SyncSysmemMsg`.
    func region(_ index: Int, descriptor: Int32) -> SharedGuestMemory.Region {
        SharedGuestMemory.Region(
            guestAddress: u64(at: 8 * index), byteCount: u64(at: 64 + 8 * index),
            fileOffset: u64(at: 128 + 8 * index), descriptor: descriptor)
    }
}
