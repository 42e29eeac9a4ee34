import Foundation
import Testing

/// Issue 9: every row of SPEC.md's tables has a test that names it, and a documented row without
/// one fails the run. SPEC.md says what the rows are, ``SpecRows`` gives each an id, and the test
/// sources name the ids (read here as text, since the tests of other targets are not linked).
@Suite("SPEC.md rows are each named by a test")
struct SpecCoverageTests {
    @Test(
        "every row of SPEC.md's checked sections has one entry in SpecRows, and every entry starts one row",
        .enabled(if: SpecDocument.isAvailable, "SPEC.md is not at ../shared/spec/SPEC.md beside the package: its rows are not checked")
    )
    func everyRowHasAnID() throws {
        let document = try SpecDocument.load(sections: SpecRows.sections)
        #expect(Set(document.rows.map(\.section)) == Set(SpecRows.sections), "a checked section has no rows: is SPEC.md's layout still the same?")
        for row in document.rows {
            let entries = SpecRows.all.filter { $0.section == row.section && row.text.hasPrefix($0.quote) }
            #expect(entries.count == 1, "SPEC.md row \(row) has \(entries.isEmpty ? "no entry" : "several entries \(entries)") in SpecRows")
        }
        for entry in SpecRows.all {
            let rows = document.rows.filter { $0.section == entry.section && $0.text.hasPrefix(entry.quote) }
            #expect(rows.count == 1, "SpecRows entry \(entry) starts \(rows.count) rows of SPEC.md \(rows)")
        }
    }

    @Test("row ids are unique and in the checked sections")
    func idsAreUnique() {
        let ids = SpecRows.all.map(\.id)
        #expect(Set(ids).count == ids.count, "\(Dictionary(grouping: ids, by: { $0 }).filter { $1.count > 1 }.keys.sorted())")
        #expect(SpecRows.all.allSatisfy { SpecRows.sections.contains($0.section) })
    }

    @Test("every row id is named by a test, and every id a test names is a row")
    func everyIDIsNamed() throws {
        let named = try TestSources.namedSpecRows()
        for entry in SpecRows.all {
            #expect(
                named[entry.id] != nil,
                "no test names \(entry): give a row of the test that proves it the argument spec: plus the id, or the test the trait .spec(id)"
            )
        }
        let known = Set(SpecRows.all.map(\.id))
        for (id, places) in named where !known.contains(id) {
            Issue.record("\(places.joined(separator: ", ")) names \(id), which is no id of SpecRows")
        }
    }

    @Test("SPEC.md's shapes are read as rows: table rows, list items, fenced blocks, titled paragraphs, mapping and failing clauses")
    func parser() {
        let markdown = """
            ## 5. Errors

            Headers:

            ```
            A: b
            C: d
            ```

            Status codes: 400 for every error except: 401 `invalid_client` (with a header; see RFC 6749 §5.2); 403 `insufficient_scope`. Prose (e.g. this) is no row.

            ## 6. Endpoints

            ### Token

            | situation | error |
            | --- | --- |
            | code unknown; or expired | `invalid_grant` |

            `token` missing → `invalid_request`. A page (400 in HTML) with no code is no row.

            A code works once: a second use fails with `invalid_grant`. Secrets (`client_secret`) are no row. Each is `https`; otherwise `invalid_redirect_uri`. Never wider (`invalid_target`). It expires (then 404).

            ## 7. Other

            - first item
              continued
            - second item

            **Titled.** A paragraph with a title.

            **Introduces a list:**

            ## 8. Not checked

            | a | b |
            | --- | --- |
            | c | d |
            """
        let rows = SpecDocument(markdown: markdown, sections: [5, 6, 7]).rows.map { "§\($0.section) \($0.heading)|\($0.text)" }
        #expect(
            rows == [
                "§5 |A: b C: d",
                "§5 |Status codes: 400 for every error except: 401 `invalid_client` (with a header; see RFC 6749 §5.2)",
                "§5 |403 `insufficient_scope`.",
                "§6 Token|code unknown; or expired | `invalid_grant`",
                "§6 Token|`token` missing → `invalid_request`.",
                "§6 Token|A code works once: a second use fails with `invalid_grant`.",
                "§6 Token|otherwise `invalid_redirect_uri`.",
                "§6 Token|Never wider (`invalid_target`).",
                "§6 Token|It expires (then 404).",
                "§7 |first item continued",
                "§7 |second item",
                "§7 |Titled. A paragraph with a title.",
            ])
    }
}

/// The test sources of the package, read as text.
enum TestSources {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    /// Every SPEC.md row id a test names, with the places (`File.swift:line`) that name it: a
    /// `spec: "id"` argument or a `.spec("id")` trait, outside line comments.
    static func namedSpecRows() throws -> [String: [String]] {
        let naming = #/(?:\bspec:\s*|\.spec\(\s*)"([^"\\]+)"/#
        var named: [String: [String]] = [:]
        guard let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return named }
        for case let file as URL in files where file.pathExtension == "swift" {
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                for match in line.matches(of: naming) {
                    named[String(match.output.1), default: []].append("\(file.lastPathComponent):\(index + 1)")
                }
            }
        }
        return named
    }
}
