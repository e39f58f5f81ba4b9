import TapRing

extension Engine {
    /// An engine whose NICs, if any, are driven by the VMs of the plan's
    /// `x-remote-object`s, each through its socket, or else by
    /// `E1000GuestDriver`s, each on a thread of its own: the network as a
    /// guest would use it, without an emulator. `inspector`, if given, makes
    /// the inspector of the guest of each NIC, by NIC index. `diagnostics`
    /// receives each netdev's warnings as it is opened, and what the remote
    /// servers report about their VMs.
    ///
    /// This is how `tapring run` and `tapring bench` run a command line; an
    /// emulator gives its own memory and interrupt lines to
    /// `init(_:configuration:diagnostics:attach:)` instead.
    public convenience init(
        _ plan: NetworkPlan, configuration: EngineConfiguration = .init(),
        guestInspector inspector: ((Int) -> @Sendable (UnsafeRawBufferPointer) -> Void)? = nil,
        diagnostics: @escaping @Sendable (String) -> Void = { _ in }
    ) throws(EngineError) {
        var drivers: [Int: E1000GuestDriver] = [:]
        var lines: [Int: INTxLine] = [:]
        try self.init(plan, configuration: configuration, diagnostics: diagnostics) { (_) throws(EngineError) in
            let index = drivers.count + lines.count
            if let remote = plan.remoteDevices.first(where: { $0.device == index }) {
                if let problem = MPQemuServer.checkSocket(remote.socket) {
                    throw EngineError(location: remote.location, "fd=\(remote.socket) \(problem)")
                }
                let line = INTxLine()
                lines[index] = line
                return E1000Function.attachment(intx: line)
            }
            do throws(DeviceError) {
                let driver = try E1000GuestDriver(inspector: inspector?(index))
                drivers[index] = driver
                return driver.attachment
            } catch {
                throw EngineError(error.description)
            }
        }
        for (index, driver) in drivers.sorted(by: { $0.key < $1.key }) {
            let nic = nics[index]
            add(EngineCompanion(name: "the guest driver of NIC \(index)", run: { driver.run(nic) }, stop: driver.stop))
        }
        do throws(DeviceError) {
            for remote in plan.remoteDevices {
                let function = E1000Function(nic: nics[remote.device], intx: lines[remote.device]!)
                add(try MPQemuServer(socket: remote.socket, function: function, name: remote.id,
                    diagnostics: diagnostics))
            }
        } catch {
            throw EngineError(error.description)
        }
    }
}
