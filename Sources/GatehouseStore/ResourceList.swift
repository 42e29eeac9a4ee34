/// How a list of resources (RFC 8707) is kept in one column: space-separated, as an absolute URI
/// holds no white space, and NULL for none.
enum ResourceList {
    static func column(_ resources: [String]) -> String? {
        resources.isEmpty ? nil : resources.joined(separator: " ")
    }

    static func resources(_ column: String?) -> [String] {
        column.map { $0.split(separator: " ").map(String.init) } ?? []
    }
}
