/// A command-line option QEMU 7.2 would reject, or that TapRing cannot honour.
///
/// The text matches QEMU's own report, minus the program name:
///
///     -netdev tap,id=a,foo=1: Invalid parameter 'foo'
///
/// A hint, when there is one, follows on its own line, as QEMU prints it.
public struct OptionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The option exactly as typed, option name included, such as
    /// `-netdev tap,id=a,foo=1`; just the option name (`-netdev`) or the
    /// unknown word when the command line itself is malformed.
    public var location: String
    /// What is wrong, in QEMU's words where QEMU has words for it.
    public var message: String
    /// A line of advice printed after the message, if any.
    public var hint: String?
    /// The warnings QEMU 7.2 prints as it reads the command line, before it
    /// creates any netdev, in order.
    public var warnings: [String] = []
    /// The netdevs QEMU 7.2 has created by the time it comes to this problem,
    /// in the order it creates them: it creates each netdev before it reads
    /// the options that follow in that order, so one that cannot be created
    /// (a descriptor that is no tap, an address in use) is what it reports
    /// instead. `Engine.failureCreating(_:diagnostics:)` creates them as QEMU does.
    public var netdevsBefore: [NetworkPlan.Netdev] = []
    /// The rejected option's own warnings, which QEMU 7.2 prints once it has
    /// created `netdevsBefore`, just before it reports the problem.
    public var ownWarnings: [String] = []

    /// Creates an error reported as `location: message`, then `hint`.
    public init(location: String, message: String, hint: String? = nil) {
        self.location = location
        self.message = message
        self.hint = hint
    }

    /// The report QEMU would print after its program name: the location, the
    /// message and, on a line of its own, the hint.
    public var description: String {
        let report = "\(location): \(message)"
        guard let hint else { return report }
        return "\(report)\n\(hint)"
    }
}

extension OptionError {
    /// Attributes a diagnostic to the option at `location`.
    init(location: String, diagnostic: OptionDiagnostic) {
        self.init(location: location, message: diagnostic.message, hint: diagnostic.hint)
    }
}
