import Glibc
import Testing

@testable import TapRing
@testable import TapRingHarness
@testable import TapRingOptions

/// An emulator re-registers guest memory on hot-plug: the NIC's DMA follows
/// the new regions at once, and never touches the old ones again.
struct GuestMemoryHotplugTests {
    @Test func receivesGoToTheNewRegionsAfterAReplacement() throws {
        let guest = try GuardedGuest()
        guest.enableReceive(bufferSize: 2048, descriptors: 8, control: E1000ReceiveControl.enable
            | E1000ReceiveControl.broadcastAccept | E1000ReceiveControl.stripCRC)
        guest.harness.inject(GuardedGuest.frame(length: 64))
        guest.harness.service()
        #expect(guest.read(E1000Register.rdh) == 1)

        // The same layout at the bottom, and a second region with a hole
        // between, copied to new host memory: the old RAM must stay as it is.
        let size = GuardedGuest.ramSize
        let replacement = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        let high = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
        defer {
            replacement.deallocate()
            high.deallocate()
        }
        for offset in 0..<size {
            replacement.storeBytes(of: guest.guestByte(at: offset), toByteOffset: offset, as: UInt8.self)
        }
        let before = (0..<64).map { guest.guestByte(at: 0x10_0000 + 2048 + $0) }
        guest.harness.nic.replaceGuestMemory(try GuestMemory(regions: [
            .init(guestAddress: 0, byteCount: size, host: replacement),
            .init(guestAddress: 1 << 32, byteCount: 4096, host: high),
        ]))
        guest.harness.inject(GuardedGuest.frame(length: 64))
        guest.harness.service()

        #expect(guest.read(E1000Register.rdh) == 2)
        #expect((0..<64).map { guest.guestByte(at: 0x10_0000 + 2048 + $0) } == before, "DMA reached the old RAM")
        let received = (0..<64).map { replacement.load(fromByteOffset: 0x10_0000 + 2048 + $0, as: UInt8.self) }
        #expect(received == GuardedGuest.frame(length: 64))
    }
}
