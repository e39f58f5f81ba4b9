import Foundation
import Testing

/// The direction of the module graph, checked on the sources: each module
/// imports only the project modules below it. SwiftPM already refuses an
/// import of a module a target does not depend on; this also catches a
/// dependency added in Package.swift that runs upward, and a module added
/// without a place in the order.
@Suite struct ModuleGraphTests {
    /// Each module of `Sources/` and the project modules it may import.
    static let allowed: [String: Set<String>] = [
        "TapRingOptions": [],
        "TapRingPlan": ["TapRingOptions"],
        "TapRing": ["TapRingOptions", "TapRingPlan", "CURing", "CLinux"],
        "TapRingQTest": ["TapRing", "TapRingOptions", "TapRingPlan"],
        "TapRingHarness": ["TapRing", "TapRingOptions", "TapRingPlan", "TapRingQTest", "CLinux"],
        "TapRingC": ["TapRing", "TapRingOptions", "TapRingPlan", "CTapRing"],
        "tapring": ["TapRing", "TapRingOptions", "TapRingPlan", "TapRingQTest", "TapRingHarness", "CLinux"],
    ]
    static let projectModules = Set(allowed.keys).union(["CURing", "CLinux", "CTapRing"])

    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    @Test func everyModuleHasAPlaceInTheOrder() throws {
        let modules = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path)
        #expect(Set(modules) == Set(Self.allowed.keys))
    }

    @Test func noModuleImportsOneAboveIt() throws {
        var checked = 0
        for (module, allowed) in Self.allowed {
            let folder = Self.sources.appendingPathComponent(module)
            let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for imported in Self.imports(in: text) where Self.projectModules.contains(imported) {
                    #expect(allowed.contains(imported), "\(module)/\(file) imports \(imported)")
                }
                checked += 1
            }
        }
        #expect(checked > 100, "the sources were found: \(checked) files")
    }

    /// The module of each `import` line, attributes such as `@_exported`
    /// or `@_spi(...)` and kinds such as `struct` left out.
    static func imports(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ").filter { !$0.hasPrefix("@") }
            guard words.first == "import", words.count >= 2 else { return nil }
            let name = words.count >= 3 && ["struct", "class", "enum", "func", "typealias"].contains(words[1])
                ? words[2] : words[1]
            return String(name.split(separator: ".").first ?? name)
        }
    }
}
