import TapRing

/// The frame fuzz target's input: how an e1000 is set up, then one frame
/// that it receives and transmits, so that every path that reads headers
/// sees the frame: the receive filters and VLAN strip, and transmit
/// checksums, TSO segmentation and VLAN insertion, with PHY loopback taking
/// the segments back through the receive path.
///
///     0-3    RCTL (EN is always set)
///     4-5    VET
///     6      bit 0 CTRL.VME, 1 PHY loopback, 2 every MTA bit, 3 every VFTA bit
///     7      the setup byte of `FuzzedE1000`
///     8-23   the first transmit descriptor, before the frame's: a context descriptor, say
///     24-27  the second dword of the data descriptors carrying the frame (their
///            length bits are ignored, EOP is set on the last one only)
///     28-31  their last dword: status, POPTS and special
///     32     how many data descriptors carry the frame: 1 + value % 4
///     33...  the frame, at most 65535 bytes
struct E1000FrameProbe {
    static let headerSize = 33
    static let receiveRing: UInt64 = 0x1_0000, transmitRing: UInt64 = 0x2_0000
    static let receiveBuffers: UInt64 = 0x10_0000, frameAddress: UInt64 = 0x30_0000
    static let ramSize = 4 << 20

    /// Runs `input`; inputs shorter than the header do nothing.
    static func run(_ input: UnsafeRawBufferPointer) throws {
        guard input.count >= headerSize else { return }
        let field = { (offset: Int) in input.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
        let flags = input[6]
        let device = try FuzzedE1000(setup: input[7], ramSize: ramSize)
        let frame = UnsafeRawBufferPointer(rebasing: input[headerSize...].prefix(0xFFFF))
        device.write(E1000Register.vet, field(4) & 0xFFFF)
        if flags & 1 != 0 { device.write(E1000Register.ctrl, 0x4014_0240) }  // reset value with VME
        if flags & 2 != 0 { device.write(E1000Register.mdic, 0x0420_0000 | 0x5140) }  // BMCR loopback
        for word in 0..<128 {
            if flags & 4 != 0 { device.write(E1000Register.mta + 4 * word, .max) }
            if flags & 8 != 0 { device.write(E1000Register.vfta + 4 * word, .max) }
        }
        receive(frame, device: device, control: field(0))
        transmit(frame, device: device, first: UnsafeRawBufferPointer(rebasing: input[8..<24]),
                 command: field(24), status: field(28), descriptors: 1 + Int(input[32] % 4))
        device.service(step: 7)
    }

    /// Sixteen descriptors of 16 KiB buffers, the largest RCTL can ask for;
    /// reception starts once the receive holdback is over.
    private static func receive(_ frame: UnsafeRawBufferPointer, device: FuzzedE1000, control: UInt32) {
        for index in 0..<16 {
            withUnsafeBytes(of: (receiveBuffers + UInt64(index) * 16384).littleEndian) { address in
                device.ram.store(at: receiveRing + 16 * UInt64(index), count: 16, literal: address, fill: 0)
            }
        }
        device.write(E1000Register.rdbal, UInt32(receiveRing))
        device.write(E1000Register.rdlen, 16 * 16)
        device.write(E1000Register.rdt, 15)
        device.write(E1000Register.rctl, control | E1000ReceiveControl.enable)
        device.service(step: 7)
        if frame.count <= device.largestInjectedFrame {
            device.harness.inject(frame)
            device.service(step: 0)
        }
    }

    /// `first`, then the frame cut into `descriptors` data descriptors.
    private static func transmit(_ frame: UnsafeRawBufferPointer, device: FuzzedE1000, first: UnsafeRawBufferPointer,
                                 command: UInt32, status: UInt32, descriptors: Int) {
        device.ram.store(at: frameAddress, count: frame.count, literal: frame, fill: 0)
        device.ram.store(at: transmitRing, count: 16, literal: first, fill: 0)
        var offset = 0
        for index in 1...descriptors {
            let length = index == descriptors ? frame.count - offset : frame.count / descriptors
            let endOfPacket = index == descriptors ? E1000TransmitCommand.endOfPacket : 0
            let words: (UInt64, UInt32, UInt32) = (
                (frameAddress + UInt64(offset)).littleEndian,
                (command & 0xFEFF_0000 | endOfPacket | UInt32(length)).littleEndian, status.littleEndian)
            withUnsafeBytes(of: words) { descriptor in
                device.ram.store(at: transmitRing + 16 * UInt64(index), count: 16, literal: descriptor, fill: 0)
            }
            offset += length
        }
        device.write(E1000Register.tdbal, UInt32(transmitRing))
        device.write(E1000Register.tdlen, 16 * 16)
        device.write(E1000Register.tctl, 0x2)
        device.write(E1000Register.tdt, UInt32(descriptors + 1))
        device.service(step: 0)
    }
}
