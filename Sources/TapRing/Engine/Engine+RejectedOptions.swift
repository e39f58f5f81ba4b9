extension Engine {
    /// Creates `netdevs` one after another and lets them go again, as QEMU
    /// 7.2 has created them by the time it rejects an option that comes
    /// after them (`OptionError.netdevsBefore`): the first that cannot be
    /// created is what QEMU reports then, instead of the option's problem.
    ///
    /// Taps' up scripts run as they are created, and their down scripts
    /// once all are let go, as QEMU's exit notifiers run them; `diagnostics`
    /// receives each netdev's warnings before it is created.
    ///
    /// - Returns: The first netdev's failure, or nil when every one was created.
    public static func failureCreating(
        _ netdevs: [NetworkPlan.Netdev], diagnostics: (String) -> Void = { _ in }
    ) -> EngineError? {
        var created: [NetdevPort] = []
        defer { created.forEach { $0.runDownScript() } }
        for netdev in netdevs {
            netdev.warnings.forEach(diagnostics)
            // A hub port is no kernel object: creating one cannot fail.
            if case .hubport = netdev.backend { continue }
            do throws(EngineError) {
                created.append(try NetdevPort(netdev, offloads: false))
            } catch {
                return error
            }
        }
        return nil
    }
}
