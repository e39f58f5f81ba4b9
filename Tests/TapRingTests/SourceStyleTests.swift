import Foundation
import Testing

/// The Swift sources hold to `.editorconfig`: lines no longer than its
/// `max_line_length`, indented with spaces, no trailing whitespace, a final
/// newline.
@Suite struct SourceStyleTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `max_line_length` of the `[*.swift]` section.
    static func maximumLineLength() throws -> Int {
        let text = try String(contentsOf: root.appendingPathComponent(".editorconfig"), encoding: .utf8)
        var inSwiftSection = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("[") { inSwiftSection = line == "[*.swift]" }
            let parts = line.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
            if inSwiftSection, parts.count == 2, parts[0] == "max_line_length", let value = Int(parts[1]) {
                return value
            }
        }
        throw StyleError(".editorconfig has no max_line_length for [*.swift]")
    }

    @Test func swiftFilesHoldToTheEditorConfig() throws {
        let limit = try Self.maximumLineLength()
        var checked = 0
        var problems: [String] = []
        for folder in ["Sources", "Tests", "Fuzz/Sources", "Benchmarks/Benchmarks"] {
            let base = Self.root.appendingPathComponent(folder)
            let files = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
                let path = "\(folder)/\(file)"
                if !text.hasSuffix("\n") { problems.append("\(path): no final newline") }
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    if line.count > limit { problems.append("\(path):\(number + 1): \(line.count) characters") }
                    if line.last == " " || line.last == "\t" {
                        problems.append("\(path):\(number + 1): trailing whitespace")
                    }
                    if line.hasPrefix("\t") { problems.append("\(path):\(number + 1): indented with a tab") }
                }
                checked += 1
            }
        }
        #expect(checked > 200, "the sources were found: \(checked) files")
        let listed = problems.prefix(40).joined(separator: "\n")
        #expect(problems.isEmpty, "\(problems.count) lines break .editorconfig:\n\(listed)")
    }

    struct StyleError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
