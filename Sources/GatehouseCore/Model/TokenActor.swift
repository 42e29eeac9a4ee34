import Foundation

/// Who acts for the subject of an exchanged token: the `act` claim of RFC 8693 §4.1.
///
/// "The act (actor) claim provides a means within a JWT to express that delegation has occurred
/// and identify the acting party to whom authority has been delegated." A chain of delegation is
/// nested: "the outermost act claim represents the current actor while nested act claims represent
/// prior actors". ``subjects`` holds that chain, current actor first.
public struct TokenActor: Sendable, Hashable {
    /// The `sub` of the current actor, then of each prior actor; never empty.
    public let subjects: [String]

    /// - Returns: `nil` for an empty chain.
    public init?(subjects: [String]) {
        guard !subjects.isEmpty else { return nil }
        self.subjects = subjects
    }

    /// The current actor, with `prior` as the actors before it (RFC 8693 §4.1).
    public init(subject: String, prior: TokenActor? = nil) {
        self.subjects = [subject] + (prior?.subjects ?? [])
    }

    /// The claim's value: `{"sub":"…","act":{"sub":"…"}}`, nested for each prior actor.
    public var json: String {
        var nested: String?
        for subject in subjects.reversed() {
            var writer = JSONWriter()
            writer.add("sub", subject)
            if let nested { writer.add("act", json: nested) }
            nested = writer.finish()
        }
        return nested ?? "{}"
    }

    /// Reads a claim's value as JSON decodes it (a dictionary with `sub`, maybe `act`).
    /// - Returns: `nil` when the value is not such an object.
    public init?(claim value: Any?) {
        var subjects: [String] = []
        var current = value
        while let object = current as? [String: Any] {
            guard let subject = object["sub"] as? String, subjects.count < Self.maximumDepth else { return nil }
            subjects.append(subject)
            current = object["act"]
        }
        guard current == nil else { return nil }
        self.init(subjects: subjects)
    }

    /// How deep a chain may nest: deeper ones are refused rather than followed.
    public static let maximumDepth = 8

    /// The column form: a JSON array of the subjects, current actor first.
    public var column: String {
        var result = "["
        for (index, subject) in subjects.enumerated() {
            if index > 0 { result += "," }
            JSONWriter.appendQuoted(subject, to: &result)
        }
        return result + "]"
    }

    /// Reads the column form.
    /// - Returns: `nil` for `nil` or anything but a non-empty JSON array of strings.
    public init?(column: String?) {
        guard let column, let data = column.data(using: .utf8),
            let subjects = (try? JSONSerialization.jsonObject(with: data)) as? [String]
        else { return nil }
        self.init(subjects: subjects)
    }
}
