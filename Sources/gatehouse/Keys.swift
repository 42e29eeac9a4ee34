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
            abstract:
                "Add a new signing key. It is published at once and signs after two key_refresh_intervals; the old key stays in the JWKS until its tokens expire."
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
            settings.audit(.keysRotated)
            let activation = Date(timeIntervalSince1970: key.createdAt.timeIntervalSince1970 + TimeInterval(2 * settings.server.keyRefreshInterval))
            print(
                "new signing key \(key.kid) (ES256)\(settings.keyEncryption.isEnabled ? ", encrypted at rest" : ""), published now, signing from \(ISO8601DateFormatter().string(from: activation))"
            )
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
            let (all, published, signing) = try await settings.withStore(logger: settings.makeLogger()) { store in
                let ring = settings.keyRing(store: store)
                do {
                    let all = try await ring.keys(forceReload: true)
                    let signing = all.isEmpty ? nil : try await ring.signingKey().kid
                    return (all, Set(try await ring.publishedKeys().map(\.kid)), signing)
                } catch let error as KeyEncryptionError {
                    throw CLIError("\(error)")
                }
            }
            let signingIndex = all.firstIndex { $0.kid == signing } ?? 0
            let rows = all.enumerated().map { index, key in
                let status =
                    index == signingIndex ? "signing" : index > signingIndex ? "next" : published.contains(key.kid) ? "published" : "retired"
                return (kid: key.kid, created: Int(key.createdAt.timeIntervalSince1970), status: status)
            }
            if json {
                print(
                    ClientOutput.encode(
                        rows.map { ["kid": .string($0.kid), "created_at": .int($0.created), "status": .string($0.status)] as [String: ClientOutput.JSONValue] })
                )
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
