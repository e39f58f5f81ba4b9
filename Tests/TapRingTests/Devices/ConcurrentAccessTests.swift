import Foundation
import Synchronization
import Testing

@testable import TapRing
@testable import TapRingHarness
@testable import TapRingOptions

/// The e1000's threading contract under load: one thread plays the home
/// reactor (frames arrive, timers run, sent frames leave) while another
/// plays a vCPU (MMIO to every kind of register, receive ring reaped,
/// frames transmitted) and a third reads counters. `make tsan` runs it under
/// ThreadSanitizer, which checks that nothing races.
///
/// The vCPU learns how far the NIC got by reading RDH, as a driver may: that
/// MMIO read takes the NIC's lock, so the descriptors and buffers it reaps
/// were written before it, and the guest's own accesses to its RAM race with
/// nothing.
@Suite(.timeLimit(.minutes(1)))
struct ConcurrentAccessTests {
    static let descriptors = 64
    static let framesToSend = 4_000
    static let transmits = 400

    @Test func mmioFromAVCPUWhileTheReactorReceives() throws {
        let guest = try GuardedGuest(slotSize: 4096, slotCount: 1024, servicedFromAnotherThread: true)
        guest.enableTransmit()
        guest.enableReceive(bufferSize: 2048, descriptors: Self.descriptors, control: E1000ReceiveControl.enable
            | E1000ReceiveControl.broadcastAccept | E1000ReceiveControl.stripCRC)
        let received = Atomic<Int>(0)
        let missed = Atomic<Int>(0)
        let transmitted = Atomic<Int>(0)
        let sent = Atomic<Int>(0)
        let reactorDone = Atomic<Bool>(false)
        let finished = DispatchGroup()

        spawn(finished) {  // the home reactor
            var injected = 0
            var frames = 0
            while injected < Self.framesToSend || received.load(ordering: .relaxed) + missed.load(ordering: .relaxed)
                < Self.framesToSend || transmitted.load(ordering: .relaxed) < Self.transmits
            {
                if injected < Self.framesToSend,
                    guest.harness.inject(GuardedGuest.frame(length: 64 + injected % 1400))
                {
                    injected += 1
                }
                frames += guest.harness.service().count
            }
            frames += guest.harness.service().count
            sent.store(frames, ordering: .relaxed)
            reactorDone.store(true, ordering: .releasing)
        }
        spawn(finished) {  // the vCPU
            var next = 0
            var count = 0
            while !reactorDone.load(ordering: .acquiring) {
                let head = Int(guest.read(E1000Register.rdh))
                while next != head {
                    let descriptor = GuardedGuest.receiveRing + UInt64(16 * next)
                    #expect(guest.guestByte(at: Int(descriptor) + 12) & E1000ReceiveStatus.done != 0)
                    guest.fillGuest(at: descriptor + 12, with: [0])
                    received.add(1, ordering: .relaxed)
                    next = (next + 1) % Self.descriptors
                }
                guest.write(E1000Register.rdt, UInt32((next + Self.descriptors - 1) % Self.descriptors))
                missed.store(Int(guest.read(E1000Register.mpc)), ordering: .relaxed)  // QEMU keeps MPC on read
                _ = guest.read(E1000Register.icr)
                guest.write(E1000Register.ims, E1000Interrupt.rxt0 | E1000Interrupt.txdw)
                guest.write(E1000Register.itr, UInt32(count % 1000))
                if count < Self.transmits {
                    let index = count % 64
                    let buffer: UInt64 = 0x30_0000 + UInt64(index) * 2048
                    let length = 60 + count % 200
                    guest.fillGuest(at: buffer, with: GuardedGuest.frame(length: length))
                    guest.transmitDescriptor(index, buffer: buffer, length: UInt32(length), command: 0x0B)
                    count += 1
                    guest.write(E1000Register.tdt, UInt32(count % 64))
                    transmitted.store(count, ordering: .relaxed)
                }
            }
        }
        spawn(finished) {  // a monitor reading counters
            while !reactorDone.load(ordering: .acquiring) {
                _ = guest.harness.nic.refusedDMA
                _ = guest.harness.nic.readConfig(at: 0x04, width: 2)
            }
        }
        finished.wait()
        // Every frame was taken into the ring or missed for lack of room, and
        // every transmitted frame left.
        #expect(received.load(ordering: .relaxed) + missed.load(ordering: .relaxed) == Self.framesToSend)
        #expect(received.load(ordering: .relaxed) > 0)
        #expect(sent.load(ordering: .relaxed) == Self.transmits)
    }

    private func spawn(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        Thread {
            body()
            group.leave()
        }.start()
    }
}
