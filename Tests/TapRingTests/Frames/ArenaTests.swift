import Testing

@testable import TapRing
@testable import TapRingOptions

struct ArenaTests {
    @Test func slotsAreDisjointAndLeaveRoomForAVnetHeader() throws {
        let arena = try FrameArena(slotSize: 2048, slotCount: 4)
        let view = arena.view
        #expect(Int(bitPattern: view.base) % 4096 == 0, "the arena is page-aligned")
        #expect(view.start(of: 1) - view.start(of: 0) == 2048)
        #expect(view.bytes(of: Frame(slot: 2, length: 60)) - view.start(of: 2) == FrameArena.headroom)
    }

    @Test func framesPackIntoOneLaneEntry() {
        let frame = Frame(slot: 70_000, offset: 12, length: 65_540)
        #expect(Frame(packed: frame.packed) == frame)
    }

    @Test func theLastReferenceFreesTheSlot() throws {
        let arena = try FrameArena(slotSize: 256, slotCount: 2)
        arena.view.setReferences(3, of: 1)
        #expect(!arena.view.release(1))
        #expect(!arena.view.release(1))
        #expect(arena.view.release(1))
    }

    @Test func thePoolHandsOutEverySlotOnce() {
        var pool = SlotPool(8..<16)
        var taken: [UInt32] = []
        while let slot = pool.take() {
            taken.append(slot)
        }
        #expect(taken.sorted() == Array(8..<16))
        pool.put(12)
        let next = pool.take()
        #expect(next == 12, "the slot freed last is filled next")
    }
}
