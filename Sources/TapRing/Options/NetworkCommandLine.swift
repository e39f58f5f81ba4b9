/// One `-netdev` option as typed.
struct NetdevArgument: Equatable, Sendable {
    /// The option's name as typed: `-netdev` or `--netdev`.
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
    /// The `-netdev` options, in command-line order.
    var netdevs: [NetdevArgument] = []

    init(_ arguments: [String]) throws(OptionError) {
        var words = arguments[...]
        while let word = words.popFirst() {
            // lookup_opt() treats `--foo` like `-foo`.
            guard word == "-netdev" || word == "--netdev" else {
                throw OptionError(location: word, message: "invalid option")
            }
            guard let value = words.popFirst() else {
                throw OptionError(location: word, message: "requires an argument")
            }
            netdevs.append(NetdevArgument(option: word, value: value))
        }
    }
}
