import TapRing

/// An e1000 for the fuzz targets: an `InMemoryNIC` on guarded guest RAM,
/// with BAR0 and bus mastering set up as the e1000 oracle sets them up, and
/// a clock the input moves.
///
/// Under AddressSanitizer the arena has red zones: the first 12 bytes of
/// every slot's headroom, which nothing on the NIC's path touches (a VLAN
/// tag moves the addresses into the last 4), and what the mapping holds
/// past the last slot. A frame that runs off the end of its slot is reported
/// there, not left to overwrite the next one. A NIC that sends GSO frames
/// writes vnet headers into the headroom, so its arena (with large slots
/// after the small) has only the red zone past its end.
final class FuzzedE1000 {
    static let redZone = 12

    static let bar0: UInt32 = 0xFEBC_0000
    /// Arenas an input picks from, as slot size and count: the engine's
    /// default slot, the one `tapring qtest` uses (a 64 KiB TSO frame fits),
    /// the smallest the engine takes, and one in between; each arena small,
    /// as it is mapped and populated for every input.
    static let arenas: [(size: Int, count: Int)] = [(2048, 32), (FrameArena.largeSlotSize, 8), (192, 32), (16384, 16)]
    /// How far a service call moves the clock past now: from nothing to
    /// beyond every timer the NIC arms (the 1 s receive holdback).
    static let clockSteps: [UInt64] = [0, 1_000_000, 10_000_000, 70_000_000, 150_000_000, 600_000_000,
                                       1_100_000_000, 2_500_000_000]

    let ram: GuardedRAM
    let harness: InMemoryNIC
    /// Bytes a frame may have in a slot: the largest the reactor would queue for the NIC.
    let largestInjectedFrame: Int
    /// Bytes a transmitted frame may have: a slot's, or a GSO frame's, at most 64 KiB, and a VLAN tag.
    private let largestFrame: Int

    /// Bits 0-1 of `setup` pick the arena, bit 2 turns interrupt mitigation
    /// off, bit 3 gives it large slots, so that the NIC sends TSO packets as
    /// GSO frames.
    init(setup: UInt8, ramSize: Int) throws {
        ram = try GuardedRAM(byteCount: ramSize)
        let arena = Self.arenas[Int(setup & 3)]
        harness = try InMemoryNIC(memory: ram.memory, interruptLine: .callback { _ in }, slotSize: arena.size,
                                  slotCount: arena.count, largeSlotCount: setup & 8 != 0 ? 2 : 0, queueCapacity: 64,
                                  mitigation: setup & 4 == 0)
        largestInjectedFrame = arena.size - FrameArena.headroom
        // A GSO frame holds the whole TSO packet, whatever the small slots.
        largestFrame = (setup & 8 != 0 ? 65536 : min(65536, largestInjectedFrame)) + 4
        harness.nic.writeConfig(at: 0x10, width: 4, value: Self.bar0)
        harness.nic.writeConfig(at: 0x04, width: 2, value: 0x6)
        forEachRedZone(AddressSanitizer.poison)
    }

    deinit {
        // The next mapping at these addresses starts clean.
        forEachRedZone(AddressSanitizer.unpoison)
    }

    /// Calls `body` with each red zone of the arena.
    private func forEachRedZone(_ body: (UnsafeRawPointer, Int) -> Void) {
        let memory = harness.arena.memory
        if harness.arena.largeSlotCount == 0 {
            for slot in stride(from: 0, to: memory.count, by: harness.arena.slotSize) {
                body(memory.baseAddress! + slot, Self.redZone)
            }
        }
        let mapped = (memory.count + GuardedRAM.page - 1) / GuardedRAM.page * GuardedRAM.page
        body(memory.baseAddress! + memory.count, mapped - memory.count)
    }

    /// Plays the reactor with the clock `clockSteps[step % 8]` ahead, and
    /// checks what the NIC sent.
    @discardableResult
    func service(step: UInt8) -> [[UInt8]] {
        let sent = harness.service(now: monotonicNanoseconds() + Self.clockSteps[Int(step % 8)])
        for frame in sent {
            precondition(frame.count <= largestFrame, "the NIC sent a \(frame.count)-byte frame")
        }
        return sent
    }

    func write(_ register: Int, _ value: UInt32) {
        harness.nic.writeRegister(at: register, width: 4, value: UInt64(value))
    }
}
