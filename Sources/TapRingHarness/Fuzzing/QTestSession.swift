import TapRing
import TapRingQTest

/// The qtest fuzz target's input: lines of QEMU's qtest protocol, served by
/// a `QTestMachine` with the e1000 oracle's machine: 64 MiB of RAM and an
/// e1000 in slot 3. The NIC's reactor runs after each line, its clock past
/// every timer.
enum QTestSession {
    static func run(_ input: UnsafeRawBufferPointer) throws {
        let machine = try QTestMachine(megabytes: 64) { _ in }
        let attachment = machine.attachment(slot: 3)
        let harness = try InMemoryNIC(memory: attachment.memory, interruptLine: attachment.interruptLine,
                                      slotSize: FrameArena.largeSlotSize, slotCount: 8, queueCapacity: 64)
        machine.plug(harness.nic, slot: 3)
        for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            machine.handle(String(decoding: line, as: UTF8.self)[...])
            harness.service(now: monotonicNanoseconds() + 2_500_000_000)
        }
    }
}
