import CURing
import Glibc

/// A NIC port's state on its home reactor: the reactor's ends of the NIC's
/// channel, and the NIC's timer.
struct NICPort {
    let nic: Unmanaged<E1000>
    var transmitted: LaneConsumer
    var released: LaneConsumer
    var spares: LaneProducer
    var largeSpares: LaneProducer
    /// Whether the NIC gathers TSO packets whole in large slots.
    let sendsGSOFrames: Bool
    /// The deadline of the timeout in flight, and its timespec, which must
    /// stay put until the kernel has read it.
    var armedDeadline: UInt64?
    let deadline: UnsafeMutablePointer<__kernel_timespec>
    var timersInFlight = 0

    static func make(_ nic: E1000, doorbell: Int32) -> UnsafeMutablePointer<NICPort> {
        nic.channel.attach(doorbell: doorbell)
        let port = UnsafeMutablePointer<NICPort>.allocate(capacity: 1)
        port.initialize(to: NICPort(
            nic: .passRetained(nic), transmitted: LaneConsumer(nic.channel.transmitted),
            released: LaneConsumer(nic.channel.released), spares: LaneProducer(nic.channel.spares),
            largeSpares: LaneProducer(nic.channel.largeSpares), sendsGSOFrames: nic.channel.sendsGSOFrames,
            deadline: .allocate(capacity: 1)))
        return port
    }

    static func free(_ port: UnsafeMutablePointer<NICPort>) {
        port.pointee.nic.takeUnretainedValue().channel.detach()
        port.pointee.nic.release()
        port.pointee.deadline.deallocate()
        port.deinitialize(count: 1)
        port.deallocate()
    }
}

extension Reactor {
    /// Gives each NIC spare slots, lets it take the frames that arrived and
    /// run its due timers, then sends on what its guest transmitted and takes
    /// back the slots it is done with. Returns how many frames and slots moved.
    mutating func serviceNICs() -> Int {
        var moved = 0
        var servicedNIC = false
        for local in ports.indices {
            guard case .nic(let port) = ports[local].machinery else { continue }
            servicedNIC = true
            while port.pointee.spares.hasRoom(), let slot = crossbar.pool.take() {
                port.pointee.spares.append(UInt64(slot))
            }
            _ = port.pointee.spares.publish()
            if port.pointee.sendsGSOFrames {
                while port.pointee.largeSpares.hasRoom(), let slot = crossbar.largePool.take() {
                    port.pointee.largeSpares.append(UInt64(slot))
                }
                _ = port.pointee.largeSpares.publish()
            }
            let deadline = port.pointee.nic.takeUnretainedValue().serviceFromReactor(now: monotonicNanoseconds())
            let source = crossbar.ports[local]
            let counters = fabric.counters(of: index, for: source)
            // The rest waits on the NIC's lane while the outbox is full.
            let writesDirect = !fabric.directDestinations(of: source).isEmpty
            while !writesDirect || crossbar.outboxRoom(of: source) > 0, let entry = port.pointee.transmitted.next() {
                let frame = Frame(packed: entry)
                if !port.pointee.sendsGSOFrames && fabric.ports[source].reachesVnetHeaders {
                    // A tap with a vnet header gets it: give it an empty one.
                    (fabric.arena.bytes(of: frame) - TapDevice.vnetHeaderBytes)
                        .initializeMemory(as: UInt8.self, repeating: 0, count: TapDevice.vnetHeaderBytes)
                }
                counters.pointee.framesIn.bump()
                counters.pointee.bytesIn.bump(by: UInt64(frame.length))
                _ = crossbar.deliver(frame, from: source)
                moved += 1
            }
            while let slot = port.pointee.released.next() {
                crossbar.release(UInt32(truncatingIfNeeded: slot))
                moved += 1
            }
            _ = port.pointee.transmitted.release()
            _ = port.pointee.released.release()
            if let deadline, deadline != port.pointee.armedDeadline {
                armTimer(local, port, at: deadline)
            }
        }
        // A NIC may have taken frames off its lanes, here or on a vCPU thread:
        // producers held back may go on.
        if servicedNIC {
            wake(fabric.allReactors, onlyIfStarved: true)
        }
        return moved
    }

    /// A timeout at `deadline` on the monotonic clock; its completion only
    /// wakes the reactor, which services the NIC on its next round.
    private mutating func armTimer(_ local: Int, _ port: UnsafeMutablePointer<NICPort>, at deadline: UInt64) {
        port.pointee.deadline.pointee = __kernel_timespec(
            tv_sec: Int64(deadline / 1_000_000_000), tv_nsec: Int64(deadline % 1_000_000_000))
        let submission = ring.nextSubmission()
        io_uring_prep_timeout(submission, port.pointee.deadline, 0, UInt32(IORING_TIMEOUT_ABS))
        submission.pointee.user_data = Operation(.timer, port: local).rawValue
        port.pointee.armedDeadline = deadline
        port.pointee.timersInFlight += 1
    }

    mutating func completeTimer(_ operation: Operation) {
        guard case .nic(let port) = ports[operation.port].machinery else { return }
        port.pointee.timersInFlight -= 1
        if port.pointee.timersInFlight == 0 { port.pointee.armedDeadline = nil }
    }

    /// Whether frames wait on a NIC's lanes that the NIC has not taken, and
    /// it is not holding them back.
    mutating func nicHasArrivals() -> Bool {
        for local in ports.indices {
            guard case .nic(let port) = ports[local].machinery,
                !port.pointee.nic.takeUnretainedValue().channel.blocked.pointee.load(ordering: .relaxed)
            else { continue }
            for producer in 0..<fabric.reactorCount
            where fabric.forwardLane(from: producer, to: crossbar.ports[local]).hasUnconsumedEntries() {
                return true
            }
        }
        return false
    }
}
