import Foundation
import Yams

/// Refuses configuration keys Gatehouse does not know, naming the closest known one, as Hydra and
/// Keycloak do: a misspelt `acess_token_ttl` silently ignored would leave the default in force.
enum UnknownConfigurationKeys {
    /// - Throws: ``CLIError`` naming the first unknown top-level key of the file.
    static func refuse(inFile path: String, known: [String]) throws {
        let keys: [String]
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            if path.hasSuffix(".json") {
                let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
                keys = (object as? [String: Any]).map { Array($0.keys) } ?? []
            } else {
                keys = (try Yams.load(yaml: text) as? [String: Any]).map { Array($0.keys) } ?? []
            }
        } catch {
            throw CLIError("config file \(path) is not valid", error)
        }
        for key in keys.sorted() where !known.contains(key) {
            throw CLIError("config file \(path): unknown key \(key)\(suggestion(for: key, among: known))")
        }
    }

    /// Warnings for `GATEHOUSE_*` variables that look like a misspelt key. Only warnings, and only
    /// for near misses: the environment is shared with other programs and scripts that use the
    /// prefix for their own purposes (`GATEHOUSE_TEST_POSTGRES_URL`, `GATEHOUSE_BIN`).
    static func environmentWarnings(_ environment: [String: String], known: [String], others: Set<String>) -> [String] {
        let knownVariables = Set(known.map { "GATEHOUSE_" + $0.uppercased() }).union(others)
        return environment.keys.filter { $0.hasPrefix("GATEHOUSE_") && !knownVariables.contains($0) }.sorted().compactMap { name in
            let key = String(name.dropFirst("GATEHOUSE_".count)).lowercased()
            let hint = suggestion(for: key, among: known, prefix: "GATEHOUSE_")
            return hint.isEmpty ? nil : "\(name) is not a configuration variable\(hint)"
        }
    }

    private static func suggestion(for key: String, among known: [String], prefix: String = "") -> String {
        guard let (closest, distance) = known.map({ ($0, editDistance($0, key)) }).min(by: { $0.1 < $1.1 }),
            distance <= max(2, key.count / 3)
        else { return "" }
        let name = prefix.isEmpty ? closest : prefix + closest.uppercased()
        return "; did you mean \(name)?"
    }

    /// Levenshtein distance.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
