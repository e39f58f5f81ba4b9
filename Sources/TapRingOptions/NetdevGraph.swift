/// Netdevs in the order QEMU creates them, with hubports joined to the
/// netdevs their `netdev=` names, as QEMU's `net_init_hubport()` joins them.
///
/// Where QEMU 7.2 aborts or builds a forwarding loop, this refuses cleanly:
/// a netdev can have one peer, and hubs joined port to port must form a forest.
struct NetdevGraph: Sendable {
    private(set) var netdevs: [NetworkPlan.Netdev] = []
    private var hubs = HubForest()
    /// The first netdev of each id, and the ports each hub has: looked up
    /// once per option, so ten thousand options must not each scan them all.
    private var indexByID: [String: Int] = [:]
    private var portCounts: [Int32: Int] = [:]

    /// Creates `netdev`, peering it with the earlier netdev its hubport names.
    mutating func add(_ netdev: NetworkPlan.Netdev) throws(OptionDiagnostic) {
        var netdev = netdev
        if case .hubport(let port) = netdev.backend, let peerID = port.netdev {
            guard let peer = index(of: peerID) else {
                throw OptionDiagnostic("netdev '\(peerID)' not found")
            }
            // Devices come after every netdev, so only a hubport can hold the peer yet.
            if let holder = netdevs[peer].peer {
                // QEMU 7.2 fails `assert(!peer->peer)` in qemu_net_client_setup().
                throw OptionDiagnostic("netdev '\(peerID)' is already in use by '\(netdevs[holder].id)'")
            }
            if case .hubport(let peerPort) = netdevs[peer].backend,
               !hubs.join(port.hubID, peerPort.hubID) {
                throw OptionDiagnostic(
                    "netdev '\(peerID)' would join hub \(peerPort.hubID) back to hub \(port.hubID), "
                        + "a loop that forwards frames forever"
                )
            }
            netdev.peer = peer
            netdevs[peer].peer = netdevs.endIndex
        }
        append(netdev)
    }

    private mutating func append(_ netdev: NetworkPlan.Netdev) {
        if indexByID[netdev.id] == nil { indexByID[netdev.id] = netdevs.endIndex }
        if case .hubport(let options) = netdev.backend { portCounts[options.hubID, default: 0] += 1 }
        netdevs.append(netdev)
    }

    /// Refuses `id` when a netdev already has it, as `net_client_init1()` does
    /// for ids that the option lists could not catch: those of modern
    /// netdevs, `-nic` and `-net`.
    func claim(_ id: String) throws(OptionDiagnostic) {
        if index(of: id) != nil { throw OptionDiagnostic("Duplicate ID '\(id)'") }
    }

    /// Creates `netdev` with the hub port at index `port` as its peer, as a
    /// legacy `-net` backend is created (`net_client_init1()`).
    mutating func add(_ netdev: NetworkPlan.Netdev, peeredWith port: Int) {
        precondition(netdevs[port].peer == nil && netdevs[port].device == nil, "hub port \(netdevs[port].id) is in use")
        var netdev = netdev
        netdev.peer = port
        netdevs[port].peer = netdevs.endIndex
        append(netdev)
    }

    /// The index of the netdev named `id`, as `qemu_find_netdev()` finds it.
    func index(of id: String) -> Int? {
        indexByID[id]
    }

    /// The netdev a filter object's `netdev=` names, as `netfilter_complete()`
    /// finds it: any client but a NIC, by name, and only one of them (each
    /// queue of a multi-queue tap is a client of its own).
    func filtered(_ id: String) throws(OptionDiagnostic) -> Int {
        guard let netdev = index(of: id) else {
            throw .invalidParameterValue("netdev", expected: "a network backend id")
        }
        if case .tap(let tap) = netdevs[netdev].backend, tap.queues > 1 {
            throw OptionDiagnostic("multiqueue is not supported")
        }
        return netdev
    }

    /// The name `net_hub_port_new()` gives a new port of hub `hubID`:
    /// `hub<hub>port<n>`, n counting the hub's earlier ports.
    func nextPortName(onHub hubID: Int32) -> String {
        "hub\(hubID)port\(portCounts[hubID] ?? 0)"
    }

    /// What a NIC's `netdev=` finds, as `set_netdev()` looks: a netdev of
    /// that id that nothing is peered with yet.
    enum NICLookup: Equatable {
        case free(Int)
        case notFound
        /// Peered with a hubport or an earlier NIC already.
        case inUse
    }

    func lookUpForNIC(_ id: String) -> NICLookup {
        guard let found = index(of: id) else { return .notFound }
        let netdev = netdevs[found]
        return netdev.peer == nil && netdev.device == nil ? .free(found) : .inUse
    }

    /// Peers netdev `netdev` with the NIC at index `device` of the plan's devices.
    mutating func attach(device: Int, toNetdev netdev: Int) {
        precondition(netdevs[netdev].peer == nil && netdevs[netdev].device == nil,
                     "netdev \(netdevs[netdev].id) is in use")
        netdevs[netdev].device = device
    }

    /// QEMU's start-up warnings for each hub (`net_hub_check_clients()`),
    /// hubs and their ports newest first, as QEMU keeps them: each port left
    /// without a peer, then a hub that reaches the host but no NIC, or a NIC
    /// but not the host (a port joined to another hub's port reaches neither).
    var hubWarnings: [String] {
        var hubs: [Int32] = []
        var ports: [Int32: [NetworkPlan.Netdev]] = [:]
        for netdev in netdevs {
            guard case .hubport(let options) = netdev.backend else { continue }
            if ports[options.hubID] == nil { hubs.append(options.hubID) }
            ports[options.hubID, default: []].append(netdev)
        }
        return hubs.reversed().flatMap { hub in
            var (warnings, hasNIC, reachesHost) = ([String](), false, false)
            for port in ports[hub, default: []].reversed() {
                if port.device != nil {
                    hasNIC = true
                } else if let peer = port.peer {
                    reachesHost = reachesHost || !netdevs[peer].isHubPort
                } else {
                    warnings.append("warning: hub port \(port.id) has no peer")
                }
            }
            if reachesHost && !hasNIC { warnings.append("warning: hub \(hub) with no nics") }
            if hasNIC && !reachesHost { warnings.append("warning: hub \(hub) is not connected to host network") }
            return warnings
        }
    }

    /// QEMU's start-up warnings for the netdevs left without a peer, hub
    /// ports included, in the order it created them (`net_check_clients()`):
    /// one per queue of a multi-queue tap, whose queues a NIC takes all of
    /// and a hub port only the first of.
    var peerlessWarnings: [String] {
        netdevs.flatMap { netdev in
            // Past the kernel's 256 queues (MAX_TAP_QUEUES) a tap fails to
            // open before these warnings are printed: no need for more.
            let queues = if case .tap(let options) = netdev.backend { Int(min(options.queues, 256)) } else { 1 }
            let peerless = netdev.device != nil ? 0 : netdev.peer != nil ? queues - 1 : queues
            return Array(repeating: "warning: netdev \(netdev.id) has no peer", count: peerless)
        }
    }
}

/// Hubs joined by hubport-to-hubport links, as a union-find forest: two hubs
/// already connected must not be linked again.
private struct HubForest: Sendable {
    private var parent: [Int32: Int32] = [:]

    /// Links hubs `a` and `b`, or returns false when they are already
    /// connected (the same hub included), since the link would close a loop.
    mutating func join(_ a: Int32, _ b: Int32) -> Bool {
        let (rootA, rootB) = (root(of: a), root(of: b))
        guard rootA != rootB else { return false }
        parent[rootA] = rootB
        return true
    }

    private mutating func root(of hub: Int32) -> Int32 {
        guard let up = parent[hub], up != hub else { return hub }
        let top = root(of: up)
        parent[hub] = top
        return top
    }
}

extension NetworkPlan.Netdev {
    fileprivate var isHubPort: Bool {
        if case .hubport = backend { return true }
        return false
    }
}
