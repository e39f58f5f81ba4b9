import Glibc

/// The frames the tester sends: broadcast, so that a hub floods them and an
/// e1000 takes them with BAM; the local experimental ethertype; and a header
/// with the run's id, a sequence number and the send time, zero-padded.
///
///     0  destination ff:ff:ff:ff:ff:ff   6  source 02:00:00:00:00:01
///     12 ethertype 0x88b5                 14 magic "TRBN"   18 run id
///     22 sequence (64-bit, big-endian)    30 send time, CLOCK_REALTIME ns
///
/// Send times are wall-clock time, the clock packet sockets stamp arrivals
/// with, so that a frame's latency does not include the time its ring
/// block waited to be handed over.
enum TestFrame {
    static let etherType: UInt16 = 0x88B5
    static let magic: UInt32 = 0x5452_424E
    static let headerLength = 38
    /// The shortest frame the tester sends: the Ethernet minimum.
    static let minimumLength = 60

    /// Writes the parts of a frame that never change into `frame`, which
    /// must be zeroed and at least `headerLength` long.
    static func prepare(_ frame: UnsafeMutableRawPointer, run: UInt32) {
        for index in 0..<6 { frame.storeBytes(of: 0xFF, toByteOffset: index, as: UInt8.self) }
        let source: [UInt8] = [0x02, 0, 0, 0, 0, 0x01]
        for (index, byte) in source.enumerated() { frame.storeBytes(of: byte, toByteOffset: 6 + index, as: UInt8.self) }
        frame.storeBytes(of: etherType.bigEndian, toByteOffset: 12, as: UInt16.self)
        frame.storeBytes(of: magic.bigEndian, toByteOffset: 14, as: UInt32.self)
        frame.storeBytes(of: run.bigEndian, toByteOffset: 18, as: UInt32.self)
    }

    static func stamp(_ frame: UnsafeMutableRawPointer, sequence: UInt64, time: UInt64) {
        frame.storeBytes(of: sequence.bigEndian, toByteOffset: 22, as: UInt64.self)
        frame.storeBytes(of: time.bigEndian, toByteOffset: 30, as: UInt64.self)
    }

    /// The sequence number and send time of a frame of run `run`, or nil
    /// for any other frame.
    @inline(__always)
    static func read(_ frame: UnsafeRawBufferPointer, run: UInt32) -> (sequence: UInt64, time: UInt64)? {
        guard frame.count >= headerLength,
            UInt32(bigEndian: frame.loadUnaligned(fromByteOffset: 14, as: UInt32.self)) == magic,
            UInt32(bigEndian: frame.loadUnaligned(fromByteOffset: 18, as: UInt32.self)) == run
        else { return nil }
        return (UInt64(bigEndian: frame.loadUnaligned(fromByteOffset: 22, as: UInt64.self)),
                UInt64(bigEndian: frame.loadUnaligned(fromByteOffset: 30, as: UInt64.self)))
    }
}

/// Nanoseconds of wall-clock time, which frames are stamped with.
func wallClockNow() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}
