/// An option string parsed the way QEMU 7.2's `keyval_parse()` parses it
/// (`util/keyval.c`), as `-netdev stream` and `-netdev dgram` are:
///
/// - items are `key=value`, separated by `,`, with `,,` a literal comma;
/// - a key is dotted, `addr.host`, each fragment a QAPI name or, after the
///   first, an index; fragments build nested dictionaries;
/// - the first item may omit its key, which is then the implied key, and
///   its value ends at the first `,` or `=`, unescaped;
/// - any other item without `=` is an error, except `help` and `?`;
/// - a repeated key replaces the earlier value;
/// - a dictionary whose keys are all indices becomes a list (`keyval_listify()`).
enum Keyval {
    /// Parses `text`, rejecting help requests as `qobject_input_visitor_new_str()` does.
    static func parse(_ text: String, impliedKey: String) throws(OptionDiagnostic) -> QDict {
        var scanner = KeyvalScanner(Array(text.utf8))
        var root = QDict()
        var help = false
        var implied: String? = impliedKey
        while !scanner.atEnd {
            try scanner.parseOne(into: &root, impliedKey: implied, help: &help)
            implied = nil
        }
        if help { throw OptionDiagnostic("Help is not available for this option") }
        return try listify(root, path: "")
    }

    /// `keyval_listify()`: turns every dictionary of indices into a list.
    private static func listify(_ dict: QDict, path: String) throws(OptionDiagnostic) -> QDict {
        var result = QDict()
        for entry in dict.entries {
            guard case .dictionary(let child) = entry.value else {
                result[entry.key] = entry.value
                continue
            }
            let childPath = path + entry.key
            let listified = try listify(child, path: childPath + ".")
            let indices = listified.entries.map { KeyvalScanner.index(Array($0.key.utf8)[...]) }
            if indices.allSatisfy({ $0 == nil }) {
                result[entry.key] = .dictionary(listified)
                continue
            }
            guard indices.allSatisfy({ $0 != nil }) else {
                throw OptionDiagnostic("Parameters '\(childPath).*' used inconsistently")
            }
            var elements: [QObject] = []
            for position in listified.entries.indices {
                guard let element = listified.entries.first(where: {
                    KeyvalScanner.index(Array($0.key.utf8)[...]) == position
                }) else {
                    throw OptionDiagnostic("Parameter '\(childPath).\(position)' missing")
                }
                elements.append(element.value)
            }
            result[entry.key] = .list(elements)
        }
        return result
    }
}

/// Walks a keyval string item by item, as `keyval_parse_one()` walks its `char *`.
private struct KeyvalScanner {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var atEnd: Bool { position >= bytes.count }

    /// `keyval_parse_one()`: reads one item into `root`.
    mutating func parseOne(into root: inout QDict, impliedKey: String?, help: inout Bool) throws(OptionDiagnostic) {
        let start = position
        let length = bytes[start...].prefix { $0 != .equals && $0 != .comma }.count
        let itemEnd = start + length
        if length > 0, itemEnd == bytes.count || bytes[itemEnd] != .equals {
            let word = bytes[start..<itemEnd]
            if word.elementsEqual("help".utf8) || word.elementsEqual("?".utf8) {
                help = true
                position = itemEnd < bytes.count ? itemEnd + 1 : itemEnd
                return
            }
            if let impliedKey {
                let value = String(decoding: word, as: UTF8.self)
                position = itemEnd < bytes.count ? itemEnd + 1 : itemEnd
                try Self.put(.string(value), at: [impliedKey][...], typed: "", in: &root)
                return
            }
        }

        let fragments = try keyFragments(from: start, keyEnd: itemEnd)
        let key = String(decoding: bytes[start..<itemEnd], as: UTF8.self)
        guard itemEnd < bytes.count, bytes[itemEnd] == .equals else {
            throw OptionDiagnostic("Expected '=' after parameter '\(key)'")
        }
        position = itemEnd + 1
        let value = readValue()
        if fragments.count > Self.deepestNesting {
            // Deeper than any option goes: kept as a dictionary at the
            // deepest level, which no option expects either.
            try Self.put(.dictionary(QDict()), at: fragments.prefix(Self.deepestNesting), typed: "", in: &root)
        } else {
            try Self.put(.string(value), at: fragments[...], typed: "", in: &root)
        }
    }

    /// How deep a key's fragments build dictionaries. QEMU's options go a
    /// few levels deep; a hostile key of thousands of fragments must cost
    /// neither stack (`put` and `listify` recurse) nor quadratic memory.
    static let deepestNesting = 64

    /// The dotted fragments of the key in `start..<keyEnd`, each checked.
    private func keyFragments(from start: Int, keyEnd: Int) throws(OptionDiagnostic) -> [String] {
        let key = String(decoding: bytes[start..<keyEnd], as: UTF8.self)
        var fragments: [String] = []
        var cursor = start
        while true {
            let rest = bytes[cursor..<keyEnd]
            let length = cursor != start && Self.index(rest) != nil
                ? rest.prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }.count
                : Self.qapiNameLength(rest)
            guard length > 0, cursor + length == keyEnd || bytes[cursor + length] == .dot else {
                throw OptionDiagnostic("Invalid parameter '\(key)'")
            }
            guard length < 128 else {
                let whole = cursor == start && cursor + length == keyEnd
                throw OptionDiagnostic(
                    "Parameter\(whole ? "" : " fragment") '\(String(decoding: rest.prefix(length), as: UTF8.self))'"
                        + " is too long")
            }
            fragments.append(String(decoding: rest.prefix(length), as: UTF8.self))
            cursor += length
            guard cursor < keyEnd else { return fragments }
            cursor += 1  // the `.`
        }
    }

    /// Reads a value up to the next single `,`, turning each `,,` into `,`.
    private mutating func readValue() -> String {
        var value: [UInt8] = []
        while position < bytes.count {
            if bytes[position] == .comma {
                position += 1
                guard position < bytes.count, bytes[position] == .comma else { break }
            }
            value.append(bytes[position])
            position += 1
        }
        return String(decoding: value, as: UTF8.self)
    }

    /// `keyval_parse_put()` along a path: every fragment but the last names a
    /// dictionary, the last a string; a slot holding the other kind is an error.
    private static func put(
        _ value: QObject, at path: ArraySlice<String>, typed: String, in dict: inout QDict
    ) throws(OptionDiagnostic) {
        guard let key = path.first else { return }
        let typedKey = typed.isEmpty ? key : "\(typed).\(key)"
        if path.count == 1 {
            if case .dictionary = dict[key] {
                throw OptionDiagnostic("Parameters '\(typedKey).*' used inconsistently")
            }
            dict[key] = value
            return
        }
        var child = QDict()
        switch dict[key] {
        case nil: break
        case .dictionary(let existing): child = existing
        default: throw OptionDiagnostic("Parameters '\(typedKey).*' used inconsistently")
        }
        try put(value, at: path.dropFirst(), typed: typedKey, in: &child)
        dict[key] = .dictionary(child)
    }

    /// `key_to_index()`: a fragment that starts with a digit, as a list index.
    static func index(_ fragment: ArraySlice<UInt8>) -> Int? {
        guard let first = fragment.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return nil }
        let digits = fragment.prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        return Int(String(decoding: digits, as: UTF8.self)) ?? Int(Int32.max)
    }

    /// `parse_qapi_name()`: the length of the QAPI name `fragment` starts
    /// with (a letter, then letters, digits, `-` and `_`), or 0.
    private static func qapiNameLength(_ fragment: ArraySlice<UInt8>) -> Int {
        guard let first = fragment.first, first.isASCIILetter else { return 0 }
        return 1 + fragment.dropFirst().prefix {
            $0.isASCIILetter || $0.isASCIIDigit || $0 == .dash || $0 == .underscore
        }.count
    }
}

extension UInt8 {
    fileprivate static let comma = UInt8(ascii: ",")
    fileprivate static let equals = UInt8(ascii: "=")
    fileprivate static let dot = UInt8(ascii: ".")
    fileprivate static let dash = UInt8(ascii: "-")
    fileprivate static let underscore = UInt8(ascii: "_")

    fileprivate var isASCIILetter: Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self | 0x20) }
    fileprivate var isASCIIDigit: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) }
}
