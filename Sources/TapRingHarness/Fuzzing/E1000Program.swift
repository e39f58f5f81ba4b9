import TapRing

/// The e1000 fuzz target's input: a little program that drives the NIC as a
/// hostile guest and its network would, run against a `FuzzedE1000` on
/// 64 MiB of guarded RAM, the oracle's `-m 64`.
///
/// One setup byte (see `FuzzedE1000.init`), then operations until the input
/// ends: an opcode byte, taken modulo 9, and its little-endian operands.
///
///     0 register write   offset u24, width u8, value u64
///     1 register read    offset u24, width u8
///     2 guest memory     address u32, count u24, fill u8, literal count u16, literal bytes
///     3 frame            count u24, fill u8, literal count u16, literal bytes
///     4 service          clock step u8
///     5 config write     offset u8, width u8, value u32
///     6 config read      offset u8, width u8
///     7 receive ring     ring u32, descriptors u16, first buffer u32, buffer size u16
///     8 descriptor       ring u32, index u16, 16 bytes
///
/// Register offsets are taken modulo BAR0's size plus 8 (the last word and
/// past the end), widths modulo 9. Guest memory and frames are `count`
/// bytes: the literal bytes, then `fill`. A frame is queued for the NIC,
/// which takes it at the next service; a receive ring is the oracle's
/// `rxring`: descriptors pointing at consecutive buffers, all else zero.
struct E1000Program {
    static let ramSize = 64 << 20

    private var input: FuzzInput
    private let device: FuzzedE1000

    init(_ bytes: UnsafeRawBufferPointer) throws {
        input = FuzzInput(bytes)
        device = try FuzzedE1000(setup: input.byte() ?? 0, ramSize: Self.ramSize)
    }

    /// Runs every whole operation, then services the NIC past all its timers.
    mutating func run() {
        while let opcode = input.byte(), step(opcode % 9) {}
        device.service(step: 7)
    }

    /// One operation; false when the input ended inside it.
    private mutating func step(_ opcode: UInt8) -> Bool {
        let nic = device.harness.nic
        switch opcode {
        case 0:
            guard let offset = input.next(3), let width = input.byte(), let value = input.next(8) else { return false }
            nic.writeRegister(at: Self.registerOffset(offset), width: Int(width % 9), value: value)
        case 1:
            guard let offset = input.next(3), let width = input.byte() else { return false }
            _ = nic.readRegister(at: Self.registerOffset(offset), width: Int(width % 9))
        case 2:
            guard let address = input.next(4), let (count, fill, literal) = bytes() else { return false }
            device.ram.store(at: address, count: count, literal: literal, fill: fill)
        case 3:
            guard let (count, fill, literal) = bytes() else { return false }
            // Larger frames do not fit a slot: the reactor would not have read them.
            if count <= device.largestInjectedFrame {
                device.harness.inject(Array(literal.prefix(count))
                    + repeatElement(fill, count: max(0, count - literal.count)))
            }
        case 4:
            guard let clock = input.byte() else { return false }
            device.service(step: clock)
        case 5:
            guard let offset = input.byte(), let width = input.byte(), let value = input.next(4) else { return false }
            nic.writeConfig(at: Int(offset), width: Int(width % 5), value: UInt32(value))
        case 6:
            guard let offset = input.byte(), let width = input.byte() else { return false }
            _ = nic.readConfig(at: Int(offset), width: Int(width % 5))
        case 7:
            guard let ring = input.next(4), let count = input.next(2), let buffers = input.next(4),
                let size = input.next(2)
            else { return false }
            for index in 0..<count {
                withUnsafeBytes(of: (buffers &+ index &* size).littleEndian) { address in
                    device.ram.store(at: ring &+ 16 &* index, count: 16, literal: address, fill: 0)
                }
            }
        default:
            guard let ring = input.next(4), let index = input.next(2) else { return false }
            let descriptor = input.bytes(upTo: 16)
            guard descriptor.count == 16 else { return false }
            device.ram.store(at: ring &+ 16 &* index, count: 16, literal: descriptor, fill: 0)
        }
        return true
    }

    /// `count u24, fill u8, literal count u16, literal bytes`.
    private mutating func bytes() -> (Int, UInt8, UnsafeRawBufferPointer)? {
        guard let count = input.next(3), let fill = input.byte(), let literalCount = input.next(2) else { return nil }
        return (Int(count), fill, input.bytes(upTo: min(Int(literalCount), Int(count))))
    }

    private static func registerOffset(_ value: UInt64) -> Int {
        Int(value % UInt64(E1000Register.spaceSize + 8))
    }
}
