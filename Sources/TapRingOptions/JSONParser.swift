/// JSON text parsed the way QEMU 7.2's `qobject_from_json()` parses it
/// (`qobject/json-lexer.c`, `json-streamer.c`, `json-parser.c`), with its
/// error texts: `JSON parse error, missing : in object pair`.
///
/// QEMU's dialect: strings may be single-quoted, keys must not repeat, an
/// integer is kept exact when it fits 64 bits, and the text must hold one value.
enum JSONParser {
    static func parse(_ text: String) throws(OptionDiagnostic) -> QObject {
        var lexer = JSONLexer(Array(text.utf8))
        var result: QObject?
        // json-streamer.c: tokens are gathered until the brackets balance,
        // then parsed; every value or error after the first is one too many.
        while true {
            var tokens: [JSONToken] = []
            var depth = 0
            var size = 0
            repeat {
                guard let token = try lexer.next(afterValue: result != nil) else { break }
                tokens.append(token)
                depth += token.depthChange
                size += token.text.count
                // json-streamer.c's limits, which also bound the parser's recursion.
                if depth > maximumNesting { throw OptionDiagnostic("JSON nesting depth limit exceeded") }
                if size > maximumTokenSize { throw OptionDiagnostic("JSON token size limit exceeded") }
                if tokens.count > maximumTokenCount { throw OptionDiagnostic("JSON token count limit exceeded") }
            } while depth > 0
            guard !tokens.isEmpty else { break }
            if result != nil { throw OptionDiagnostic("Expecting at most one JSON value") }
            var parser = TokenParser(tokens: tokens)
            result = try parser.value()
            if depth < 0 || parser.hasMore { throw OptionDiagnostic("Expecting at most one JSON value") }
        }
        guard let result else { throw parseError("premature EOI") }
        return result
    }

    /// `MAX_NESTING`, `MAX_TOKEN_SIZE` and `MAX_TOKEN_COUNT` of QEMU's json-streamer.c.
    static let maximumNesting = 1 << 10
    static let maximumTokenSize = 64 << 20
    static let maximumTokenCount = 2 << 20

    static func parseError(_ text: String) -> OptionDiagnostic {
        OptionDiagnostic("JSON parse error, \(text)")
    }
}

private struct JSONToken {
    enum Kind: Equatable {
        case leftBrace, rightBrace, leftBracket, rightBracket, colon, comma
        case string, integer, float, keyword
    }

    var kind: Kind
    /// The token's text as typed, quotes included.
    var text: [UInt8]

    var depthChange: Int {
        switch kind {
        case .leftBrace, .leftBracket: 1
        case .rightBrace, .rightBracket: -1
        default: 0
        }
    }
}

/// `json_lexer_feed_char()`: splits the text into tokens; a byte no token
/// can continue with ends the parse as `stray '<token so far>'`.
private struct JSONLexer {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The next token, or nil at the end. Once a value is complete, a lexer
    /// error is reported as the extra value it starts.
    mutating func next(afterValue: Bool) throws(OptionDiagnostic) -> JSONToken? {
        while position < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[position]) { position += 1 }
        guard position < bytes.count else { return nil }
        let start = position
        do throws(OptionDiagnostic) {
            return try token(from: start)
        } catch {
            throw afterValue ? OptionDiagnostic("Expecting at most one JSON value") : error
        }
    }

    private mutating func token(from start: Int) throws(OptionDiagnostic) -> JSONToken {
        let byte = bytes[position]
        position += 1
        let single: [UInt8: JSONToken.Kind] = [
            UInt8(ascii: "{"): .leftBrace, UInt8(ascii: "}"): .rightBrace, UInt8(ascii: "["): .leftBracket,
            UInt8(ascii: "]"): .rightBracket, UInt8(ascii: ":"): .colon, UInt8(ascii: ","): .comma,
        ]
        if let kind = single[byte] { return JSONToken(kind: kind, text: [byte]) }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            while position < bytes.count, bytes[position] != byte {
                guard bytes[position] >= 0x20 else { throw stray(from: start, including: 1) }
                position += bytes[position] == UInt8(ascii: "\\") && position + 1 < bytes.count ? 2 : 1
            }
            guard position < bytes.count else { throw stray(from: start, including: 0) }
            position += 1
            return JSONToken(kind: .string, text: Array(bytes[start..<position]))
        case UInt8(ascii: "a")...UInt8(ascii: "z"):
            while position < bytes.count, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[position]) {
                position += 1
            }
            return JSONToken(kind: .keyword, text: Array(bytes[start..<position]))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            position -= 1
            return try number(from: start)
        default:
            throw stray(from: start, including: 0)
        }
    }

    /// RFC 8259's number grammar, with QEMU's states: a leading zero may not
    /// be followed by a digit, and a sign, point or exponent needs digits.
    private mutating func number(from start: Int) throws(OptionDiagnostic) -> JSONToken {
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, bytes[position].isDigit else { throw stray(from: start, including: 1) }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, bytes[position].isDigit { throw stray(from: start, including: 1) }
        } else {
            skipDigits()
        }
        var kind = JSONToken.Kind.integer
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, bytes[position].isDigit else { throw stray(from: start, including: 1) }
            skipDigits()
            kind = .float
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, bytes[position].isDigit else { throw stray(from: start, including: 1) }
            skipDigits()
            kind = .float
        }
        return JSONToken(kind: kind, text: Array(bytes[start..<position]))
    }

    private mutating func skipDigits() {
        while position < bytes.count, bytes[position].isDigit { position += 1 }
    }

    /// The error for the token begun at `start`, with `extra` more bytes
    /// (the one that broke it) when there is one.
    private func stray(from start: Int, including extra: Int) -> OptionDiagnostic {
        let end = min(bytes.count, position + extra)
        return JSONParser.parseError("stray '\(String(decoding: bytes[start..<end], as: UTF8.self))'")
    }
}

/// `json_parser_parse()`: one value from one balanced run of tokens.
private struct TokenParser {
    private let tokens: [JSONToken]
    private var position = 0

    init(tokens: [JSONToken]) {
        self.tokens = tokens
    }

    var hasMore: Bool { position < tokens.count }

    private mutating func pop() throws(OptionDiagnostic) -> JSONToken {
        guard position < tokens.count else { throw JSONParser.parseError("premature EOI") }
        defer { position += 1 }
        return tokens[position]
    }

    /// `parse_value()`.
    mutating func value() throws(OptionDiagnostic) -> QObject {
        let token = try pop()
        switch token.kind {
        case .leftBrace: return try object()
        case .leftBracket: return try array()
        case .string: return .string(try Self.string(token.text))
        case .integer, .float: return .number(Self.number(token))
        case .keyword:
            switch String(decoding: token.text, as: UTF8.self) {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            case let word: throw JSONParser.parseError("invalid keyword '\(word)'")
            }
        default:
            throw JSONParser.parseError("expecting value")
        }
    }

    /// `parse_object()` and `parse_pair()`.
    private mutating func object() throws(OptionDiagnostic) -> QObject {
        var dict = QDict()
        if position < tokens.count, tokens[position].kind == .rightBrace {
            position += 1
            return .dictionary(dict)
        }
        while true {
            guard case .string(let key) = try value() else {
                throw JSONParser.parseError("key is not a string in object")
            }
            guard try pop().kind == .colon else { throw JSONParser.parseError("missing : in object pair") }
            let member = try value()
            guard dict[key] == nil else { throw JSONParser.parseError("duplicate key") }
            dict[key] = member
            switch try pop().kind {
            case .rightBrace: return .dictionary(dict)
            case .comma: continue
            default: throw JSONParser.parseError("expected separator in dict")
            }
        }
    }

    /// `parse_array()`.
    private mutating func array() throws(OptionDiagnostic) -> QObject {
        var elements: [QObject] = []
        if position < tokens.count, tokens[position].kind == .rightBracket {
            position += 1
            return .list(elements)
        }
        while true {
            elements.append(try value())
            switch try pop().kind {
            case .rightBracket: return .list(elements)
            case .comma: continue
            default: throw JSONParser.parseError("expected separator in list")
            }
        }
    }

    /// `parse_string()`: the quotes dropped and the escapes applied.
    private static func string(_ text: [UInt8]) throws(OptionDiagnostic) -> String {
        var result: [UInt8] = []
        var index = 1
        let end = text.count - 1
        while index < end {
            let byte = text[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                result.append(byte)
                continue
            }
            let escape = text[index]
            index += 1
            let simple: [UInt8: UInt8] = [
                UInt8(ascii: "\""): 0x22, UInt8(ascii: "'"): 0x27, UInt8(ascii: "\\"): 0x5c, UInt8(ascii: "/"): 0x2f,
                UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0c, UInt8(ascii: "n"): 0x0a, UInt8(ascii: "r"): 0x0d,
                UInt8(ascii: "t"): 0x09,
            ]
            if let replacement = simple[escape] {
                result.append(replacement)
                continue
            }
            guard escape == UInt8(ascii: "u") else { throw JSONParser.parseError("invalid escape sequence in string") }
            let escapeStart = index - 2
            var scalar = hex4(text, at: index, end: end)
            index = min(index + 4, end)
            if let high = scalar, (0xd800...0xdbff).contains(high), index + 1 < end, text[index] == UInt8(ascii: "\\"),
               text[index + 1] == UInt8(ascii: "u"), let low = hex4(text, at: index + 2, end: end),
               (0xdc00...0xdfff).contains(low) {
                scalar = 0x10000 + ((high & 0x3ff) << 10) + (low & 0x3ff)
                index += 6
            }
            guard let scalar, let character = Unicode.Scalar(scalar) else {
                let typed = String(decoding: text[escapeStart..<index], as: UTF8.self)
                throw JSONParser.parseError("\(typed) is not a valid Unicode character")
            }
            result.append(contentsOf: String(character).utf8)
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// `cvt4hex()`: four hexadecimal digits, or nil.
    private static func hex4(_ text: [UInt8], at index: Int, end: Int) -> UInt32? {
        guard index + 4 <= end, text[index..<index + 4].allSatisfy({ $0.isHexDigit }) else { return nil }
        return UInt32(String(decoding: text[index..<index + 4], as: UTF8.self), radix: 16)
    }

    /// `parse_literal()`: an int64 if the integer fits, else a uint64, else a double.
    private static func number(_ token: JSONToken) -> QNum {
        let text = String(decoding: token.text, as: UTF8.self)
        if token.kind == .integer {
            if let value = Int64(text) { return .int(value) }
            if let value = UInt64(text) { return .uint(value) }
        }
        return .double(Double(text) ?? .nan)
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) }
    fileprivate var isHexDigit: Bool { isDigit || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self | 0x20) }
}
