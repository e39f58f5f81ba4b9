import Foundation
import Testing

/// libtapring.so is tapring.h and nothing more: the Swift engine behind it,
/// the harnesses and the runtime glue stay inside (CShims/CTapRing/exports.map).
@Suite struct LibraryExportsTests {
    @Test func theLibraryExportsExactlyTheFunctionsOfTheHeader() throws {
        let library = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("libTapRingC.so").path
        let header = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("CShims/CTapRing/include/tapring.h").path
        let declared = Set(try String(contentsOfFile: header, encoding: .utf8)
            .matches(of: /\b(tapring_[a-z0-9_]+)\(/).map { String($0.output.1) })
        #expect(declared.count >= 19, "the header's functions were found: \(declared.count)")
        // Defined, global or weak: what another object can link against.
        let exported = Set(try Kernel.run("/usr/bin/nm", ["--dynamic", "--defined-only", "--extern-only", library])
            .split(separator: "\n").compactMap { line -> String? in
                let fields = line.split(separator: " ")
                return fields.count == 3 ? String(fields[2]) : nil
            })
        let extra = exported.subtracting(declared).sorted().prefix(20)
        let missing = declared.subtracting(exported).sorted()
        #expect(exported == declared,
                "exported but not in tapring.h: \(extra); in tapring.h but not exported: \(missing)")
    }
}
