import TapRingOptions

/// What the engine decides from a command line before it opens anything:
/// the ports it reads and writes, their queues, the reactors, where each
/// frame goes, and which ports carry GSO frames. A pure value: it touches
/// nothing on the system, so it is tested without root.
package struct PortPlan: Equatable {
    /// The hub ports in the engine's order: the netdevs it reads and writes
    /// (taps and sockets; hub ports are only routes), then the NICs.
    package let ports: [PortID]
    /// `queues[hubPort]`: 1, or a multi-queue tap's `queues=`.
    package let queues: [Int]
    package let reactorCount: Int
    /// `routes[hubPort]`: the hub ports a frame from it is written to.
    package let routes: [[Int]]
    /// The hub ports' queues laid out over the reactors.
    package let layout: QueueLayout
    /// The taps, by hub port, that are opened with offloads on.
    package let offloads: Set<Int>
    /// The NICs, by hub port, whose guests' TSO packets leave as GSO frames.
    package let gsoNICs: Set<Int>

    /// The ports of `plan` over at most `reactors` reactors (one per queue at
    /// most, never fewer than one nor more than `reactorLimit`); with
    /// `gsoFrames` false (reads into small slots), no port carries GSO frames.
    package init(_ plan: NetworkPlan, reactors: Int, reactorLimit: Int, gsoFrames: Bool) {
        ports = plan.netdevs.indices.filter { plan.netdevs[$0].isPort }.map(PortID.netdev)
            + plan.devices.indices.map(PortID.device)
        queues = ports.map { [plan] id in
            guard case .netdev(let index) = id, case .tap(let options) = plan.netdevs[index].backend else { return 1 }
            return Int(options.queues)
        }
        reactorCount = max(1, min(reactors, queues.reduce(0, +), reactorLimit))
        routes = HubRoutes(plan: plan, ports: ports).destinations
        layout = QueueLayout(
            queues: queues, hubRoutes: routes, reactorCount: reactorCount,
            followers: Self.datagramSockets(plan, ports: ports))
        offloads = gsoFrames ? Self.tapsWithOffloads(plan, ports: ports, routes: routes) : []
        gsoNICs = gsoFrames ? Self.nicsSendingGSOFrames(plan, ports: ports, routes: routes, offloads: offloads) : []
    }

    /// The datagram sockets, by port, as far as the options tell: they live
    /// where the frames they send are read (`QueueLayout`). A stream gains
    /// from a core of its own with large frames (a second core measured
    /// 1.3 times the rate into a stream at 1500 B), a datagram socket does
    /// not.
    private static func datagramSockets(_ plan: NetworkPlan, ports: [PortID]) -> Set<Int> {
        Set(ports.indices.filter { port in
            guard case .netdev(let index) = ports[port] else { return false }
            switch plan.netdevs[index].backend {
            case .dgram: return true
            case .socket(let options):
                if case .multicast = options.mode { return true }
                if case .udp = options.mode { return true }
                return false
            default: return false
            }
        })
    }

    /// Engine ports: every queue of every hub port.
    package var portCount: Int { layout.portCount }

    /// The taps, by port, that get offloads: a tap not set `vnet_hdr=off`
    /// whose frames go to another such tap. Between the two GSO frames pass
    /// whole, 64 KiB at a time; a port that takes plain frames only gets
    /// them cut up (`Segmenter`). A tap whose frames reach no such tap keeps
    /// offloads off, so the kernel segments for it, and does it faster.
    private static func tapsWithOffloads(_ plan: NetworkPlan, ports: [PortID], routes: [[Int]]) -> Set<Int> {
        let candidates = Set(ports.indices.filter { port in
            guard case .netdev(let index) = ports[port], case .tap(let options) = plan.netdevs[index].backend else {
                return false
            }
            return options.vnetHeader != false && options.isOpenedByTapRing
        })
        return candidates.filter { port in routes[port].contains(where: candidates.contains) }
    }

    /// The NICs, by port, whose guests' TSO packets leave as GSO frames:
    /// those whose frames go only to taps with a vnet header, set
    /// `vnet_hdr=on` or opened with offloads.
    private static func nicsSendingGSOFrames(_ plan: NetworkPlan, ports: [PortID], routes: [[Int]], offloads: Set<Int>)
        -> Set<Int>
    {
        func takesGSOFrames(_ port: Int) -> Bool {
            guard case .netdev(let index) = ports[port], case .tap(let options) = plan.netdevs[index].backend,
                  options.isOpenedByTapRing
            else { return false }
            return options.vnetHeader == true || offloads.contains(port)
        }
        return Set(ports.indices.filter { port in
            guard case .device = ports[port] else { return false }
            return !routes[port].isEmpty && routes[port].allSatisfy(takesGSOFrames)
        })
    }
}

extension NetworkPlan.Netdev {
    /// Whether the engine reads and writes this netdev itself.
    package var isPort: Bool {
        switch backend {
        case .tap, .socket, .stream, .dgram: true
        case .hubport: false
        }
    }
}

extension TapOptions {
    /// Whether TapRing opens the tap itself, and so chooses its vnet header
    /// and offloads; a descriptor inherited or received from a bridge helper
    /// keeps the header it was opened with.
    fileprivate var isOpenedByTapRing: Bool {
        inheritedDescriptor == nil && bridgeHelper == nil
    }
}
