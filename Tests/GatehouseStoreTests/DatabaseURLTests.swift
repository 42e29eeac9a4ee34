import GatehouseStore
import Testing

@Suite("Database URLs")
struct DatabaseURLTests {
    @Test("sqlite and postgres URLs parse")
    func parses() throws {
        #expect(try DatabaseURL(parsing: "sqlite:gatehouse.sqlite") == .sqlite(path: "gatehouse.sqlite"))
        #expect(try DatabaseURL(parsing: "sqlite:///tmp/x.db") == .sqlite(path: "/tmp/x.db"))
        guard case .postgres(let settings) = try DatabaseURL(parsing: "postgres://u:p%40ss@db.local:6543/gh?sslmode=disable") else {
            Issue.record("not postgres")
            return
        }
        #expect(settings.host == "db.local")
        #expect(settings.port == 6543)
        #expect(settings.username == "u")
        #expect(settings.database == "gh")
        #expect(settings.tlsMode == "disable")
    }

    @Test(
        "malformed URLs are refused with a message",
        arguments: ["", "sqlite:", "mysql://u@h/db", "postgres://h/db", "postgres://u@h", "postgres://u@h/db?sslmode=maybe", "nonsense"]
    )
    func refuses(url: String) {
        #expect(throws: DatabaseURLError.self) { try DatabaseURL(parsing: url) }
    }

    @Test("the description hides the password")
    func hidesPassword() throws {
        let url = try DatabaseURL(parsing: "postgres://u:secret@h:5432/db")
        #expect(!url.description.contains("secret"))
    }
}
