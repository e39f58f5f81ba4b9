extension NetClients {
    /// `net_client_init()` and `net_client_init1()` for a legacy `-net`:
    /// every one lands on hub 0. A backend gets a new port of hub 0 as its
    /// peer; `-net nic` asks for an on-board NIC peered with a new port of
    /// hub 0, or with the netdev its `netdev=` names; `-net none` does nothing.
    mutating func addNet(_ opts: QemuOpts, argument: OptionArgument) throws(OptionDiagnostic) {
        var opts = opts
        let id = opts.id ?? generateID()
        opts.id = id
        // `vlan=`, gone since QEMU 3.0, is an invalid parameter like any other.
        let definition = try readNetdev(opts, argument: argument)

        var nic: NICMembers?
        switch definition.members {
        case .other where definition.type == .noBackend:
            return keepPendingWarnings()
        case .hubport:
            throw OptionDiagnostic("network backend 'hubport' is only supported with -netdev/-nic")
        case .nic(let members):
            nic = members
        default:
            try definition.checkCreatable()
        }

        guard let nic else {
            let port = try addHubPort(location: argument.location)
            try graph.claim(id)
            let backend = NetworkPlan.Netdev(
                id: id, backend: try definition.backendOnHub(), location: argument.location, warnings: pendingWarnings)
            graph.add(backend, peeredWith: port)
            pendingWarnings = []
            return
        }
        // A NIC with netdev= is not added to the hub.
        var peer = nic.netdev ?? ""
        if nic.netdev == nil {
            let port = try addHubPort(location: argument.location)
            peer = graph.netdevs[port].id
        }
        try graph.claim(id)
        try addNetNIC(nic, peer: peer, location: argument.location)
        keepPendingWarnings()
    }

    /// `net_hub_add_port()` on hub 0: a port for a `-net` option, named after its place on the hub.
    private mutating func addHubPort(location: String) throws(OptionDiagnostic) -> Int {
        let port = NetworkPlan.Netdev(
            id: graph.nextPortName(onHub: 0), backend: .hubport(HubPortOptions(hubID: 0)), location: location)
        try graph.add(port)
        return graph.netdevs.endIndex - 1
    }

    /// `net_init_nic()`: the on-board NIC a `-net nic` asks for, peered with `peer`.
    private mutating func addNetNIC(_ nic: NICMembers, peer: String, location: String) throws(OptionDiagnostic) {
        guard onBoard.count < OnBoardNIC.capacity else { throw OptionDiagnostic("too many NICs") }
        if let netdev = nic.netdev, graph.index(of: netdev) == nil {
            throw OptionDiagnostic("netdev '\(netdev)' not found")
        }
        let mac = try onBoardAddress(nic.macaddr,
            multicastError: "NIC cannot have multicast MAC address (odd 1st byte)")
        // `vectors` sizes a virtio NIC's MSI-X table; an e1000 has none to size.
        if let vectors = nic.vectors, vectors > 0x7ff_ffff {
            throw OptionDiagnostic("invalid # of vectors: \(vectors)")
        }
        onBoard.append(OnBoardNIC(model: nic.model, mac: mac, netdev: peer, address: nic.addr, location: location))
    }
}
