/// The engine's per-frame path with the kernel taken out: frames are filled in
/// the arena as a tap read would fill them, fanned out through the hub's
/// lanes, and released as the writes would release them.
///
/// For the benchmark suite, which measures the arena → hub → port queues path
/// on one reactor: frames per second, and allocations (there must be none).
/// It lives here, not in TapRingHarness (whose `InMemoryHub` wraps it), so
/// that the loop the benchmark times compiles with the path it measures:
/// from another module each per-frame call would be a real call.
package struct InMemoryHubPath: ~Copyable {
    private let arena: FrameArena
    private let storage: Fabric.Storage
    private var crossbar: Crossbar
    private let frame: UnsafeMutableRawBufferPointer

    /// A hub of `ports` ports on one reactor, fed frames of `frameLength`
    /// bytes through port 0.
    package init(ports: Int, frameLength: Int, slotCount: Int = 8192, queueCapacity: Int = 1024) throws {
        arena = try FrameArena(slotSize: 2048, slotCount: slotCount)
        storage = Fabric.Storage(
            ports: (0..<ports).map { _ in
                PortDescription(home: 0, kind: .tap(PortKind.Tap(descriptor: -1)))
            },
            routes: (0..<ports).map { port in (0..<ports).filter { $0 != port } },
            reactorCount: 1, arena: arena.view, slotsPerReactor: slotCount, laneCapacity: queueCapacity,
            doorbells: [-1])
        crossbar = Crossbar(reactor: 0, fabric: storage.fabric)
        frame = .allocate(byteCount: frameLength, alignment: 64)
        frame.initializeMemory(as: UInt8.self, repeating: 0xA5)
    }

    deinit {
        frame.deallocate()
    }

    /// Moves `count` frames in batches of `batch`: each batch is read into
    /// slots, delivered to every other port's lane, then taken off the lanes
    /// and released. Returns the frame copies written.
    package mutating func forward(_ count: Int, batch: Int = 64) -> Int {
        var written = 0
        var remaining = count
        while remaining > 0 {
            let size = min(batch, remaining)
            for _ in 0..<size {
                guard let slot = crossbar.pool.take() else { break }
                let filled = Frame(slot: slot, length: UInt32(frame.count))
                storage.fabric.arena.bytes(of: filled).copyMemory(from: frame.baseAddress!, byteCount: frame.count)
                _ = crossbar.deliver(filled, from: 0)
            }
            _ = crossbar.publishDeliveries()
            for local in crossbar.ports.indices {
                while let queued = crossbar.nextFrame(for: local, from: 0) {
                    crossbar.release(queued.slot)
                    written += 1
                }
            }
            _ = crossbar.releaseConsumedRoom()
            remaining -= size
        }
        return written
    }
}
