/// One legacy option string, such as `tap,id=t0,ifname=tap0`, split into
/// items the way QEMU's `opts_parse()` splits it (`util/qemu-option.c`).
///
/// - Items are `key=value`, separated by `,`; a doubled `,,` is a literal
///   comma inside a value, and a value may contain `=`.
/// - The first item may omit its key, which is then the implied key (`type`).
/// - Any later item without `=` is a deprecated short-form boolean:
///   `key` means `key=on` and `nokey` means `key=off`.
/// - The first `id=` names the option; every `id` item is left out of `items`.
struct QemuOpts: Equatable, Sendable {
    struct Item: Equatable, Sendable {
        var name: String
        var value: String
    }

    /// The first `id` item's value, as `opts_parse_id()` finds it.
    var id: String?
    /// Every other item, in the order typed.
    var items: [Item] = []
    /// Deprecation warnings for short-form booleans, in the order typed.
    var warnings: [String] = []

    init(parsing text: String, impliedName: String = "type") {
        let bytes = Array(text.utf8)

        // opts_parse_id() scans with no implied name, so even a first item
        // such as `tap,,id=a` yields its id (and the `type` then swallows it).
        var idScanner = ItemScanner(bytes)
        while id == nil, let token = idScanner.next(impliedName: nil) {
            if token.name == "id" { id = token.value }
        }

        var scanner = ItemScanner(bytes)
        var implied: String? = impliedName
        while let token = scanner.next(impliedName: implied) {
            implied = nil
            if let warning = token.deprecationWarning { warnings.append(warning) }
            if token.name != "id" { items.append(Item(name: token.name, value: token.value)) }
        }
    }
}

/// An item as `get_opt_name_value()` reads it.
private struct Token {
    var name: String
    var value: String
    /// The short-form boolean as typed (`vnet_hdr`, `novnet_hdr`), or nil for
    /// `key=value` and for the implied first item.
    var flag: String? = nil

    /// QEMU's two-line warning for a short-form boolean.
    var deprecationWarning: String? {
        // is_help_option(): `help` and `?` are no deprecated spellings.
        guard let flag, flag != "help", flag != "?" else { return nil }
        // QEMU's replacement for `delay` is `nodelay=`, the socket option's real name.
        let replacement = name == "delay" ? "nodelay=\(value == "off" ? "on" : "off")" : "\(name)=\(value)"
        return "short-form boolean option '\(flag)' deprecated\nPlease use \(replacement) instead"
    }
}

/// Walks an option string's UTF-8 bytes item by item, as QEMU walks its `char *`.
private struct ItemScanner {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads the next item, or returns nil at the end of the string.
    mutating func next(impliedName: String?) -> Token? {
        guard position < bytes.count else { return nil }
        let nameEnd = bytes[position...].firstIndex { $0 == .equals || $0 == .comma } ?? bytes.endIndex
        let token: Token
        if nameEnd < bytes.endIndex && bytes[nameEnd] == .equals {
            let name = text(position..<nameEnd)
            position = nameEnd + 1
            token = Token(name: name, value: readValue())
        } else if let impliedName {
            token = Token(name: impliedName, value: readValue())
        } else {
            // A flag's name ends at the first `,`; it is never unescaped.
            let flagRange = position..<nameEnd
            let flag = text(flagRange)
            position = nameEnd
            if bytes[flagRange].starts(with: "no".utf8) {
                token = Token(name: text(flagRange.lowerBound + 2..<nameEnd), value: "off", flag: flag)
            } else {
                token = Token(name: flag, value: "on", flag: flag)
            }
        }
        if position < bytes.count { position += 1 }  // the `,` that ended the item
        return token
    }

    /// Reads a value up to the next single `,`, turning each `,,` into `,`
    /// (get_opt_value()).
    private mutating func readValue() -> String {
        var value: [UInt8] = []
        while position < bytes.count {
            if bytes[position] == .comma {
                guard position + 1 < bytes.count, bytes[position + 1] == .comma else { break }
                position += 1
            }
            value.append(bytes[position])
            position += 1
        }
        return String(decoding: value, as: UTF8.self)
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}

extension UInt8 {
    fileprivate static let comma = UInt8(ascii: ",")
    fileprivate static let equals = UInt8(ascii: "=")
}
