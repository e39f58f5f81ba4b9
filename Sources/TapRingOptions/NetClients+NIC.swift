extension NetClients {
    /// `net_param_nic()`: a `-nic` creates a netdev from its options, as
    /// `-netdev` would (`user` when no type is given), and asks for an
    /// on-board NIC peered with it, of `model=` and with `mac=`.
    ///
    /// QEMU picks the NIC's address first, and looks at the model only when
    /// it builds the machine.
    mutating func addNIC(_ opts: QemuOpts, argument: OptionArgument) throws(OptionDiagnostic) {
        var netdevOpts = opts
        let type = opts.items.last { $0.name == "type" }?.value
        if type == "none" { return }
        // Unlike `-netdev`'s, `-nic`'s type is visited before any help is looked for.
        if let type, DeviceDefinition.isHelp(type) { throw .unacceptedValue(type, for: "type") }
        guard onBoard.count < OnBoardNIC.capacity else {
            throw OptionDiagnostic("no more on-board/default NIC slots available")
        }
        if type == nil { netdevOpts.items.append(QemuOpts.Item(name: "type", value: "user")) }
        let model = Self.remove("model", from: &netdevOpts)
        let id = netdevOpts.id ?? generateID()
        netdevOpts.id = id
        let mac = try onBoardAddress(
            Self.remove("mac", from: &netdevOpts), multicastError: "NIC cannot have multicast MAC address")

        let definition = try readNetdev(netdevOpts, argument: argument)
        // `-nic model=help`, as QEMU's documentation has it, lists the models
        // once the machine is built, after creating a `user` netdev, which
        // TapRing does not have: its members and id checked, as QEMU checks
        // them before creating it, it lists them all the same.
        let listsModels = definition.type == .user && model.map(DeviceDefinition.isHelp) == true
        if listsModels {
            keepPendingWarnings()
            try graph.claim(definition.id)
        } else {
            try addNetdev(definition, location: argument.location)
        }
        onBoard.append(OnBoardNIC(model: model, mac: mac, netdev: id, location: argument.location))
    }

    /// `qemu_opt_get_del()`: the last value of `name`, every occurrence removed.
    private static func remove(_ name: String, from opts: inout QemuOpts) -> String? {
        let value = opts.items.last { $0.name == name }?.value
        opts.items.removeAll { $0.name == name }
        return value
    }
}
