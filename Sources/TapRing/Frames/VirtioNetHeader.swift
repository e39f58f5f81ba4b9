/// `struct virtio_net_hdr_v1` (virtio 1.0, 5.1.6), the 12 bytes a tap with
/// `IFF_VNET_HDR` puts before each frame: whether the frame is a GSO frame
/// to be cut into `gsoSize` segments, and whether its checksum is left for
/// the receiver to fill in.
package struct VirtioNetHeader: Equatable {
    /// `VIRTIO_NET_HDR_F_NEEDS_CSUM`: the checksum from `checksumStart` to the
    /// end goes at `checksumStart + checksumOffset`.
    static let needsChecksum: UInt8 = 1
    /// `VIRTIO_NET_HDR_GSO_*`.
    static let gsoNone: UInt8 = 0
    static let gsoTCPv4: UInt8 = 1
    static let gsoUDP: UInt8 = 3
    static let gsoTCPv6: UInt8 = 4
    static let gsoUDPL4: UInt8 = 5
    static let gsoECN: UInt8 = 0x80

    var flags: UInt8 = 0
    var gsoType: UInt8 = 0
    /// Bytes of the headers, Ethernet through TCP or UDP.
    var headerLength: UInt16 = 0
    var gsoSize: UInt16 = 0
    var checksumStart: UInt16 = 0
    var checksumOffset: UInt16 = 0

    init() {}

    package init(at bytes: UnsafeRawPointer) {
        flags = bytes.load(as: UInt8.self)
        gsoType = bytes.load(fromByteOffset: 1, as: UInt8.self)
        headerLength = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        gsoSize = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self))
        checksumStart = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
        checksumOffset = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
    }

    /// Writes the header, with `num_buffers` 0, into 12 bytes at `bytes`.
    func store(at bytes: UnsafeMutableRawPointer) {
        bytes.storeBytes(of: flags, as: UInt8.self)
        bytes.storeBytes(of: gsoType, toByteOffset: 1, as: UInt8.self)
        bytes.storeBytes(of: headerLength.littleEndian, toByteOffset: 2, as: UInt16.self)
        bytes.storeBytes(of: gsoSize.littleEndian, toByteOffset: 4, as: UInt16.self)
        bytes.storeBytes(of: checksumStart.littleEndian, toByteOffset: 6, as: UInt16.self)
        bytes.storeBytes(of: checksumOffset.littleEndian, toByteOffset: 8, as: UInt16.self)
        bytes.storeBytes(of: UInt16(0), toByteOffset: 10, as: UInt16.self)
    }

    /// The GSO kind without the ECN bit.
    var gsoKind: UInt8 { gsoType & ~Self.gsoECN }

    /// Whether a port that takes plain frames needs this one reworked first:
    /// cut into segments, or its checksum filled in.
    var isOffloaded: Bool {
        gsoKind != Self.gsoNone || flags & Self.needsChecksum != 0
    }
}
