import Foundation
import GatehouseCore

/// SPEC.md read as the rows of its numbered sections: what a test has to name (see ``SpecRows``).
///
/// A row is, within a section,
/// - a row of a table (not its header),
/// - an item of a list,
/// - a fenced block (the §5 headers), as one row,
/// - a paragraph opening with a bold title (`**Consent.** …`), unless it only introduces a list,
/// - in any other paragraph, a clause (split at `;` and at sentence ends, outside parentheses) that
///   maps a situation to an answer: it holds `→` followed by a code span, or an error status (4xx,
///   5xx) together with an error code in a code span, like "`token` missing → `invalid_request`",
///   "403 `insufficient_scope`" or "a 400 page … shows `invalid_request`"; or that names a
///   failure by a code of the error catalog ("fails with `invalid_grant`", "otherwise
///   `invalid_redirect_uri`", "never widen them (`invalid_target`)") or by a status alone
///   ("(then 404)").
struct SpecDocument: Sendable {
    struct Row: Sendable, CustomStringConvertible {
        let section: Int
        /// The `###` heading the row stands under, if any.
        let heading: String
        /// The row's text, whitespace collapsed; a table row's cells joined by ` | `.
        let text: String

        var description: String { "§\(section)\(heading.isEmpty ? "" : " \(heading)"): \(text)" }
    }

    let rows: [Row]

    /// SPEC.md beside the repository, as `scripts/test` and CI lay them out
    /// (`../shared/spec/SPEC.md` from the package root).
    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/spec/SPEC.md").standardizedFileURL

    static var isAvailable: Bool { FileManager.default.fileExists(atPath: url.path) }

    static func load(sections: [Int]) throws -> SpecDocument {
        SpecDocument(markdown: try String(contentsOf: url, encoding: .utf8), sections: Set(sections))
    }

    init(markdown: String, sections: Set<Int>) {
        var rows: [Row] = []
        var section: Int?
        var heading = ""
        var paragraph: [String] = []
        var item: [String]?
        var fence: [String]?
        var tableHeaderSeen = false

        func add(_ text: String) {
            guard let section, sections.contains(section) else { return }
            rows.append(Row(section: section, heading: heading, text: Self.collapse(text)))
        }
        func endItem() {
            if let lines = item { add(lines.joined(separator: " ")) }
            item = nil
        }
        func endParagraph() {
            defer { paragraph = [] }
            guard !paragraph.isEmpty else { return }
            let text = Self.collapse(paragraph.joined(separator: " "))
            if text.hasPrefix("**") {
                let titled = text.replacingOccurrences(of: "**", with: "")
                if !titled.hasSuffix(":") { add(titled) }
            } else {
                for clause in Self.clauses(of: text) where Self.mapsSituationToAnswer(clause) { add(clause) }
            }
        }

        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if var lines = fence {
                if line.hasPrefix("```") {
                    add(lines.joined(separator: " "))
                    fence = nil
                } else {
                    lines.append(line)
                    fence = lines
                }
                continue
            }
            if line.hasPrefix("## ") {
                endItem()
                endParagraph()
                section = Int(line.dropFirst(3).prefix { $0.isNumber })
                heading = ""
            } else if line.hasPrefix("### ") {
                endItem()
                endParagraph()
                heading = String(line.dropFirst(4))
            } else if line.hasPrefix("```") {
                endItem()
                endParagraph()
                fence = []
            } else if line.hasPrefix("|") {
                endItem()
                endParagraph()
                let cells = line.trimmingCharacters(in: .whitespaces).dropFirst().dropLast()
                    .split(separator: "|", omittingEmptySubsequences: false)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                if cells.allSatisfy({ $0.allSatisfy { "-: ".contains($0) } }) { continue }
                if tableHeaderSeen { add(cells.joined(separator: " | ")) }
                tableHeaderSeen = true
                continue
            } else if line.hasPrefix("- ") {
                endItem()
                endParagraph()
                item = [String(line.dropFirst(2))]
            } else if line.hasPrefix("  "), var lines = item {
                lines.append(line)
                item = lines
            } else if line.trimmingCharacters(in: .whitespaces).isEmpty {
                endItem()
                endParagraph()
            } else {
                endItem()
                paragraph.append(line)
            }
            tableHeaderSeen = false
        }
        endItem()
        endParagraph()
        self.rows = rows
    }

    private static func collapse(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The clauses of a paragraph: split at `;` and at a sentence's end, never inside parentheses
    /// or code spans ("e.g." ends no sentence).
    private static func clauses(of text: String) -> [String] {
        var clauses: [String] = []
        var current = ""
        var depth = 0
        var inCode = false
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            current.append(character)
            switch character {
            case "`": inCode.toggle()
            case "(" where !inCode: depth += 1
            case ")" where !inCode: depth = max(0, depth - 1)
            case ";" where !inCode && depth == 0:
                clauses.append(String(current.dropLast()))
                current = ""
            case "." where !inCode && depth == 0:
                let atEnd = index + 1 == characters.count || characters[index + 1] == " "
                if atEnd && !current.hasSuffix("e.g.") && !current.hasSuffix("i.e.") {
                    clauses.append(current)
                    current = ""
                }
            default: break
            }
        }
        clauses.append(current)
        return clauses.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private static func mapsSituationToAnswer(_ clause: String) -> Bool {
        if clause.contains("→ `") { return true }
        let errorStatus = #/\b[45][0-9]{2}\b/#
        let errorCode = #/`[0-9 ]*[a-z]+(_[a-z]+)+`/#
        if clause.contains(errorStatus) && clause.contains(errorCode) { return true }
        let failure = #/(?:fails with |otherwise |\()`([a-z_]+)`/#
        let catalog = Set(ErrorCatalog.entries.map(\.code.rawValue))
        if clause.matches(of: failure).contains(where: { catalog.contains(String($0.output.1)) }) { return true }
        return clause.contains(#/\(then [45][0-9]{2}\)/#)
    }
}
