/// The networking options as QEMU 7.2's `qemu_init()` takes them while it
/// reads the command line, before anything is created: each option's syntax
/// and id, in command-line order, and for the options QEMU types at once
/// (modern netdevs, JSON, `-object`) their members.
struct OptionDeclarations: Sendable {
    /// `-netdev` options of `type=stream` or `dgram`, or in JSON, typed when
    /// read (`netdev_parse_modern()`); QEMU creates them before the others.
    private(set) var modernNetdevs: [(argument: OptionArgument, definition: NetdevDefinition)] = []
    private(set) var netdevs: [(argument: OptionArgument, opts: QemuOpts)] = []
    /// QemuOpts devices, then JSON ones, in the order QEMU creates them.
    var devices: [(argument: OptionArgument, definition: DeviceDefinition)] { optsDevices + jsonDevices }
    private(set) var nics: [(argument: OptionArgument, opts: QemuOpts)] = []
    private(set) var nets: [(argument: OptionArgument, opts: QemuOpts)] = []
    private(set) var objects: [(argument: OptionArgument, object: ObjectDefinition, isJSON: Bool)] = []
    /// The `-machine` options merged, when there is one: only `x-remote`.
    private(set) var machine: RemoteMachine?
    /// Warnings raised while reading, in command-line order.
    private(set) var warnings: [String] = []
    /// The answer to an option that asked for help; nothing after it is read.
    private(set) var help: HelpAnswer?

    private var optsDevices: [(argument: OptionArgument, definition: DeviceDefinition)] = []
    private var jsonDevices: [(argument: OptionArgument, definition: DeviceDefinition)] = []
    /// The ids taken in each QemuOpts list, by list name.
    private var ids: [OptionArgument.Kind: Set<String>] = [:]

    /// Reads one option as the `qemu_init()` loop does.
    mutating func declare(_ argument: OptionArgument) throws(OptionError) {
        try argument.attributing { () throws(OptionDiagnostic) in
            switch argument.kind {
            case .netdev:
                if let definition = try Self.modernNetdev(argument.value) {
                    modernNetdevs.append((argument, definition))
                } else {
                    netdevs.append((argument, try parse(argument)))
                }
            case .device:
                if argument.value.hasPrefix("{") {
                    jsonDevices.append((argument, DeviceDefinition(json: try Self.jsonObject(argument.value))))
                } else {
                    optsDevices.append((argument, DeviceDefinition(try parse(argument, impliedName: "driver"))))
                }
            case .nic:
                nics.append((argument, try parse(argument)))
            case .net:
                nets.append((argument, try parse(argument)))
            case .object:
                if let object = try object(argument) {
                    objects.append((argument, object, argument.value.hasPrefix("{")))
                }
            case .machine:
                // qemu_opts_set(): `-machine` options merge into one, implied key `type`.
                var reader = OptionReader(QemuOpts(parsing: argument.value, impliedName: "type"))
                machine = try RemoteMachine(reading: &reader, over: machine)
            }
        }
    }

    /// `qemu_opts_parse_noisily()`: the id claimed in the option's list
    /// (`qemu_opts_create()`), then the items and their warnings
    /// (`opts_do_parse()`), which an id refused leaves unprinted.
    private mutating func parse(
        _ argument: OptionArgument, impliedName: String = "type"
    ) throws(OptionDiagnostic) -> QemuOpts {
        let opts = QemuOpts(parsing: argument.value, impliedName: impliedName)
        if let id = opts.id {
            guard id.isQemuIdentifier else { throw .malformedIdentifier }
            guard ids[argument.kind, default: []].insert(id).inserted else {
                throw OptionDiagnostic("Duplicate ID '\(id)' for \(argument.kind.rawValue)")
            }
        }
        warnings += opts.warnings.map(argument.warning)
        return opts
    }

    /// `object_option_parse()`: QemuOpts or JSON, typed against
    /// `ObjectOptions`; nil when the option asked for help, now in `help`.
    private mutating func object(_ argument: OptionArgument) throws(OptionDiagnostic) -> ObjectDefinition? {
        if argument.value.hasPrefix("{") {
            var reader = OptionReader(try Self.jsonObject(argument.value), syntax: .json)
            return try ObjectDefinition(reading: &reader)
        }
        let opts = try parse(argument, impliedName: "qom-type")
        // user_creatable_print_help(): help for the types, or for one type's
        // properties; help for another type is read as any option is.
        let type = opts.items.last { $0.name == "qom-type" }?.value
        guard let type else { throw .missingParameter("qom-type") }
        if DeviceDefinition.isHelp(type) {
            help = .objectTypes
            return nil
        }
        let asksForHelp = opts.items.contains { DeviceDefinition.isHelp($0.name) }
        if asksForHelp, let properties = HelpAnswer.objectProperties(of: type) {
            help = properties
            return nil
        }
        var reader = OptionReader(opts)
        // Help for a type TapRing lacks is refused by name, its members unread.
        return try ObjectDefinition(reading: &reader, typingMembers: !asksForHelp)
    }

    /// `netdev_is_modern()`, then `netdev_parse_modern()`: JSON, or a
    /// QemuOpts string whose `type` is `stream` or `dgram`, read as keyval;
    /// nil for a legacy `-netdev`.
    private static func modernNetdev(_ text: String) throws(OptionDiagnostic) -> NetdevDefinition? {
        var reader: OptionReader
        if text.hasPrefix("{") {
            reader = OptionReader(try jsonObject(text), syntax: .json)
        } else {
            let type = QemuOpts(parsing: text).items.last { $0.name == "type" }?.value
            guard type == "stream" || type == "dgram" else { return nil }
            reader = OptionReader(try Keyval.parse(text, impliedKey: "type"), syntax: .keyval)
        }
        return try NetdevDefinition(reading: &reader)
    }

    /// The JSON object an option starting with `{` holds.
    private static func jsonObject(_ text: String) throws(OptionDiagnostic) -> QDict {
        // Text that starts with `{` parses to an object or fails.
        guard case .dictionary(let dictionary) = try JSONParser.parse(text) else {
            preconditionFailure("JSON starting with { is an object")
        }
        return dictionary
    }
}
