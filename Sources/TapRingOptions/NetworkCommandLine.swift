/// One networking option as typed: `-netdev`, `-device`, `-nic`, `-net`,
/// `-object` or `-machine`.
struct OptionArgument: Equatable, Sendable {
    /// Which of QEMU's option lists the option belongs to.
    enum Kind: String, Equatable, Sendable {
        case netdev, device, nic, net, object, machine

        /// The list an option's name selects, or nil for an option TapRing does not take.
        init?(option: String) {
            // lookup_opt() treats `--foo` like `-foo`.
            let name = option.hasPrefix("--") ? option.dropFirst(2) : option.hasPrefix("-") ? option.dropFirst() : ""
            self.init(rawValue: name == "M" ? "machine" : String(name))
        }
    }

    var kind: Kind
    /// The option's name as typed, such as `-netdev` or `--nic`.
    var option: String
    /// The option's argument, such as `tap,id=t0,ifname=tap0`.
    var value: String

    /// Where QEMU says a problem is: both words, joined by a space.
    var location: String { "\(option) \(value)" }

    /// A warning about this option, in QEMU's format.
    func warning(_ text: String) -> String {
        "\(location): warning: \(text)"
    }

    /// Runs `body`, attributing any diagnostic it throws to this option.
    func attributing<Result>(_ body: () throws(OptionDiagnostic) -> Result) throws(OptionError) -> Result {
        do throws(OptionDiagnostic) {
            return try body()
        } catch {
            throw OptionError(location: location, diagnostic: error)
        }
    }
}

/// The networking options of an argv-style command line, split the way
/// QEMU's `lookup_opt()` splits them before anything else is parsed.
struct NetworkCommandLine: Equatable, Sendable {
    /// The networking options, in command-line order.
    var options: [OptionArgument] = []

    init(_ arguments: [String]) throws(OptionError) {
        var words = arguments[...]
        while let word = words.popFirst() {
            guard let kind = OptionArgument.Kind(option: word) else {
                throw OptionError(location: word, message: "invalid option")
            }
            guard let value = words.popFirst() else {
                throw OptionError(location: word, message: "requires an argument")
            }
            options.append(OptionArgument(kind: kind, option: word, value: value))
        }
    }
}
