import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the keys that sign JWT access tokens.",
        subcommands: [Rotate.self, List.self]
    )

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new signing key. Running servers sign with it within key_refresh_interval; the old key stays in the JWKS until its tokens expire."
        )

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            _ = loggingBootstrap
            let settings = try await Settings.load(options: options)
            let key = try await settings.withStore(logger: settings.makeLogger()) { store in
                let ring = settings.keyRing(store: store)
                do {
                    _ = try await ring.keys(forceReload: true)
                } catch let error as KeyEncryptionError {
                    throw CLIError("\(error)")
                }
                return try await ring.rotate()
            }
            print("new signing key \(key.kid) (ES256)\(settings.keyEncryption.isEnabled ? ", encrypted at rest" : "")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List signing keys: the signing one and those still published.")

        @OptionGroup var options: GlobalOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            _ = loggingBootstrap
            let settings = try await Settings.load(options: options)
            let (all, published) = try await settings.withStore(logger: settings.makeLogger()) { store in
                let ring = settings.keyRing(store: store)
                do {
                    return (try await ring.keys(forceReload: true), Set(try await ring.publishedKeys().map(\.kid)))
                } catch let error as KeyEncryptionError {
                    throw CLIError("\(error)")
                }
            }
            let rows = all.enumerated().map { index, key in
                let status = index == all.count - 1 ? "signing" : published.contains(key.kid) ? "published" : "retired"
                return (kid: key.kid, created: Int(key.createdAt.timeIntervalSince1970), status: status)
            }
            if json {
                print(ClientOutput.encode(rows.map { ["kid": $0.kid, "created_at": String($0.created), "status": $0.status] }))
            } else if rows.isEmpty {
                print("no signing keys (one is created when the server starts)")
            } else {
                let formatter = ISO8601DateFormatter()
                for row in rows {
                    print("\(row.kid)  \(formatter.string(from: Date(timeIntervalSince1970: TimeInterval(row.created))))  \(row.status)")
                }
            }
        }
    }
}

extension Settings {
    func keyRing(store: SQLStore) -> KeyRing {
        KeyRing(
            store: store, encryption: keyEncryption, refreshInterval: server.keyRefreshInterval,
            accessTokenLifetime: server.accessTokenTTL
        )
    }
}
