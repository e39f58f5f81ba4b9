extension PacketDumpOptions {
    /// Creates a filter-dump as QEMU 7.2 creates a `-object` after the
    /// netdevs (`object_create_late()`, `user_creatable_add_type()`): a JSON
    /// object's id is checked, the properties are set (`netfilter_set_status()`,
    /// `filter_dump_set_maxlen()`), the id is claimed, then `netfilter_complete()`
    /// finds the netdev and the position.
    ///
    /// - Parameters:
    ///   - checksID: whether the id still needs the checks QemuOpts made of
    ///     the other objects' ids when the command line was read.
    ///   - earlier: the filters created before this one.
    init(
        id: String, _ members: FilterDumpMembers, checksID: Bool, netdevs: NetdevGraph, earlier: [PacketDumpOptions]
    ) throws(OptionDiagnostic) {
        if checksID, !id.isQemuIdentifier { throw .malformedIdentifier }
        if let status = members.status, status != "on", status != "off" {
            throw OptionDiagnostic("Invalid value for netfilter status, should be 'on' or 'off'")
        }
        if members.maxlen == 0 { throw .propertyValueBad("0", for: "maxlen", of: "filter-dump") }
        if checksID, earlier.contains(where: { $0.id == id }) {
            throw OptionDiagnostic("attempt to add duplicate property '\(id)' to object (type 'container')")
        }

        let netdev = try netdevs.filtered(members.netdev)
        if let position = members.position, position != "head", position != "tail" {
            guard position.hasPrefix("id=") else {
                throw .invalidParameterValue("position", expected: "'head', 'tail' or 'id=<id>'")
            }
            let neighbour = String(position.dropFirst(3))
            guard let filter = earlier.first(where: { $0.id == neighbour }) else {
                throw OptionDiagnostic("filter '\(neighbour)' not found")
            }
            guard filter.netdev == netdev else {
                throw OptionDiagnostic("filter '\(neighbour)' belongs to a different netdev")
            }
        }
        self.init(
            id: id, netdev: netdev, file: members.file, maxLength: members.maxlen ?? 65536,
            direction: members.queue ?? .all, enabled: members.status != "off")
    }
}
