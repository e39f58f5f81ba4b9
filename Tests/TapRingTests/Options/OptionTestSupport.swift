@testable import TapRing

/// `-netdev` options as argv words.
func netdevs(_ values: String...) -> [String] {
    values.flatMap { ["-netdev", $0] }
}

/// What `NetworkPlan.parse` reports for `arguments`, or nil when it succeeds.
func failure(_ arguments: [String]) -> String? {
    do {
        _ = try NetworkPlan.parse(arguments)
        return nil
    } catch {
        return error.description
    }
}

/// What `NetworkPlan.parse` reports for one `-netdev value`.
func failure(netdev value: String) -> String? {
    failure(netdevs(value))
}

/// The backend of the only netdev `value` declares.
func backend(netdev value: String) throws -> NetdevBackend? {
    try NetworkPlan.parse(netdevs(value)).netdevs.first?.backend
}
